import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.filters import FilterForm
from crm.accounts.scope import users_visible_to
from crm.core import filters
from crm.dictionary.models import DictItem, DictType

from .models import Opportunity, PipelineStage

Status = Opportunity.Status


def _search_widget(placeholder=""):
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder})


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def start_of(day):
    """The first instant of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def users_in_scope(request):
    """The people a filter offers: the users whose records the viewer may see."""
    if request is None:
        return get_user_model().objects.none()
    return users_visible_to(request.user).order_by("username")


def sources(request):
    return DictItem.objects.filter(dict_type=DictType.OPPORTUNITY_SOURCE).order_by("sort_order", "pk")


def stages(request):
    return PipelineStage.objects.order_by("sort_order", "pk")


class UserFilter(filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", users_in_scope)
        kwargs.setdefault("empty_label", _("All"))
        super().__init__(*args, **kwargs)


def search(queryset, name, value):
    return queryset.filter(
        Q(customer_name__icontains=value)
        | Q(summary__icontains=value)
        | Q(contact__icontains=value)
        | Q(description__icontains=value)
    )


class OpportunityFilter(filters.CrmFilterSet):
    """Every opportunity in scope (R-OPP-9: status, assignee, creator, source, date and text)."""

    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=_search_widget(_("Customer, summary, contact, description"))
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("All"))
    owner = UserFilter(label=_("Assignee"))
    created_by = UserFilter(label=_("Creator"))
    source = filters.ModelChoiceFilter(label=_("Source"), queryset=sources, empty_label=_("All"))
    stage = filters.ModelChoiceFilter(label=_("Stage"), queryset=stages, empty_label=_("All"))
    created_from = django_filters.DateFilter(label=_("Created from"), method="created_from_day", widget=_date_widget())
    created_to = django_filters.DateFilter(label=_("Created until"), method="created_to_day", widget=_date_widget())

    class Meta:
        model = Opportunity
        fields = []
        form = FilterForm

    def search(self, queryset, name, value):
        return search(queryset, name, value)

    # Compared as a range of instants rather than ``created_at__date`` so the index serves it.
    def created_from_day(self, queryset, name, value):
        return queryset.filter(created_at__gte=start_of(value))

    def created_to_day(self, queryset, name, value):
        return queryset.filter(created_at__lt=start_of(value + datetime.timedelta(days=1)))


class UnassignedFilter(filters.CrmFilterSet):
    """The assignment list (R-OPP-3): customer name, summary, contact."""

    customer_name = django_filters.CharFilter(
        label=_("Customer name"), lookup_expr="icontains", widget=_search_widget()
    )
    summary = django_filters.CharFilter(label=_("Summary"), lookup_expr="icontains", widget=_search_widget())
    contact = django_filters.CharFilter(label=_("Contact"), lookup_expr="icontains", widget=_search_widget())

    class Meta:
        model = Opportunity
        fields = []
        form = FilterForm


class MyPlanFilter(filters.CrmFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=_search_widget(_("Customer, summary, contact, description"))
    )
    # Without a status the view shows the opportunities still under development.
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(s.value, s.label) for s in (Status.SUCCEEDED, Status.FAILED)],
        empty_label=_("Developing"),
    )

    class Meta:
        model = Opportunity
        fields = []
        form = FilterForm

    def search(self, queryset, name, value):
        return search(queryset, name, value)


class BoardFilter(filters.CrmFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=_search_widget(_("Customer, summary, contact, description"))
    )
    owner = UserFilter(label=_("Assignee"))
    source = filters.ModelChoiceFilter(label=_("Source"), queryset=sources, empty_label=_("All"))
    close_until = django_filters.DateFilter(
        label=_("Expected close until"), field_name="expected_close_date", lookup_expr="lte", widget=_date_widget()
    )

    class Meta:
        model = Opportunity
        fields = []
        form = FilterForm

    def search(self, queryset, name, value):
        return search(queryset, name, value)
