from django.contrib import admin

from .models import ServiceRequest, ServiceRound


class ServiceRoundInline(admin.TabularInline):
    model = ServiceRound
    extra = 0
    fields = ["number", "handling", "handled_by", "handled_at", "result", "satisfaction", "feedback_by", "feedback_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    """Read-only: requests change only through the service pages (their rules live in services.py)."""

    list_display = ["pk", "customer", "service_type", "summary", "status", "assignee", "created_by", "created_at"]
    list_filter = ["status", "service_type"]
    list_select_related = ["customer", "service_type", "assignee", "created_by"]
    search_fields = ["summary", "customer__name", "customer__number"]
    inlines = [ServiceRoundInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
