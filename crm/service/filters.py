import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.filters import FilterForm
from crm.core import filters
from crm.dictionary.models import DictItem, DictType

from .models import ServiceRequest


def _service_types(request):
    return DictItem.objects.filter(dict_type=DictType.SERVICE_TYPE).order_by("sort_order", "id")


def _start_of(day):
    """The first instant of a local calendar day, so the (status, created_at) index serves date ranges."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ServiceRequestFilter(filters.CrmFilterSet):
    customer = django_filters.CharFilter(
        label=_("Customer"),
        method="filter_customer",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or number")}),
    )
    summary = django_filters.CharFilter(
        label=_("Summary"), lookup_expr="icontains", widget=forms.TextInput(attrs={"type": "search"})
    )
    service_type = filters.ModelChoiceFilter(
        label=_("Service type"), queryset=_service_types, empty_label=_("All types")
    )
    created_from = django_filters.DateFilter(
        label=_("Created from"),
        method="filter_created_from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    created_to = django_filters.DateFilter(
        label=_("Created until"),
        method="filter_created_to",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = ServiceRequest
        fields = []
        form = FilterForm

    def filter_customer(self, queryset, name, value):
        return queryset.filter(Q(customer__name__icontains=value) | Q(customer__number__icontains=value))

    def filter_created_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_start_of(value))

    def filter_created_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=_start_of(value + datetime.timedelta(days=1)))


class ArchiveFilter(ServiceRequestFilter):
    """The archive search (R-SVC-5). Without a status in the query it shows archived requests;
    "Any status" searches them all."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ServiceRequest.Status.choices, empty_label=_("Any status")
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is None or "status" not in data:
            data = data.copy() if data is not None else QueryDict(mutable=True)
            data["status"] = ServiceRequest.Status.ARCHIVED
        super().__init__(data, *args, **kwargs)
        order = ["customer", "summary", "service_type", "status", "created_from", "created_to"]
        self.filters = {name: self.filters[name] for name in order}

    class Meta(ServiceRequestFilter.Meta):
        fields = []
