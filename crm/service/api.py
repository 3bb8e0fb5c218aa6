"""Service requests over the API: the same services, permissions and data scope as the pages.

``/api/v1/service-requests/`` lists, reads, creates, edits and deletes requests; the actions
``assign``, ``handle`` and ``feedback`` move them through their statuses.
"""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from crm.core import filters
from crm.core.api import (
    IdRelatedField,
    ModelSerializer,
    OfferedUserField,
    Serializer,
    ServiceModelViewSet,
    action_response,
)
from crm.customers.models import Customer
from crm.dictionary.models import DictItem, DictType

from . import selectors, services
from .filters import ServiceRequestFilter
from .models import ServiceRequest, ServiceRound


class ScopedCustomerField(IdRelatedField):
    """A customer id; only customers in the caller's scope exist for it."""

    def get_queryset(self):
        return Customer.objects.visible_to(self.context["request"].user)


class ServiceRoundSerializer(ModelSerializer):
    class Meta:
        model = ServiceRound
        fields = [
            "number",
            "handling",
            "handled_by",
            "handled_at",
            "result",
            "satisfaction",
            "feedback_by",
            "feedback_at",
        ]
        read_only_fields = fields


class ServiceRequestSerializer(ModelSerializer):
    customer = ScopedCustomerField(help_text="A customer in the caller's scope, status normal. Fixed after creation.")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    service_type = IdRelatedField(
        queryset=DictItem.objects.filter(dict_type=DictType.SERVICE_TYPE),
        help_text="A dictionary item of type 服务类型 (consultation, suggestion, complaint).",
    )
    service_type_label = serializers.CharField(source="service_type.label", read_only=True)
    # Plain text, not an enum: several apps have a "status" choice set, and drf-spectacular
    # cannot name colliding enums without a central ENUM_NAME_OVERRIDES.
    status = serializers.CharField(read_only=True, help_text="new, assigned, handled or archived.")
    satisfaction = serializers.IntegerField(
        source="latest_round.satisfaction", read_only=True, allow_null=True, default=None
    )
    rounds = ServiceRoundSerializer(many=True, read_only=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "customer",
            "customer_name",
            "service_type",
            "service_type_label",
            "summary",
            "details",
            "status",
            "created_by",
            "created_at",
            "assignee",
            "assigned_by",
            "assigned_at",
            "archived_at",
            "satisfaction",
            "rounds",
            "version",
        ]
        read_only_fields = [
            "status",
            "created_by",
            "created_at",
            "assignee",
            "assigned_by",
            "assigned_at",
            "archived_at",
        ]


class AssignSerializer(Serializer):
    to = OfferedUserField(
        services.assignable_users, help_text="An active user in your scope who may handle service requests."
    )
    version = serializers.IntegerField(
        required=False, help_text="Required to reassign an assigned request: the version you read."
    )


class HandleSerializer(Serializer):
    handling = serializers.CharField(allow_blank=True)


class FeedbackSerializer(Serializer):
    result = serializers.CharField(allow_blank=True)
    satisfaction = serializers.IntegerField(help_text="1 to 5; 3 or more archives the request, less sends it back.")


class ServiceRequestApiFilter(ServiceRequestFilter):
    status = django_filters.ChoiceFilter(choices=ServiceRequest.Status.choices)
    customer_id = filters.IdFilter(field_name="customer")
    assignee = filters.IdFilter(field_name="assignee")


class ServiceRequestViewSet(ServiceModelViewSet):
    queryset = ServiceRequest.objects.select_related(*selectors.LIST_RELATIONS).prefetch_related(
        Prefetch("rounds", queryset=ServiceRound.objects.order_by("number"))
    )
    serializer_class = ServiceRequestSerializer
    filterset_class = ServiceRequestApiFilter
    search_fields = ["summary", "customer__name", "customer__number"]
    ordering_fields = ["created_at", "assigned_at", "archived_at", "status"]
    ordering = ["-created_at", "-id"]

    def _reply(self, instance, status=200):
        fresh = self.get_queryset().get(pk=instance.pk)
        return action_response(ServiceRequestSerializer, fresh, self.request, status=status)

    def create_object(self, data):
        return services.create_service_request(
            customer=data["customer"],
            service_type=data["service_type"],
            summary=data["summary"],
            details=data["details"],
            by=self.request.user,
        )

    def update_object(self, instance, data):
        if "customer" in data and data["customer"].pk != instance.customer_id:
            raise serializers.ValidationError({"customer": ["A service request cannot move to another customer."]})
        return services.update_service_request(
            instance,
            by=self.request.user,
            expected_version=data.get("version"),
            service_type=data.get("service_type", instance.service_type),
            summary=data.get("summary", instance.summary),
            details=data.get("details", instance.details),
        )

    def destroy_object(self, instance):
        services.delete_service_request(instance, by=self.request.user)

    @extend_schema(request=AssignSerializer, responses=ServiceRequestSerializer)
    @action(detail=True, methods=["post"], required_permissions=[services.ASSIGN])
    def assign(self, request, pk=None):
        service_request = self.get_object()  # a request outside the scope is not found, whatever the body
        serializer = AssignSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        instance = services.assign_service_request(
            service_request, to=data["to"], by=request.user, expected_version=data.get("version")
        )
        return self._reply(instance)

    @extend_schema(request=HandleSerializer, responses=ServiceRequestSerializer)
    @action(detail=True, methods=["post"], required_permissions=[services.HANDLE])
    def handle(self, request, pk=None):
        serializer = HandleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = services.handle_service_request(
            self.get_object(), handling=serializer.validated_data["handling"], by=request.user
        )
        return self._reply(instance)

    @extend_schema(request=FeedbackSerializer, responses=ServiceRequestSerializer)
    @action(detail=True, methods=["post"], required_permissions=[services.FEEDBACK])
    def feedback(self, request, pk=None):
        serializer = FeedbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        instance = services.record_feedback(
            self.get_object(), result=data["result"], satisfaction=data["satisfaction"], by=request.user
        )
        return self._reply(instance)


def register(router):
    router.register("service-requests", ServiceRequestViewSet)
