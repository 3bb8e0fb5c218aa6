"""Operation log (操作记录) of one record, for a user who may see that record."""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
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
        .select_related("actor")
        .order_by("-timestamp", "-pk")
    )
    return record, entries
