"""Optimistic concurrency: an edit names the version it started from; a stale one is refused.

Every change to a versioned record goes through here: ``lock_row`` locks it, ``bump`` saves the
changed fields with the next version, ``save_versioned`` does both after checking the version
the editor started from.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "Someone else changed this record while you were editing it. "
    "Reload the page to see their changes, then make yours again."
)


class StaleEditError(ValidationError):
    def __init__(self):
        super().__init__(STALE_MESSAGE, code="stale")


def lock(instance):
    """Lock the record's row for the rest of the transaction and return its stored version."""
    model = type(instance)
    return model._default_manager.select_for_update().filter(pk=instance.pk).values_list("version", flat=True).first()


def lock_row(instance, *, missing_message=None, queryset=None):
    """The record's row, freshly read and locked for the rest of the transaction.

    Raises ``ValidationError(missing_message)`` when it no longer exists (``DoesNotExist``
    without a message).
    """
    queryset = queryset if queryset is not None else type(instance)._default_manager.all()
    try:
        return queryset.select_for_update().get(pk=instance.pk)
    except queryset.model.DoesNotExist:
        if missing_message is None:
            raise
        raise ValidationError(missing_message) from None


def check_version(stored, expected_version):
    """Refuse (``StaleEditError``) unless ``expected_version`` is the stored version."""
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise StaleEditError() from None
    if stored is None or stored != expected:
        raise StaleEditError()


def _update_fields(instance, fields):
    fields = {*fields, "version"}
    if any(f.name == "updated_at" for f in type(instance)._meta.fields):
        fields.add("updated_at")
    return fields


def bump(instance, fields):
    """Save ``fields`` of a locked ``instance`` with the next version (and ``updated_at``).

    The caller holds the row lock (``lock_row``) inside its transaction. Saving through
    ``save()`` keeps the model's signals (and so the operation log) working.
    """
    instance.version += 1
    instance.save(update_fields=_update_fields(instance, fields))
    return instance


def save_versioned(instance, *, expected_version, update_fields=None):
    """Save ``instance`` only if its row still has ``expected_version``; bump the version.

    Runs inside the caller's ``transaction.atomic``: the row is locked first, so of two
    concurrent saves made from the same version exactly one succeeds.
    """
    stored = lock(instance)
    check_version(stored, expected_version)
    instance.version = stored + 1
    instance.save(update_fields=_update_fields(instance, update_fields) if update_fields is not None else None)
    return instance
