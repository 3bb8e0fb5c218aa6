"""API settings classes, kept apart from crm.core.api because DRF imports them while importing
its own views (importing crm.core.api at that moment would be circular)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, pagination, parsers, permissions
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
    """``?page=`` and ``?page_size=``, each a whole number from 1: a page past the last one answers
    404, a page size that is not a whole number 400 (rather than being silently replaced)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()
    page_query_description = gettext_lazy("A page number from 1; a page past the last one answers 404.")
    page_size_query_description = gettext_lazy("Results per page, from 1; more than 200 gives 200.")

    def get_page_number(self, request, paginator):
        value = self._one_value(request, self.page_query_param)
        return 1 if value is None else value  # an empty or other non-number page is InvalidPage: 404

    def get_page_size(self, request):
        value = self._one_value(request, self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isascii() or not value.isdigit() or int(value) < 1:
            raise exceptions.ValidationError({self.page_size_query_param: [_("Enter a whole number from 1.")]})
        return min(int(value), self.max_page_size)

    def _one_value(self, request, name):
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise exceptions.ValidationError({name: [_("Give this parameter once.")]})
        return values[0] if values else None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering a body nested too deeply for Python's json module with 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the document is nested too deeply."))
