import datetime
from decimal import Decimal

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html

from crm.reports.tables import Link

register = template.Library()


@register.filter
def cell(value):
    """A report cell as the page shows it: money with two decimals, counts grouped, links."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Link):
        return format_html('<a href="{}">{}</a>', value.url, value.text)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, datetime.date):
        return date_format(value, "Y-m-d")
    return value


@register.simple_tag
def column_align(columns, index):
    return columns[index].align


@register.filter
def amount(value):
    """Money grouped by thousands in every language; cents only when there are any."""
    if value is None:
        return "—"
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
