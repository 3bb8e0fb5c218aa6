"""List filters and id fields that refuse a value of the wrong type.

A filter must either apply the value it was given or say why it cannot: django-filter's own
fields quietly ignore ``?is_active=maybe``, turn ``?customer_id=1.5`` into customer 1, and pass a
number beyond the database's integer range to the query, which then fails (SQLite's
``OverflowError``, PostgreSQL's "out of range"). Every filter set derives from ``CrmFilterSet``
and uses the filter classes below, so a bad value is a form error: a 400 in the API, the form's
message on a page.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework import filters as api_filters
from django_filters.rest_framework.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from rest_framework import exceptions

ID_TYPE = "BigAutoField"  # DEFAULT_AUTO_FIELD: every table's id


def integer_range(internal_type=ID_TYPE):
    """The smallest and largest value the database stores in a column of this integer type."""
    return connection.ops.integer_field_range(internal_type)


def _key_field(model, to_field_name):
    """The integer model field a choice's value is compared with, or None if it is not an integer."""
    field = model._meta.get_field(to_field_name) if to_field_name else model._meta.pk
    while field.is_relation:  # a primary key that is itself a relation
        field = field.target_field
    internal_type = field.get_internal_type()
    return internal_type if internal_type.endswith(("IntegerField", "AutoField")) else None


def in_integer_range(number, internal_type=ID_TYPE):
    low, high = integer_range(internal_type)
    return low <= number <= high


def _checked_key(value, internal_type, error):
    """``value`` as an int inside the column's range, else ``error``: never a failing query."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise error from None
    if not in_integer_range(number, internal_type):
        raise error
    return number


class IdField(forms.IntegerField):
    """A record id: a whole number that a database id column can hold."""

    def __init__(self, *args, **kwargs):
        _low, high = integer_range()
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", high)
        super().__init__(*args, **kwargs)


class IdChoiceMixin:
    """A record chosen by its id; an id no database column could hold is an invalid choice."""

    def to_python(self, value):
        if value not in self.empty_values and not isinstance(value, self.queryset.model):
            internal_type = _key_field(self.queryset.model, self.to_field_name)
            if internal_type and value != getattr(self, "null_value", object()):
                error = ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
                _checked_key(value, internal_type, error)
        return super().to_python(value)


class IdModelChoiceField(IdChoiceMixin, forms.ModelChoiceField):
    """For forms: pickers of a user, a dictionary item, …"""


class FilterModelChoiceField(IdChoiceMixin, filter_fields.ModelChoiceField):
    """For filters (with django-filter's "none" choice)."""


class IdModelMultipleChoiceField(filter_fields.ModelMultipleChoiceField):
    def _check_values(self, value):
        internal_type = _key_field(self.queryset.model, self.to_field_name)
        if internal_type:
            for item in value:
                if item != self.null_value:
                    error = ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                    )
                    _checked_key(item, internal_type, error)
        return super()._check_values(value)


class StrictBooleanField(forms.NullBooleanField):
    """Yes, no or not given; anything else is an error rather than "not given"."""

    TRUE = ("true", "1", "yes", "on")
    FALSE = ("false", "0", "no", "off")
    default_error_messages = {"invalid": _("Enter true or false.")}

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text == "":
            return None
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def boolean_select():
    """A select that hands the field the text as sent, so the field can refuse what it does not know."""
    return forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))])


# The filters every filter set uses ----------------------------------------------------------------


class IdFilter(django_filters.NumberFilter):
    """Records whose ``field_name`` (an id or a relation) is this id."""

    field_class = IdField


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = FilterModelChoiceField


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = IdModelMultipleChoiceField


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", boolean_select())
        super().__init__(*args, **kwargs)


def _integer_filter(field):
    low, high = integer_range(field.get_internal_type())
    return {"min_value": low, "max_value": high}


def _with_filter_class(spec, filter_class):
    return {**spec, "filter_class": filter_class}


# The model field → filter mapping for ``fields = [...]`` and ``filterset_fields``: the strict
# classes in place of django-filter's own.
STRICT_REPLACEMENTS = {
    django_filters.ModelChoiceFilter: ModelChoiceFilter,
    django_filters.ModelMultipleChoiceFilter: ModelMultipleChoiceFilter,
    django_filters.BooleanFilter: BooleanFilter,
    api_filters.BooleanFilter: BooleanFilter,
}
FILTER_DEFAULTS = {
    field: _with_filter_class(spec, STRICT_REPLACEMENTS.get(spec["filter_class"], spec["filter_class"]))
    for field, spec in FILTER_FOR_DBFIELD_DEFAULTS.items()
}
for integer_field in (
    models.AutoField,
    models.SmallIntegerField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
):
    FILTER_DEFAULTS[integer_field] = {"filter_class": IntegerFilter, "extra": _integer_filter}
FILTER_DEFAULTS[models.BigIntegerField] = {"filter_class": IntegerFilter, "extra": _integer_filter}
FILTER_DEFAULTS[models.PositiveBigIntegerField] = {"filter_class": IntegerFilter, "extra": _integer_filter}


class CrmFilterSet(django_filters.FilterSet):
    """The base of every filter set: generated filters are the strict ones above."""

    FILTER_DEFAULTS = FILTER_DEFAULTS


class CrmFilterBackend(DjangoFilterBackend):
    """The API's filter backend: ``filterset_fields`` build a ``CrmFilterSet``.

    An id the database could hold but that names no record (or none the filter offers) matches
    nothing instead of answering 400: it is a well-formed id, as the schema says, that finds no
    row. Any other invalid value, a number no id column can hold included, is still a 400.
    """

    filterset_base = CrmFilterSet

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        empty = _empty_typed_values(filterset, request.query_params)
        if empty:
            raise exceptions.ValidationError(empty)
        if not filterset.is_valid():
            unknown = _unknown_ids(filterset)
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

    def get_schema_operation_parameters(self, view):
        """Id filters say which numbers an id column holds, so a client knows what is a 400."""
        parameters = super().get_schema_operation_parameters(view)
        low, high = integer_range()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            target = schema.get("items", schema)
            if target.get("type") == "integer":
                target.setdefault("minimum", low)
                target.setdefault("maximum", high)
        return parameters


def _empty_typed_values(filterset, params):
    """Errors for a typed filter (a date, a choice, a number, an id) given as an empty value: the
    API's schema says what each takes, and "nothing" is not one of them (leave it out instead).
    Pages send empty fields for filters left blank; this is the API's rule only."""
    errors = {}
    for name, filter_ in filterset.filters.items():
        if isinstance(filter_.field, forms.CharField) or name not in params:
            continue
        if any(value == "" for value in params.getlist(name)):
            errors[name] = [_("Give a value, or leave this parameter out.")]
    return errors


def _unknown_ids(filterset):
    """``{filter name: ids naming no record}`` when those are the only errors, else None."""
    form = filterset.form
    unknown = {}
    for name, errors in form.errors.as_data().items():
        field = form.fields.get(name)
        if not isinstance(field, forms.ModelChoiceField) or any(e.code != "invalid_choice" for e in errors):
            return None
        values = form.data.getlist(name)
        internal_type = _key_field(field.queryset.model, field.to_field_name)
        if internal_type is None:
            return None
        numbers = []
        for value in values:
            try:
                numbers.append(_checked_key(value, internal_type, ValueError()))
            except ValueError:
                return None  # not a whole number, or one no id column holds: a real error
        key = field.to_field_name or "pk"
        known = set(field.queryset.filter(**{f"{key}__in": numbers}).values_list(key, flat=True))
        unknown[name] = {value for value, number in zip(values, numbers, strict=True) if number not in known}
    return unknown
