from django.contrib import admin

from .models import Opportunity, PipelineStage, PlanItem, StageChange


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    fields = ["date", "todo", "result", "result_at", "created_by"]
    raw_id_fields = ["created_by"]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    fields = ["created_at", "from_stage", "to_stage", "note", "changed_by"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["changed_by"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["customer_name", "summary", "status", "stage", "probability", "owner", "created_by", "created_at"]
    list_filter = ["status", "stage", "source"]
    search_fields = ["customer_name", "summary", "contact"]
    list_select_related = ["owner", "created_by", "stage"]
    raw_id_fields = ["owner", "created_by", "assigned_by", "customer"]
    filter_horizontal = ["products"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [PlanItemInline, StageChangeInline]


@admin.register(PipelineStage)
class PipelineStageAdmin(admin.ModelAdmin):
    list_display = ["name", "win_rate", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    readonly_fields = ["version"]
