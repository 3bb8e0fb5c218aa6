"""REST API building blocks: permissions, pagination, one error format, scoped viewsets.

Every error answers ``{"code": ..., "message": ..., "errors": {field: [messages]}}``.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, JsonResponse, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .filters import in_integer_range, integer_range


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


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record by its id. A number no id column can hold does not exist, rather than
    failing in the database, and a value that is not a whole number (``1.5``, ``true``) is the
    wrong type rather than rounded to another record."""

    def to_internal_value(self, data):
        if self.pk_field is None:
            if isinstance(data, bool) or not isinstance(data, (int, str)) or not str(data).strip().isdigit():
                self.fail("incorrect_type", data_type=type(data).__name__)
            if not in_integer_range(int(data)):
                self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.INT)
class OfferedUserField(IdRelatedField):
    """A user among those ``choices(caller)`` offers, as the page's picker does (a new owner or
    assignee); any other id is refused without saying who it is."""

    default_error_messages = {
        "does_not_exist": gettext_lazy(
            "User {pk_value} cannot be chosen: they are disabled, outside your scope or may not take on this record."
        )
    }

    def __init__(self, choices, **kwargs):
        self.choices_for = choices
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.choices_for(self.context["request"].user)


class IdField(serializers.IntegerField):
    """A record id given as a plain number: a whole number an id column can hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", integer_range()[1])
        super().__init__(**kwargs)


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
    "boolean": gettext_lazy("Enter true or false."),
    "integer": gettext_lazy("Enter a whole number."),
    "number": gettext_lazy("Enter a number."),
    "string": gettext_lazy("Enter text."),
    "array": gettext_lazy("Enter a list."),
    "object": gettext_lazy("Enter an object."),
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
    """The base of the API's model serializers: JSON of the schema's types, and generated
    relations are ``IdRelatedField``s."""

    serializer_related_field = IdRelatedField


def page_not_found(request, exception=None):
    """``handler404``: an unknown API address answers in the API's error format, other
    addresses get the site's 404 page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": _("Not found."), "errors": {}}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    """``handler400``: a request Django refuses before any view (a body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``, a disallowed host, …) answers in the API's error format under
    ``/api/``; other addresses get the site's 400 page."""
    if not request.path_info.startswith("/api/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        message = _("The request body is too large (at most %(size)d MB).") % {
            "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        }
        return JsonResponse({"code": "request_too_large", "message": message, "errors": {}}, status=413)
    return JsonResponse({"code": "bad_request", "message": _("Bad request."), "errors": {}}, status=400)


def action_response(serializer_class, instance, request, status=200):
    return Response(serializer_class(instance, context={"request": request}).data, status=status)
