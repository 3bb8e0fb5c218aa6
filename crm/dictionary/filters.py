import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.filters import FilterForm
from crm.core import filters

from .models import DictItem


def type_choices():
    types = DictItem.objects.order_by("dict_type").values_list("dict_type", flat=True).distinct()
    return [(t, t) for t in types]


class DictItemFilter(filters.CrmFilterSet):
    dict_type = django_filters.ChoiceFilter(label=_("Type"), choices=type_choices, empty_label=_("All types"))
    label = django_filters.CharFilter(
        label=_("Label"), lookup_expr="icontains", widget=forms.TextInput(attrs={"type": "search"})
    )
    value = django_filters.CharFilter(
        label=_("Value"), lookup_expr="icontains", widget=forms.TextInput(attrs={"type": "search"})
    )

    class Meta:
        model = DictItem
        fields = []
        form = FilterForm
