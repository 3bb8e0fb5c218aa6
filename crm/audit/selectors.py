"""Operation log (操作记录) of one record, for a user who may see that record."""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404


def logged_model(label):
    """The model for "app_label.model_name" if the operation log covers it, else 404."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not auditlog.contains(model):
        raise Http404
    return model


def log_for(user, model, pk):
    """The record's log entries, newest first; 404 unless the user may view the record.

    Records with an owner are looked up through their data scope, so a record outside the
    user's scope has no visible log either. A deleted record's log is open to those who may
    view the model, except for owned records, whose scope can no longer be checked.
    """
    meta = model._meta
    if not user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
        raise Http404
    queryset = model._default_manager.all()
    if hasattr(queryset, "visible_to") and not queryset.visible_to(user).filter(pk=pk).exists():
        raise Http404
    record = queryset.filter(pk=pk).first()
    entries = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_pk=str(pk))
        .select_related("actor", "content_type")  # the change display reads the content type
        .order_by("-timestamp", "-pk")
    )
    return record, entries


def _field_label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _shown(value):
    return "" if value in (None, "None") else value


def change_rows(entry):
    """An entry's changes as ``[(field label, old, new)]`` for display.

    A many-to-many change (roles of a user, permissions of a role) is stored as the objects
    added or removed; it reads as removed → added.
    """
    model = entry.content_type.model_class()
    rows, many_to_many = [], set()
    for name, value in entry.changes_dict.items():
        if isinstance(value, dict) and value.get("type") == "m2m":
            label = _field_label(model, name)
            many_to_many.add(label)
            objects = ", ".join(str(o) for o in value.get("objects", []))
            removed = objects if value.get("operation") == "delete" else ""
            added = objects if value.get("operation") == "add" else ""
            rows.append((label, removed, added))
    for label, values in entry.changes_display_dict.items():
        if str(label) not in many_to_many and len(values) == 2:
            rows.append((str(label), _shown(values[0]), _shown(values[1])))
    return rows
