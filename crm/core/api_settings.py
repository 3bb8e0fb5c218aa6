"""API settings classes, kept apart from crm.core.api because DRF imports them while importing
its own views (importing crm.core.api at that moment would be circular)."""

from django.utils.translation import gettext as _
from rest_framework import pagination, parsers, permissions
from rest_framework.exceptions import ParseError


class RolePermissions(permissions.DjangoModelPermissions):
    """Role-based operation permissions; reading needs the model's view permission too."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }

    def has_permission(self, request, view):
        # Views without a model queryset (actions, reports) declare ``required_permissions``.
        required = getattr(view, "required_permissions", None)
        if required is not None:
            return request.user.is_authenticated and request.user.has_perms(required)
        return super().has_permission(request, view)


class StandardPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering a body nested too deeply for Python's json module with 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the document is nested too deeply."))
