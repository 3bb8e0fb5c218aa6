"""Products, stock and orders over the API (read-only, scoped like the pages), and the bulk
upsert the sales system pushes to: ``POST /api/v1/sales-sync/<kind>/``."""

import django_filters
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from crm.core import filters
from crm.core.api import ModelSerializer, ServiceModelViewSet

from . import selectors, services
from .importers import IMPORTERS
from .models import ImportRun, Order, OrderLine, Product, Stock


class ReadOnlyViewSet(ServiceModelViewSet):
    """The CRM only reads these records; the sales system writes them through sales-sync."""

    http_method_names = ["get", "head", "options"]


class ProductSerializer(ModelSerializer):
    display_name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Product
        fields = ["id", "external_key", "name", "model", "batch", "display_name", "unit", "price", "remark", "active"]


class StockSerializer(ModelSerializer):
    product_name = serializers.CharField(source="product.__str__", read_only=True)

    class Meta:
        model = Stock
        fields = ["id", "external_key", "product", "product_name", "warehouse", "location", "quantity", "remark"]


class OrderLineSerializer(ModelSerializer):
    product_name = serializers.CharField(source="product.__str__", read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = OrderLine
        fields = ["line_no", "product", "product_name", "quantity", "unit", "unit_price", "amount"]


class OrderSerializer(ModelSerializer):
    customer_number = serializers.CharField(source="customer.number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "external_key",
            "number",
            "customer",
            "customer_number",
            "customer_name",
            "order_date",
            "delivery_address",
            "status",
            "total",
        ]


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines"]


class OrderApiFilter(filters.CrmFilterSet):
    date_from = django_filters.DateFilter(field_name="order_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="order_date", lookup_expr="lte")
    customer_number = django_filters.CharFilter(field_name="customer__number")

    class Meta:
        model = Order
        fields = ["customer", "status"]


class ProductViewSet(ReadOnlyViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_fields = {
        "name": ["exact", "icontains"],
        "model": ["exact", "icontains"],
        "batch": ["exact", "icontains"],
        "active": ["exact"],
        "external_key": ["exact"],
    }
    search_fields = ["name", "model", "batch"]
    ordering_fields = ["name", "model", "batch", "price"]
    ordering = ["name", "model", "batch", "id"]


class StockViewSet(ReadOnlyViewSet):
    queryset = Stock.objects.select_related("product")
    serializer_class = StockSerializer
    filterset_fields = ["product", "warehouse"]
    search_fields = ["product__name", "product__model", "warehouse", "location"]
    ordering_fields = ["warehouse", "quantity"]
    ordering = ["warehouse", "location", "id"]


class OrderViewSet(ReadOnlyViewSet):
    queryset = Order.objects.all()
    filterset_class = OrderApiFilter
    search_fields = ["number", "customer__name", "customer__number"]
    ordering_fields = ["order_date", "number", "total"]
    ordering = ["-order_date", "-id"]

    def get_queryset(self):
        queryset = selectors.orders_for(self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("lines__product")
        return queryset

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer


SYNC_RESULT = inline_serializer(
    "SalesSyncResult",
    {
        "import_run": serializers.IntegerField(),
        "kind": serializers.CharField(),
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "details": serializers.DictField(),
    },
)


class SalesSyncViewSet(viewsets.ViewSet):
    """Bulk upsert from the sales system: all rows or none (R-DATA-4)."""

    required_permissions = ["catalog.import_salesdata"]

    @extend_schema(
        summary="Upsert products, stock or orders from the sales system",
        description=(
            "Body: a JSON list of row objects with the columns of the kind's import format "
            "(see docs/import.md). Every row is checked; if any row has an error nothing is "
            "applied and the answer is 400 with `row_errors` ([{row, column, message, value}], "
            "rows numbered from 1). Otherwise all rows are applied in one transaction, upserted "
            "by the sales system's keys; sending the same rows again changes nothing."
        ),
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(IMPORTERS))],
        request={"application/json": {"type": "array", "items": {"type": "object"}}},
        responses={
            200: SYNC_RESULT,
            400: OpenApiResponse(OpenApiTypes.OBJECT),
            413: OpenApiResponse(OpenApiTypes.OBJECT),
        },
    )
    def create(self, request, kind):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.CRM_MAX_UPLOAD_BYTES:
            message = _(
                "The request is %(size).1f MB; at most %(limit).0f MB can be sent at once. Send the rows in parts."
            ) % {
                "size": length / 1024 / 1024,
                "limit": settings.CRM_MAX_UPLOAD_BYTES / 1024 / 1024,
            }
            return Response(
                {"code": "too_large", "message": message, "errors": {}}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            )
        # A problem with the request as a whole (unknown kind, not a list, missing columns) raises
        # ValidationError, which the API's error handler answers with 400.
        run = services.import_records(kind=kind, records=request.data, by=request.user, source=ImportRun.Source.API)
        if run.status == ImportRun.Status.REJECTED:
            errors = {}
            for row, column, text, _value in run.errors:
                errors.setdefault(f"rows[{row}].{column}", []).append(text)
            message = ngettext(
                "%(count)d row has errors; nothing was imported.",
                "%(count)d rows have errors; nothing was imported.",
                run.error_count,
            ) % {"count": run.error_count}
            body = {
                "code": "invalid",
                "message": message,
                "errors": errors,
                "row_errors": [
                    dict(zip(("row", "column", "message", "value"), error, strict=True)) for error in run.errors
                ],
                "import_run": run.pk,
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "import_run": run.pk,
                "kind": run.kind,
                "rows": run.row_count,
                "created": run.created,
                "updated": run.updated,
                "unchanged": run.unchanged,
                "details": run.details,
            }
        )


def register(router):
    router.register("products", ProductViewSet, basename="product")
    router.register("stock", StockViewSet, basename="stock")
    router.register("orders", OrderViewSet, basename="order")
    router.register(r"sales-sync/(?P<kind>products|stock|orders)", SalesSyncViewSet, basename="sales-sync")
