import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from crm.accounts.filters import FilterForm
from crm.accounts.scope import users_visible_to
from crm.core import filters
from crm.dictionary.models import DictItem, DictType

from .models import Activity, ChurnRecord, Customer


class QuickSelect(forms.Select):
    """A select rendered in Python rather than through a template per option.

    The filter bar offers every manager in scope and the dictionary items on each list page;
    Django's option dictionaries and option template cost about 0.1 ms an option, a fifth of the
    whole page.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}

        def options(choices):
            return format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((v, " selected" if str(v) in selected else "", label) for v, label in choices),
            )

        rendered = []
        for choice, label in self.choices:
            if isinstance(label, (list, tuple)):
                rendered.append(format_html('<optgroup label="{}">{}</optgroup>', choice, options(label)))
            else:
                rendered.append(options([(choice, label)]))
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            format_html_join("", "{}", ((option,) for option in rendered)),
        )


def _search_widget(placeholder=""):
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder})


def managers_in_scope(request):
    """The managers a filter offers: the users whose records the viewer may see."""
    if request is None:
        return get_user_model().objects.none()
    return users_visible_to(request.user).order_by("username")


def _dict_items(dict_type):
    def queryset(request):
        return DictItem.objects.filter(dict_type=dict_type).order_by("sort_order", "id")

    return queryset


class ManagerFilter(filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", managers_in_scope)
        kwargs.setdefault("empty_label", _("All"))
        kwargs.setdefault("widget", QuickSelect)
        super().__init__(*args, **kwargs)


class CustomerFilter(filters.CrmFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=_search_widget(_("Number, name, phone, address"))
    )
    number = django_filters.CharFilter(label=_("Number"), lookup_expr="icontains", widget=_search_widget())
    name = django_filters.CharFilter(label=_("Customer name"), lookup_expr="icontains", widget=_search_widget())
    region = filters.ModelChoiceFilter(
        label=_("Region"), queryset=_dict_items(DictType.REGION), empty_label=_("All"), widget=QuickSelect
    )
    owner = ManagerFilter(label=_("Manager"))
    grade = filters.ModelChoiceFilter(
        label=_("Grade"), queryset=_dict_items(DictType.CUSTOMER_GRADE), empty_label=_("All"), widget=QuickSelect
    )
    # Without a status the view leaves deleted customers out.
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Customer.Status.choices, empty_label=_("Normal and lost"), widget=QuickSelect
    )

    class Meta:
        model = Customer
        fields = []
        form = FilterForm

    def search(self, queryset, name, value):
        # Every customer number is "KH" and digits, so a search text starting with "KH" can
        # match a number only at its start: the number's own index finds that directly.
        starts_like_a_number = value[:2].upper() == "KH"
        number = Q(number__startswith=value.upper()) if starts_like_a_number else Q(number__icontains=value)
        return queryset.filter(
            number | Q(name__icontains=value) | Q(phone__icontains=value) | Q(address__icontains=value)
        )


class FollowUpFilter(filters.CrmFilterSet):
    whose = django_filters.ChoiceFilter(
        label=_("Customers"),
        choices=[("all", _("All customers I can see"))],
        empty_label=_("Customers I manage"),
        method="filter_whose",
    )
    customer = django_filters.CharFilter(
        label=_("Customer"), field_name="customer__name", lookup_expr="icontains", widget=_search_widget()
    )
    method = filters.ModelChoiceFilter(
        label=_("Follow-up method"),
        field_name="follow_up_method",
        queryset=_dict_items(DictType.FOLLOW_UP_METHOD),
        empty_label=_("All"),
    )

    class Meta:
        model = Activity
        fields = []
        form = FilterForm

    def filter_whose(self, queryset, name, value):
        return queryset  # the view picks the base queryset from this value


class ChurnFilter(filters.CrmFilterSet):
    customer = django_filters.CharFilter(
        label=_("Customer"), method="filter_customer", widget=_search_widget(_("Number or name"))
    )
    owner = ManagerFilter(label=_("Manager"), field_name="customer__owner")
    # Without a status the view shows the open records.
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ChurnRecord.Status.choices, empty_label=_("Open (warning or postponed)")
    )

    class Meta:
        model = ChurnRecord
        fields = []
        form = FilterForm

    def filter_customer(self, queryset, name, value):
        return queryset.filter(Q(customer__name__icontains=value) | Q(customer__number__icontains=value))
