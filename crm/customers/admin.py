from django.contrib import admin

from .models import Activity, ChurnMeasure, ChurnRecord, Contact, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "gender", "position", "office_phone", "mobile", "owner"]
    raw_id_fields = ["owner"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "owner", "region", "grade", "status", "created_at"]
    list_filter = ["status", "region", "grade"]
    search_fields = ["number", "name", "phone"]
    list_select_related = ["owner", "region", "grade"]
    raw_id_fields = ["owner", "created_by"]
    readonly_fields = ["number", "version", "created_at", "updated_at"]
    inlines = [ContactInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["date", "customer", "summary", "next_contact_date"]
    list_select_related = ["customer"]
    search_fields = ["summary", "customer__name"]
    raw_id_fields = ["customer", "created_by"]


class ChurnMeasureInline(admin.TabularInline):
    model = ChurnMeasure
    extra = 0
    raw_id_fields = ["created_by"]


@admin.register(ChurnRecord)
class ChurnRecordAdmin(admin.ModelAdmin):
    list_display = ["customer", "status", "created_date", "last_order_date", "lost_date"]
    list_filter = ["status"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer", "confirmed_by"]
    inlines = [ChurnMeasureInline]
