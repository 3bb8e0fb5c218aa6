from django import template
from django.utils.html import format_html
from django.utils.http import urlencode

register = template.Library()


@register.filter
def badge_for(item, user):
    return item.badge(user) if item.badge else 0


@register.simple_tag(takes_context=True)
def sort_header(context, column):
    """A column header that toggles server-side sorting, keeping the other query parameters."""
    if not column.sort:
        return column.label
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    if current == column.sort:
        params["sort"], icon = f"-{column.sort}", "bi-sort-up"
    elif current == f"-{column.sort}":
        params["sort"], icon = column.sort, "bi-sort-down"
    else:
        params["sort"], icon = column.sort, "bi-arrow-down-up text-muted opacity-50"
    return format_html(
        '<a class="crm-sort" href="?{}" hx-get="?{}" hx-target="#list-results" hx-push-url="true">'
        '{} <i class="bi {}"></i></a>',
        params.urlencode(),
        params.urlencode(),
        column.label,
        icon,
    )


@register.simple_tag(takes_context=True)
def page_url(context, number):
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.filter
def stars(value, maximum=5):
    """Render a 1–5 rating as stars."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return ""
    return format_html(
        '<span class="crm-stars" title="{}/{}">{}{}</span>', value, maximum, "★" * value, "☆" * (maximum - value)
    )


@register.simple_tag
def qs(**kwargs):
    return urlencode({k: v for k, v in kwargs.items() if v not in (None, "")})


@register.simple_tag
def page_numbers(page):
    """Page numbers around the current page, with ellipses (Django's elided range needs the number)."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


@register.filter
def badge_class(value, mapping):
    """The badge colour of a status: ``{{ status|badge_class:"new=text-bg-primary archived=text-bg-secondary" }}``.

    A status not listed gets the ``*=…`` entry, or else a light badge.
    """
    classes = dict(pair.split("=", 1) for pair in mapping.split())
    return classes.get(str(value), classes.get("*", "text-bg-light border"))
