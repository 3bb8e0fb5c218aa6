"""The OpenAPI schema's view of the API: every answer an operation can give is documented.

``CrmAutoSchema`` (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``) adds the API's error responses
(``{"code", "message", "errors"}``, the ``Error`` component, produced by
``crm.core.api.exception_handler``) to every operation, derived from the view rather than
declared per view:

- 400 when the operation takes input (a request body, or query parameters: filters, search,
  ordering, pagination, a report's options) or changes data (a service's rule can refuse it);
- 401 when the view authenticates (a missing, wrong or expired token or session);
- 403 when a permission class can refuse, or session authentication checks the CSRF token of a
  write;
- 404 when the address names a record (a path parameter), and on paginated lists (a page past
  the last one);
- 413 and 415 when the operation takes a request body (larger than the upload limit; not JSON);
- 429 when the view is throttled.

An operation that declares one of these codes itself (``@extend_schema(responses=…)``) keeps its
own description. Operations a ``ServiceModelViewSet`` does not implement (it answers 405 to them)
are left out of the schema.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_view_model
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication

from .filters import CrmFilterBackend, integer_range


class ErrorSerializer(serializers.Serializer):
    """The API's one error shape."""

    code = serializers.CharField(
        help_text="A stable code: invalid, not_authenticated, authentication_failed, permission_denied, "
        "not_found, method_not_allowed, too_large, throttled, …"
    )
    message = serializers.CharField(help_text="A sentence for people, in the caller's language.")
    errors = serializers.DictField(
        help_text="For invalid input: the messages per field (non_field_errors for the request as a whole)."
    )

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    400: _("The input is not valid, or a rule refuses it; `errors` names the fields."),
    401: _("Not signed in, or the token or session is not valid."),
    403: _("The caller lacks the permission, or the CSRF token of a session write is missing."),
    404: _("No such record in the caller's scope, or no such page."),
    413: _("The request body is larger than the upload limit."),
    415: _("The request body is not JSON."),
    429: _("Too many requests; try again later."),
}

# The actions a ServiceModelViewSet implements through a method of its own; without it they
# answer 405 and are not part of the API.
SERVICE_ACTIONS = {
    "create": "create_object",
    "update": "update_object",
    "partial_update": "update_object",
    "destroy": "destroy_object",
}


class CrmAutoSchema(AutoSchema):
    def is_excluded(self):
        from crm.core.api import ServiceModelViewSet  # crm.core.api imports DRF's views: load it late

        view = self.view
        method = SERVICE_ACTIONS.get(getattr(view, "action", None))
        unimplemented = (
            method is not None
            and isinstance(view, ServiceModelViewSet)
            and getattr(type(view), method) is getattr(ServiceModelViewSet, method)
        )
        return unimplemented or super().is_excluded()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in self.error_statuses():
            if str(status) not in responses:
                response = self._get_response_for_code(ErrorSerializer, str(status), direction=direction)
                response["description"] = str(ERROR_DESCRIPTIONS[status])
                responses[str(status)] = response
        return dict(sorted(responses.items()))

    def error_statuses(self):
        """The error codes this operation can answer, read from its view."""
        view = self.view
        statuses = set()
        takes_body = self.method in ("POST", "PUT", "PATCH") and self._get_request_body() is not None
        writes = self.method not in permissions.SAFE_METHODS  # a service rule can refuse any change
        if writes or takes_body or self._get_parameters_in("query"):
            statuses.add(400)
        if takes_body:
            statuses.update((413, 415))
        authenticators = view.get_authenticators()
        if authenticators:
            statuses.add(401)
        refusing = [p for p in view.get_permissions() if not isinstance(p, permissions.AllowAny)]
        csrf = self.method not in permissions.SAFE_METHODS and any(
            isinstance(a, SessionAuthentication) for a in authenticators
        )
        if refusing or csrf:
            statuses.add(403)
        if self._get_parameters_in("path") or (self._is_list_view() and self._get_paginator() is not None):
            statuses.add(404)
        if view.get_throttles():
            statuses.add(429)
        return sorted(statuses)

    def _get_parameters(self):
        parameters = super()._get_parameters()
        bounds = self._integer_filter_bounds()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            target = schema.get("items", schema)
            if parameter.get("in") == "query" and target.get("type") == "integer" and parameter["name"] in bounds:
                # The numbers the filter takes: beyond them (an id no column holds) is a 400.
                low, high = bounds[parameter["name"]]
                target.setdefault("minimum", low)
                target.setdefault("maximum", high)
            text = schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema)
            if parameter.get("in") == "query" and text and parameter["name"] != "ordering":
                # Django's and DRF's text fields refuse a NUL character (400); say so.
                schema["pattern"] = "^[^\\x00]*$"
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, serializers.DecimalField) and schema.get("type") == "string":
            # DRF reads a decimal from a JSON number as well as from the string it answers with.
            return {"anyOf": [schema, {"type": "number"}]}
        return schema

    def _get_parameters_in(self, location):
        return [p for p in self._get_parameters() if p.get("in") == location]

    def _integer_filter_bounds(self):
        """``{parameter: (lowest, highest)}`` of the view's integer and id filters."""
        filterset_class = None
        for backend in getattr(self.view, "filter_backends", []):
            if isinstance(backend(), CrmFilterBackend):
                model = get_view_model(self.view)
                queryset = model._default_manager.none() if model is not None else None
                try:
                    filterset_class = backend().get_filterset_class(self.view, queryset)
                except AssertionError:
                    filterset_class = None
        if filterset_class is None:
            return {}
        low, high = integer_range()
        bounds = {}
        for name, filter_ in filterset_class.base_filters.items():
            field = filter_.field
            if isinstance(field, forms.ModelChoiceField):
                bounds[name] = (low, high)
            elif isinstance(field, forms.IntegerField):
                bounds[name] = (
                    low if field.min_value is None else field.min_value,
                    high if field.max_value is None else field.max_value,
                )
        return bounds
