import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.core import filters
from crm.core.forms import BootstrapFormMixin

from .models import Department, Role, User


class FilterForm(BootstrapFormMixin, forms.Form):
    pass


class UserFilter(filters.CrmFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Username, name or mobile")}),
    )
    department = filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    role = filters.ModelChoiceFilter(label=_("Role"), field_name="roles", queryset=Role.objects.all())
    is_active = filters.BooleanFilter(
        label=_("Status"),
        widget=forms.Select(choices=[("", _("All")), ("true", _("Active")), ("false", _("Disabled"))]),
    )

    class Meta:
        model = User
        fields = []
        form = FilterForm

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(name__icontains=value) | Q(mobile__icontains=value))
