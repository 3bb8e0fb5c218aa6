"""Optimistic concurrency: an edit names the version it started from; a stale one is refused."""

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


def save_versioned(instance, *, expected_version, update_fields=None):
    """Save ``instance`` only if its row still has ``expected_version``; bump the version.

    Runs inside the caller's ``transaction.atomic``: the row is locked first, so of two
    concurrent saves made from the same version exactly one succeeds. Saving through
    ``save()`` keeps the model's signals (and so the operation log) working.
    """
    stored = lock(instance)
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise StaleEditError() from None
    if stored is None or stored != expected:
        raise StaleEditError()
    instance.version = stored + 1
    if update_fields is not None:
        update_fields = {*update_fields, "version"}
        if any(f.name == "updated_at" for f in type(instance)._meta.fields):
            update_fields.add("updated_at")
    instance.save(update_fields=update_fields)
    return instance
