"""API settings classes, kept apart from crm.core.api because DRF imports them while importing
its own views (importing crm.core.api at that moment would be circular)."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, pagination, permissions


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


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, except that an id naming no record (or none the filter offers)
    matches nothing instead of answering 400: it is a well-formed id, as the schema says, that
    finds no row. Any other invalid value is still a 400."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            unknown = self._unknown_ids(filterset)
            if unknown is None:
                raise utils.translate_validation(filterset.errors)
            data = filterset.data.copy()
            for name, values in unknown.items():
                kept = [value for value in data.getlist(name) if value not in values]
                if not kept:
                    return queryset.none()
                data.setlist(name, kept)
            filterset = type(filterset)(data=data, queryset=queryset, request=request)
            if not filterset.is_valid():
                raise utils.translate_validation(filterset.errors)
        return filterset.qs

    @staticmethod
    def _unknown_ids(filterset):
        """``{filter name: ids naming no record}`` when those are the only errors, else None."""
        form = filterset.form
        unknown = {}
        for name, errors in form.errors.as_data().items():
            field = form.fields.get(name)
            if not isinstance(field, forms.ModelChoiceField) or any(e.code != "invalid_choice" for e in errors):
                return None
            values = form.data.getlist(name)
            if not all(ID.fullmatch(value) for value in values):
                return None
            # A number no database key can hold names no record either; it is not looked up.
            keys = [int(value) for value in values if abs(int(value)) <= LARGEST_KEY]
            known = {str(pk) for pk in field.queryset.filter(pk__in=keys).values_list("pk", flat=True)}
            unknown[name] = {value for value in values if str(int(value)) not in known}
        return unknown


ID = re.compile(r"-?[0-9]+")
LARGEST_KEY = 2**63 - 1
