import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.accounts.filters import FilterForm
from crm.core import filters

from . import selectors
from .models import Order, Product, Stock


def _search(placeholder=""):
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder})


class ProductFilter(filters.CrmFilterSet):
    name = django_filters.CharFilter(label=_("Name"), lookup_expr="icontains", widget=_search())
    model = django_filters.CharFilter(label=_("Model"), lookup_expr="icontains", widget=_search())
    batch = django_filters.CharFilter(label=_("Grade/batch"), lookup_expr="icontains", widget=_search())
    active = filters.BooleanFilter(
        label=_("Status"),
        widget=forms.Select(choices=[("", _("All")), ("true", _("Active")), ("false", _("Inactive"))]),
    )

    class Meta:
        model = Product
        fields = []
        form = FilterForm


def warehouse_choices():
    return [(name, name) for name in selectors.warehouses()]


class StockFilter(filters.CrmFilterSet):
    product = django_filters.CharFilter(
        label=_("Product"), method="search_product", widget=_search(_("Name, model, batch or key"))
    )
    warehouse = django_filters.ChoiceFilter(
        label=_("Warehouse"), choices=warehouse_choices, empty_label=_("All warehouses")
    )

    class Meta:
        model = Stock
        fields = []
        form = FilterForm

    def search_product(self, queryset, name, value):
        return queryset.filter(
            Q(product__name__icontains=value)
            | Q(product__model__icontains=value)
            | Q(product__batch__icontains=value)
            | Q(product__external_key=value)
        )


class OrderFilter(filters.CrmFilterSet):
    customer = django_filters.CharFilter(
        label=_("Customer"), method="search_customer", widget=_search(_("Customer number or name"))
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="order_date", lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="order_date", lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Order.Status.choices, empty_label=_("All"))

    class Meta:
        model = Order
        fields = []
        form = FilterForm

    def search_customer(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(customer__number=value) | Q(customer__name__icontains=value))
