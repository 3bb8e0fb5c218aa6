"""Customers, contacts, interaction records and churn records over the API.

The same services, permissions and data scope as the pages: every queryset starts from
``visible_to(user)`` and every write calls a service.
"""

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.core import filters
from crm.core.api import (
    IdField,
    IdRelatedField,
    ModelSerializer,
    OfferedUserField,
    Serializer,
    ServiceModelViewSet,
    action_response,
)
from crm.dictionary.models import DictItem, DictType

from . import selectors, services
from .models import Activity, ChurnMeasure, ChurnRecord, Contact, Customer


def _dict_field(dict_type, **kwargs):
    return IdRelatedField(
        queryset=DictItem.objects.filter(dict_type=dict_type), allow_null=True, required=False, **kwargs
    )


def _status_schema(choices, **extra):
    """A status as a string restricted to its values, without an enum component.

    Several models expose a ``status``; the schema generator turns every enum into a shared
    component named after the field, and those names would collide.
    """
    values = [value for value, _label in choices]
    return {
        "type": "string",
        "pattern": f"^({'|'.join(values)})$",
        "description": "One of: " + ", ".join(values),
        **extra,
    }


@extend_schema_field(_status_schema(Customer.Status.choices, readOnly=True))
class CustomerStatusField(serializers.CharField):
    pass


@extend_schema_field(_status_schema(ChurnRecord.Status.choices, readOnly=True))
class ChurnStatusField(serializers.CharField):
    pass


@extend_schema_field(_status_schema(Customer.Status.choices))
class CustomerStatusFilter(django_filters.ChoiceFilter):
    pass


@extend_schema_field(_status_schema(ChurnRecord.Status.choices))
class ChurnStatusFilter(django_filters.ChoiceFilter):
    pass


class CustomerApiFilter(filters.CrmFilterSet):
    status = CustomerStatusFilter(choices=Customer.Status.choices)

    class Meta:
        model = Customer
        fields = ["status", "region", "grade", "owner"]


class ChurnRecordApiFilter(filters.CrmFilterSet):
    status = ChurnStatusFilter(choices=ChurnRecord.Status.choices)
    manager = filters.IdFilter(field_name="customer__owner")

    class Meta:
        model = ChurnRecord
        fields = ["status", "customer"]


class ScopedCustomerField(IdRelatedField):
    """A customer id; only customers in the caller's scope exist for it."""

    def get_queryset(self):
        return Customer.objects.visible_to(self.context["request"].user)


class CustomerSerializer(ModelSerializer):
    version = serializers.IntegerField(required=False)
    region = _dict_field(DictType.REGION)
    grade = _dict_field(DictType.CUSTOMER_GRADE)
    owner = OfferedUserField(
        services.possible_managers,
        required=False,
        help_text="The manager (客户经理): an active user in your scope who maintains customers.",
    )
    owner_name = serializers.CharField(source="owner.display_name", read_only=True, default=None, allow_null=True)
    status = CustomerStatusField(read_only=True)
    missing_fields = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "number", *services.CUSTOMER_FIELDS, "owner_name", "status", "missing_fields", "version"]
        read_only_fields = ["number", "status"]

    def get_missing_fields(self, customer) -> list[str]:
        return [name for name, _label in services.missing_fields(customer)]


class ContactSerializer(ModelSerializer):
    version = serializers.IntegerField(required=False)
    customer = ScopedCustomerField()

    class Meta:
        model = Contact
        fields = ["id", "customer", *services.CONTACT_FIELDS, "owner", "version"]
        read_only_fields = ["owner"]


class ActivitySerializer(ModelSerializer):
    version = serializers.IntegerField(required=False)
    customer = ScopedCustomerField()
    follow_up_method = _dict_field(DictType.FOLLOW_UP_METHOD)

    class Meta:
        model = Activity
        fields = ["id", "customer", *services.ACTIVITY_FIELDS, "created_by", "version"]
        read_only_fields = ["created_by"]


class ChurnMeasureSerializer(ModelSerializer):
    class Meta:
        model = ChurnMeasure
        fields = ["id", "date", "text", "created_by"]


class ChurnRecordSerializer(ModelSerializer):
    status = ChurnStatusField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_number = serializers.CharField(source="customer.number", read_only=True)
    manager = serializers.IntegerField(source="customer.owner_id", read_only=True, allow_null=True)
    measures = ChurnMeasureSerializer(many=True, read_only=True)

    class Meta:
        model = ChurnRecord
        fields = [
            "id",
            "customer",
            "customer_number",
            "customer_name",
            "manager",
            "last_order_date",
            "status",
            "created_date",
            "lost_date",
            "closed_date",
            "reason_category",
            "reason",
            "measures",
            "version",
        ]
        read_only_fields = fields


class TransferSerializer(Serializer):
    customers = serializers.ListField(child=IdField(), allow_empty=False)
    to = OfferedUserField(services.possible_managers, help_text="An active user in your scope who maintains customers.")
    with_contacts = serializers.BooleanField(default=False)


class PostponeSerializer(Serializer):
    measure = serializers.CharField()


class ConfirmLostSerializer(Serializer):
    reason = serializers.CharField()
    reason_category = _dict_field(DictType.CHURN_REASON)


def _fields(data, names, instance=None):
    """The service's keyword arguments: what the request gave, the rest from ``instance`` on update."""
    if instance is None:
        return {name: data[name] for name in names if name in data}
    return {name: data.get(name, getattr(instance, name)) for name in names}


class CustomerViewSet(ServiceModelViewSet):
    queryset = Customer.objects.select_related("owner", "region", "grade")
    serializer_class = CustomerSerializer
    filterset_class = CustomerApiFilter
    search_fields = ["number", "name", "phone"]
    ordering_fields = ["number", "name", "created_at"]

    def create_object(self, data):
        return services.create_customer(by=self.request.user, **_fields(data, services.CUSTOMER_FIELDS))

    def update_object(self, instance, data):
        return services.update_customer(
            instance,
            by=self.request.user,
            expected_version=data.get("version"),
            **_fields(data, services.CUSTOMER_FIELDS, instance),
        )

    def destroy_object(self, instance):
        services.delete_customer(instance, by=self.request.user)

    @extend_schema(request=TransferSerializer, responses=CustomerSerializer(many=True))
    @action(detail=False, methods=["post"], required_permissions=["customers.transfer_customer"])
    def transfer(self, request):
        serializer = TransferSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ids = set(data["customers"])
        # Customers outside the caller's scope do not exist for them.
        found = list(self.get_queryset().filter(pk__in=ids))
        if len(found) != len(ids):
            raise Http404
        moved = services.transfer_customers(
            customers=found, to=data["to"], by=request.user, with_contacts=data["with_contacts"]
        )
        return Response(CustomerSerializer(moved, many=True, context={"request": request}).data)


class ContactViewSet(ServiceModelViewSet):
    queryset = Contact.objects.select_related("customer")
    serializer_class = ContactSerializer
    filterset_fields = ["customer"]
    search_fields = ["name", "office_phone", "mobile"]

    def create_object(self, data):
        return services.create_contact(
            customer=data["customer"], by=self.request.user, **_fields(data, services.CONTACT_FIELDS)
        )

    def update_object(self, instance, data):
        if "customer" in data and data["customer"].pk != instance.customer_id:
            raise serializers.ValidationError({"customer": ["A contact cannot move to another customer."]})
        return services.update_contact(
            instance,
            by=self.request.user,
            expected_version=data.get("version"),
            **_fields(data, services.CONTACT_FIELDS, instance),
        )

    def destroy_object(self, instance):
        services.delete_contact(instance, by=self.request.user)


class ActivityViewSet(ServiceModelViewSet):
    queryset = Activity.objects.select_related("customer", "follow_up_method")
    serializer_class = ActivitySerializer
    filterset_fields = ["customer", "next_contact_date"]
    search_fields = ["summary", "place"]
    ordering_fields = ["date", "next_contact_date"]

    def create_object(self, data):
        return services.create_activity(
            customer=data["customer"], by=self.request.user, **_fields(data, services.ACTIVITY_FIELDS)
        )

    def update_object(self, instance, data):
        if "customer" in data and data["customer"].pk != instance.customer_id:
            raise serializers.ValidationError({"customer": ["An interaction record cannot move to another customer."]})
        return services.update_activity(
            instance,
            by=self.request.user,
            expected_version=data.get("version"),
            **_fields(data, services.ACTIVITY_FIELDS, instance),
        )

    def destroy_object(self, instance):
        services.delete_activity(instance, by=self.request.user)


class ChurnRecordViewSet(ServiceModelViewSet):
    queryset = ChurnRecord.objects.select_related("customer").prefetch_related("measures")
    serializer_class = ChurnRecordSerializer
    filterset_class = ChurnRecordApiFilter
    search_fields = ["customer__name", "customer__number"]
    ordering_fields = ["created_date", "lost_date", "last_order_date"]
    http_method_names = ["get", "post", "head", "options"]  # changed only through the actions below

    @extend_schema(request=PostponeSerializer, responses=ChurnRecordSerializer)
    @action(detail=True, methods=["post"], required_permissions=["customers.change_churnrecord"])
    def postpone(self, request, pk=None):
        serializer = PostponeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.postpone_churn(
            self.get_object(), measure=serializer.validated_data["measure"], by=request.user
        )
        return action_response(ChurnRecordSerializer, selectors.churn_record_for(request.user, record.pk), request)

    @extend_schema(request=ConfirmLostSerializer, responses=ChurnRecordSerializer)
    @action(
        detail=True, methods=["post"], url_path="confirm-lost", required_permissions=["customers.change_churnrecord"]
    )
    def confirm_lost(self, request, pk=None):
        serializer = ConfirmLostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        record = services.confirm_churn(
            self.get_object(), reason=data["reason"], reason_category=data.get("reason_category"), by=request.user
        )
        return action_response(ChurnRecordSerializer, selectors.churn_record_for(request.user, record.pk), request)


def register(router):
    router.register("customers", CustomerViewSet)
    router.register("contacts", ContactViewSet)
    router.register("activities", ActivityViewSet)
    router.register("churn-records", ChurnRecordViewSet)
