from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Department, Role, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "name", "department", "mobile", "is_active")
    list_select_related = ("department",)
    fieldsets = BaseUserAdmin.fieldsets + (
        ("CRM", {"fields": ("name", "mobile", "department", "superior", "position", "gender", "language", "roles")}),
    )
    filter_horizontal = ("roles",)

    def has_delete_permission(self, request, obj=None):
        # Users are disabled, never deleted: their records keep them as owner (R-AUTH-1).
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "sort_order")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "data_scope", "system_key")
    filter_horizontal = ("permissions",)
