"""REST API building blocks: permissions, pagination, one error format, scoped viewsets.

Every error answers ``{"code": ..., "message": ..., "errors": {field: [messages]}}``.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, JsonResponse, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import defaults
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _validation_errors(error):
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in error.error_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_validation_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        first = next(iter(errors.values()), [""])
        message = first[0] if isinstance(first, list) and first else str(first)
        body = {"code": "invalid", "message": str(message), "errors": errors}
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        body = {"code": getattr(detail, "code", exc.default_code), "message": str(detail), "errors": {}}
    response.data = body
    return response


class ServiceModelViewSet(viewsets.ModelViewSet):
    """A model viewset whose reads are scoped and whose writes go through services.

    Subclasses implement ``create_object(data)``, ``update_object(instance, data)`` and
    ``destroy_object(instance)`` by calling the app's service functions, which raise Django's
    ValidationError on a broken rule. ``data`` is the serializer's validated data.
    """

    required_permissions = None  # set per @action; None means the model permissions apply

    def get_queryset(self):
        queryset = super().get_queryset()
        if hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(self.request.user)
        return queryset

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.instance = self.create_object(serializer.validated_data)

    def perform_update(self, serializer):
        # Without the version the client read, a concurrent edit could not be detected.
        if "version" in serializer.fields and serializer.validated_data.get("version") is None:
            raise exceptions.ValidationError(
                {"version": [_("Send the version of the record you read; it detects concurrent edits.")]}
            )
        with transaction.atomic():
            serializer.instance = self.update_object(serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.destroy_object(instance)

    def create_object(self, data):
        raise exceptions.MethodNotAllowed("POST")

    def update_object(self, instance, data):
        raise exceptions.MethodNotAllowed("PUT")

    def destroy_object(self, instance):
        raise exceptions.MethodNotAllowed("DELETE")


def expected_json_type(field):
    """The JSON type the schema gives ``field``'s input, or None when it says nothing narrower."""
    if isinstance(field, serializers.BooleanField):
        return "boolean"
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return "integer"
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return "number"  # a decimal may also be sent as a string, as it is answered
    if isinstance(field, serializers.ManyRelatedField | serializers.ListField | serializers.MultipleChoiceField):
        return "array"
    if isinstance(field, serializers.ChoiceField):
        kinds = {type(key) for key in field.choices}
        return "string" if kinds == {str} else "integer" if kinds == {int} else None
    if isinstance(
        field,
        serializers.CharField
        | serializers.DateField
        | serializers.DateTimeField
        | serializers.TimeField
        | serializers.RelatedField,
    ):
        return "string"
    if isinstance(field, serializers.DictField | serializers.Serializer):
        return "object"
    return None


def _has_json_type(value, kind, field):
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        decimal_text = isinstance(field, serializers.DecimalField) and isinstance(value, str)
        return decimal_text or (isinstance(value, int | float) and not isinstance(value, bool))
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    return isinstance(value, dict)


JSON_TYPE_MESSAGES = {
    "boolean": _lazy("Enter true or false."),
    "integer": _lazy("Enter a whole number."),
    "number": _lazy("Enter a number."),
    "string": _lazy("Enter text."),
    "array": _lazy("Enter a list."),
    "object": _lazy("Enter an object."),
}


def json_type_errors(field, value):
    """The messages for ``value`` (parsed JSON) when it is not the type the schema gives ``field``.

    DRF converts leniently (``0`` for ``false``, ``5`` for ``"5"``, an object's keys for a list);
    the API accepts what its schema says, no more. ``null`` is left to the field's ``allow_null``.
    """
    kind = expected_json_type(field)
    if value is None or kind is None:
        return []
    if not _has_json_type(value, kind, field):
        return [str(JSON_TYPE_MESSAGES[kind])]
    child = getattr(field, "child_relation", None) or getattr(field, "child", None)
    if kind == "array" and child is not None:
        return sorted({message for item in value for message in json_type_errors(child, item)})
    return []


class StrictJsonMixin:
    """Refuses a JSON body whose values are not the types the schema gives them."""

    def to_internal_value(self, data):
        wrong_types = {}
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            for field in self._writable_fields:
                messages = json_type_errors(field, data.get(field.field_name))
                if messages:
                    wrong_types[field.field_name] = messages
        try:
            value = super().to_internal_value(data)
        except exceptions.ValidationError as error:
            if not wrong_types or not isinstance(error.detail, dict):
                raise
            raise exceptions.ValidationError({**error.detail, **wrong_types}) from error
        if wrong_types:
            raise exceptions.ValidationError(wrong_types)
        return value


class Serializer(StrictJsonMixin, serializers.Serializer):
    pass


class ModelSerializer(StrictJsonMixin, serializers.ModelSerializer):
    pass


def page_not_found(request, exception=None):
    """``handler404``: an unknown API address answers in the API's error format, other
    addresses get the site's 404 page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": _("Not found."), "errors": {}}, status=404)
    return defaults.page_not_found(request, exception)


def action_response(serializer_class, instance, request, status=200):
    return Response(serializer_class(instance, context={"request": request}).data, status=status)
