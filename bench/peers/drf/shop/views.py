"""DRF views of the peer: generic views where DRF has them, as a DRF codebase would."""
from django.contrib.auth import authenticate
from rest_framework import generics, permissions, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from .auth import issue_token
from .models import Category, Order, Product
from .serializers import (CategorySerializer, LoginSerializer, OrderCreateSerializer, OrderSerializer,
                          OrderStatusSerializer, ProductSerializer, RegisterSerializer)


@api_view(["GET"])
@authentication_classes([])
def health(request):
    return Response({"status": "ok"})


@api_view(["POST"])
@authentication_classes([])
def register(request):
    serializer = RegisterSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    serializer.save()
    return Response(serializer.data, status=status.HTTP_201_CREATED)


@api_view(["POST"])
@authentication_classes([])
def login(request):
    serializer = LoginSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user = authenticate(request, **serializer.validated_data)
    if user is None:
        return Response({"non_field_errors": ["Unable to log in with provided credentials."]}, status=400)
    return Response({"token": issue_token(user), "user_id": user.id, "username": user.username})


@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def logout(request):
    request.auth.delete()
    return Response({"message": "Logged out successfully"})


class ProductList(generics.ListAPIView):
    queryset = Product.objects.prefetch_related("variants")
    serializer_class = ProductSerializer
    authentication_classes = []


class ProductCreate(generics.CreateAPIView):
    serializer_class = ProductSerializer
    permission_classes = [permissions.IsAdminUser]


class CategoryList(generics.ListAPIView):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    authentication_classes = []


class CategoryCreate(generics.CreateAPIView):
    serializer_class = CategorySerializer
    permission_classes = [permissions.IsAdminUser]


class OrderListCreate(generics.ListCreateAPIView):
    serializer_class = OrderSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        orders = Order.objects.select_related("user").prefetch_related("items")
        return orders if self.request.user.is_staff else orders.filter(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = OrderCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        order = serializer.save()
        order = Order.objects.select_related("user").prefetch_related("items").get(pk=order.pk)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderStatusUpdate(generics.UpdateAPIView):
    queryset = Order.objects.all()
    serializer_class = OrderStatusSerializer
    permission_classes = [permissions.IsAdminUser]
    http_method_names = ["patch"]
