"""DRF serializers of the peer: API.md's shapes and validation rules."""
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import F
from rest_framework import serializers

from .models import TERMINAL, Category, Order, OrderItem, Product, Variant

Price = lambda **kw: serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, **kw)  # noqa: E731


class RegisterSerializer(serializers.ModelSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "password"]

    def validate_password(self, value):
        validate_password(value)
        return value

    def create(self, data):
        return User.objects.create_user(data["username"], data["email"], data["password"])


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name"]


class VariantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Variant
        fields = ["id", "size", "color", "stock"]


class ProductSerializer(serializers.ModelSerializer):
    price = Price()
    variants = VariantSerializer(many=True, required=False)

    class Meta:
        model = Product
        fields = ["id", "name", "description", "price", "category", "variants"]

    def create(self, data):
        variants = data.pop("variants", [])
        with transaction.atomic():
            product = Product.objects.create(**data)
            Variant.objects.bulk_create(Variant(product=product, **v) for v in variants)
        return Product.objects.prefetch_related("variants").get(pk=product.pk)


class OrderItemSerializer(serializers.ModelSerializer):
    price = Price(read_only=True)

    class Meta:
        model = OrderItem
        fields = ["id", "product", "variant", "quantity", "price"]


class OrderSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.username", read_only=True)
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["id", "user", "user_name", "status", "items", "created_at", "updated_at"]


class OrderItemInput(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    variant = serializers.PrimaryKeyRelatedField(queryset=Variant.objects.all(), required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=1)


class OrderCreateSerializer(serializers.Serializer):
    items = OrderItemInput(many=True, allow_empty=False)

    def validate_items(self, items):
        for item in items:
            product, variant = item["product"], item.get("variant")
            if variant is not None and variant.product_id != product.id:
                raise serializers.ValidationError(f"Variant {variant.id} does not belong to product {product.id}.")
            if variant is None and product.variants.exists():
                raise serializers.ValidationError("This product has variants; choose one.")
        return items

    def create(self, data):
        """Takes every item's stock or none (one IMMEDIATE transaction, conditional updates)."""
        with transaction.atomic():
            order = Order.objects.create(user=self.context["request"].user)
            rows = []
            for item in data["items"]:
                product, variant, quantity = item["product"], item.get("variant"), item["quantity"]
                if variant is not None:
                    taken = Variant.objects.filter(pk=variant.pk, stock__gte=quantity).update(stock=F("stock") - quantity)
                    if not taken:
                        left = Variant.objects.get(pk=variant.pk).stock
                        raise serializers.ValidationError(
                            {"items": [f"Insufficient stock for variant {variant.id}: {left} available."]})
                rows.append(OrderItem(order=order, product=product, variant=variant, quantity=quantity,
                                      price=product.price))
            OrderItem.objects.bulk_create(rows)
        return order


class OrderStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "status"]
        read_only_fields = ["id"]

    def validate_status(self, value):
        if self.instance is not None and self.instance.status in TERMINAL:
            raise serializers.ValidationError(f"Cannot change status of a {self.instance.status} order.")
        return value

    def update(self, order, data):
        with transaction.atomic():
            if data["status"] == "cancelled":
                for item in order.items.exclude(variant=None):
                    Variant.objects.filter(pk=item.variant_id).update(stock=F("stock") + item.quantity)
            return super().update(order, data)
