"""REST API building blocks: permissions, pagination, one error format, scoped viewsets.

Every error answers ``{"code": ..., "message": ..., "errors": {field: [messages]}}``.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
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


class ModelSerializer(serializers.ModelSerializer):
    """The base of the API's model serializers: generated relations are ``IdRelatedField``s."""

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
