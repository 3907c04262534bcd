"""Routes of the DRF peer: API.md's users, catalog and order routes under /api/."""
from django.http import JsonResponse
from django.urls import path

from shop import views


def not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request):
    return JsonResponse({"detail": "A server error occurred."}, status=500)


handler404 = not_found
handler500 = server_error

urlpatterns = [
    path("api/health/", views.health),
    path("api/users/register/", views.register),
    path("api/users/login/", views.login),
    path("api/users/logout/", views.logout),
    path("api/products/", views.ProductList.as_view()),
    path("api/products/create/", views.ProductCreate.as_view()),
    path("api/products/categories/", views.CategoryList.as_view()),
    path("api/products/categories/create/", views.CategoryCreate.as_view()),
    path("api/orders/", views.OrderListCreate.as_view()),
    path("api/orders/<int:pk>/update-status/", views.OrderStatusUpdate.as_view()),
]
