"""Sales opportunities, development plans and pipeline stages over the API.

The same services, permissions and data scope as the pages: every queryset starts from
``visible_to(user)``, every write and every action calls a service.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.catalog.models import Product
from crm.core.api import (
    IdRelatedField,
    ModelSerializer,
    OfferedUserField,
    Serializer,
    ServiceModelViewSet,
    action_response,
)
from crm.customers.models import Contact, Customer
from crm.dictionary.models import DictItem, DictType

from . import selectors, services
from .models import Opportunity, PipelineStage, PlanItem, StageChange

VIEW = "sales.view_opportunity"
DEVELOP = "sales.develop_opportunity"


@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^({'|'.join(Opportunity.Status.values)})$",
        "description": "One of: " + ", ".join(Opportunity.Status.values),
        "readOnly": True,
    }
)
class OpportunityStatusField(serializers.CharField):
    """The status as a plain string in the schema: other models' ``status`` enums would
    otherwise compete for the same component name."""


class ScopedCustomerField(IdRelatedField):
    """A customer id; only customers in the caller's scope exist for it."""

    def get_queryset(self):
        return Customer.objects.visible_to(self.context["request"].user)


class PlanItemSerializer(ModelSerializer):
    version = serializers.IntegerField(required=False)

    class Meta:
        model = PlanItem
        fields = ["id", "date", "todo", "result", "result_at", "created_by", "created_at", "version"]
        read_only_fields = ["result", "result_at", "created_by", "created_at"]


class PlanItemUpdateSerializer(Serializer):
    todo = serializers.CharField(max_length=500)
    version = serializers.IntegerField()


class PlanItemResultSerializer(Serializer):
    result = serializers.CharField(max_length=500)
    version = serializers.IntegerField()


class StageChangeSerializer(ModelSerializer):
    from_stage_name = serializers.CharField(source="from_stage.name", read_only=True, default=None, allow_null=True)
    to_stage_name = serializers.CharField(source="to_stage.name", read_only=True)

    class Meta:
        model = StageChange
        fields = [
            "id",
            "from_stage",
            "from_stage_name",
            "to_stage",
            "to_stage_name",
            "note",
            "changed_by",
            "created_at",
        ]
        read_only_fields = fields


class OpportunitySerializer(ModelSerializer):
    version = serializers.IntegerField(required=False)
    source = IdRelatedField(
        queryset=DictItem.objects.filter(dict_type=DictType.OPPORTUNITY_SOURCE), allow_null=True, required=False
    )
    customer = ScopedCustomerField(
        allow_null=True, required=False, help_text="An existing customer the opportunity is about (optional)."
    )
    products = IdRelatedField(queryset=Product.objects.all(), many=True, required=False)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True, default=None, allow_null=True)
    created_by_name = serializers.CharField(
        source="created_by.display_name", read_only=True, default=None, allow_null=True
    )
    stage_name = serializers.CharField(source="stage.name", read_only=True, default=None, allow_null=True)
    status = OpportunityStatusField(read_only=True)
    plan_items = PlanItemSerializer(many=True, read_only=True)
    stage_changes = StageChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            *services.OPPORTUNITY_FIELDS,
            "products",
            "status",
            "owner",
            "owner_name",
            "assigned_at",
            "assigned_by",
            "stage",
            "stage_name",
            "closed_at",
            "close_reason",
            "created_by",
            "created_by_name",
            "created_at",
            "plan_items",
            "stage_changes",
            "version",
        ]
        read_only_fields = [
            "status",
            "owner",
            "assigned_at",
            "assigned_by",
            "stage",
            "closed_at",
            "close_reason",
            "created_by",
            "created_at",
        ]
        extra_kwargs = {"contact": {"required": False}, "contact_phone": {"required": False}}


class OpportunityAssignSerializer(Serializer):
    to = OfferedUserField(
        services.assignable_users, help_text="An active user in your scope who may develop opportunities."
    )


class OpportunityReassignSerializer(Serializer):
    to = OfferedUserField(
        services.assignable_users,
        help_text="The new assignee: an active user in your scope who may develop opportunities.",
    )
    version = serializers.IntegerField(
        required=False,
        help_text="The opportunity's version you saw; a reassignment from a stale version is refused.",
    )


class OpportunitySucceedSerializer(Serializer):
    # Checked by the customer module when the contact is created; a plain string keeps the
    # schema free of a second name for the contact's gender choices.
    contact_gender = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text="The new customer's first contact: " + ", ".join(Contact.Gender.values) + ".",
    )
    contact_position = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=50, required=False, allow_blank=True)


class OpportunityFailSerializer(Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class OpportunityMoveStageSerializer(Serializer):
    stage = IdRelatedField(queryset=PipelineStage.objects.all())
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class OpportunityPipelineSerializer(Serializer):
    expected_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    expected_close_date = serializers.DateField(allow_null=True, required=False)
    products = IdRelatedField(queryset=Product.objects.all(), many=True, required=False)
    version = serializers.IntegerField()


class PipelineStageSerializer(ModelSerializer):
    version = serializers.IntegerField(required=False)

    class Meta:
        model = PipelineStage
        fields = ["id", *services.STAGE_FIELDS, "version"]


def _fields(data, names, instance=None):
    """The service's keyword arguments: what the request gave, the rest from ``instance`` on update."""
    if instance is None:
        return {name: data[name] for name in names if name in data}
    return {name: data.get(name, getattr(instance, name)) for name in names}


class OpportunityViewSet(ServiceModelViewSet):
    queryset = Opportunity.objects.select_related(
        "source", "owner", "created_by", "stage", "customer"
    ).prefetch_related(
        "products",
        Prefetch("plan_items", queryset=PlanItem.objects.order_by("date", "pk")),
        Prefetch(
            "stage_changes",
            queryset=StageChange.objects.select_related("from_stage", "to_stage").order_by("created_at", "pk"),
        ),
    )
    serializer_class = OpportunitySerializer
    filterset_fields = ["status", "owner", "created_by", "source", "stage", "customer"]
    search_fields = ["customer_name", "summary", "contact", "description"]
    ordering_fields = ["created_at", "customer_name", "probability", "expected_amount", "expected_close_date"]

    def _detail(self, opportunity):
        """The opportunity as the caller now sees it (re-read through the scope)."""
        fresh = self.get_queryset().filter(pk=opportunity.pk).first()
        return action_response(OpportunitySerializer, fresh or opportunity, self.request)

    def create_object(self, data):
        fields = _fields(data, services.OPPORTUNITY_FIELDS)
        return services.create_opportunity(by=self.request.user, products=data.get("products"), **fields)

    def update_object(self, instance, data):
        return services.update_opportunity(
            instance,
            by=self.request.user,
            expected_version=data.get("version"),
            products=data.get("products"),
            **_fields(data, services.OPPORTUNITY_FIELDS, instance),
        )

    def destroy_object(self, instance):
        services.delete_opportunity(instance, by=self.request.user)

    @extend_schema(request=OpportunityAssignSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], required_permissions=[VIEW, "sales.assign_opportunity"])
    def assign(self, request, pk=None):
        opportunity = self.get_object()  # one outside the scope is not found, whatever the body
        serializer = OpportunityAssignSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        opportunity = services.assign_opportunity(opportunity, to=serializer.validated_data["to"], by=request.user)
        return self._detail(opportunity)

    @extend_schema(
        request=OpportunityReassignSerializer,
        responses=OpportunitySerializer,
        description="Hand a developing opportunity to another account manager (a supervisor's action; "
        "the previous assignee stays in the operation log). Refused (400) unless it is developing.",
    )
    @action(detail=True, methods=["post"], required_permissions=[VIEW, "sales.assign_opportunity"])
    def reassign(self, request, pk=None):
        opportunity = self.get_object()
        serializer = OpportunityReassignSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        opportunity = services.reassign_opportunity(
            opportunity, to=data["to"], by=request.user, expected_version=data.get("version")
        )
        return self._detail(opportunity)

    @extend_schema(request=PlanItemSerializer, responses={201: PlanItemSerializer})
    @action(detail=True, methods=["post"], url_path="plan-items", required_permissions=[VIEW, DEVELOP])
    def add_plan_item(self, request, pk=None):
        serializer = PlanItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = services.add_plan_item(self.get_object(), by=request.user, date=data["date"], todo=data["todo"])
        return action_response(PlanItemSerializer, item, request, status=201)

    @extend_schema(request=PlanItemUpdateSerializer, responses=PlanItemSerializer)
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"plan-items/(?P<item_id>\d+)",
        required_permissions=[VIEW, DEVELOP],
    )
    def update_plan_item(self, request, pk=None, item_id=None):
        item = selectors.plan_item_for(self.get_object(), item_id)
        serializer = PlanItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = services.update_plan_item(item, by=request.user, expected_version=data["version"], todo=data["todo"])
        return action_response(PlanItemSerializer, item, request)

    @extend_schema(request=None, responses={204: None})
    @update_plan_item.mapping.delete
    def delete_plan_item(self, request, pk=None, item_id=None):
        item = selectors.plan_item_for(self.get_object(), item_id)
        services.delete_plan_item(item, by=request.user)
        return Response(status=204)

    @extend_schema(request=PlanItemResultSerializer, responses=PlanItemSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"plan-items/(?P<item_id>\d+)/result",
        required_permissions=[VIEW, DEVELOP],
    )
    def record_result(self, request, pk=None, item_id=None):
        item = selectors.plan_item_for(self.get_object(), item_id)
        serializer = PlanItemResultSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = services.record_result(item, by=request.user, expected_version=data["version"], result=data["result"])
        return action_response(PlanItemSerializer, item, request)

    @extend_schema(request=OpportunitySucceedSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], required_permissions=[VIEW, DEVELOP])
    def succeed(self, request, pk=None):
        serializer = OpportunitySucceedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(
            services.succeed_opportunity(self.get_object(), by=request.user, **serializer.validated_data)
        )

    @extend_schema(request=OpportunityFailSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], required_permissions=[VIEW, DEVELOP])
    def fail(self, request, pk=None):
        serializer = OpportunityFailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data.get("reason", "")
        return self._detail(services.fail_opportunity(self.get_object(), by=request.user, reason=reason))

    @extend_schema(request=OpportunityMoveStageSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], url_path="move-stage", required_permissions=[VIEW, DEVELOP])
    def move_stage(self, request, pk=None):
        serializer = OpportunityMoveStageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        opportunity = services.move_stage(
            self.get_object(), by=request.user, stage=data["stage"], note=data.get("note", "")
        )
        return self._detail(opportunity)

    @extend_schema(request=OpportunityPipelineSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], required_permissions=[VIEW, DEVELOP])
    def pipeline(self, request, pk=None):
        instance = self.get_object()
        serializer = OpportunityPipelineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        opportunity = services.update_pipeline(
            instance,
            by=request.user,
            expected_version=data["version"],
            products=data.get("products"),
            **_fields(data, services.PIPELINE_FIELDS, instance),
        )
        return self._detail(opportunity)


class PipelineStageViewSet(ServiceModelViewSet):
    queryset = PipelineStage.objects.all()
    serializer_class = PipelineStageSerializer
    filterset_fields = ["is_active"]
    ordering_fields = ["sort_order", "name", "win_rate"]

    def create_object(self, data):
        return services.create_stage(by=self.request.user, **_fields(data, services.STAGE_FIELDS))

    def update_object(self, instance, data):
        return services.update_stage(
            instance,
            by=self.request.user,
            expected_version=data.get("version"),
            **_fields(data, services.STAGE_FIELDS, instance),
        )

    def destroy_object(self, instance):
        services.delete_stage(instance, by=self.request.user)


def register(router):
    router.register("opportunities", OpportunityViewSet)
    router.register("pipeline-stages", PipelineStageViewSet)
