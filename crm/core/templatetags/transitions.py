"""``{% can obj "action" as ok %}``: the page asks the record's workflow, as the service does."""

from django import template

from crm.core.transitions import can as decide

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, obj, action):
    """The ``Decision`` for the current user: true when allowed, ``.reason`` when refused."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return decide(user, obj, action)
