from django.contrib import admin

from .models import ImportRun, Order, OrderLine, Product, Stock


class ReadOnlyAdmin(admin.ModelAdmin):
    """The copy of the sales system is written only by imports."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("external_key", "name", "model", "batch", "unit", "price", "active")
    search_fields = ("external_key", "name", "model", "batch")


@admin.register(Stock)
class StockAdmin(ReadOnlyAdmin):
    list_display = ("external_key", "product", "warehouse", "location", "quantity")
    list_select_related = ("product",)
    search_fields = ("external_key", "warehouse", "product__name")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = ("line_no", "product", "quantity", "unit", "unit_price", "amount")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "customer", "order_date", "status")
    list_select_related = ("customer",)
    search_fields = ("external_key", "number", "customer__name", "customer__number")
    inlines = [OrderLineInline]


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "kind", "source", "status", "row_count", "created", "updated", "error_count", "by")
    list_filter = ("kind", "status", "source")
