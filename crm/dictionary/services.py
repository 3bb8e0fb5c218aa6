"""Changes to the data dictionary. System items (not editable) are never changed or deleted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from crm.core.concurrency import save_versioned

from .models import DictItem


def _clean(dict_type, label, value):
    dict_type, label, value = (dict_type or "").strip(), (label or "").strip(), (value or "").strip()
    errors = {}
    for field, text in (("dict_type", dict_type), ("label", label), ("value", value)):
        if not text:
            errors[field] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    return dict_type, label, value


def _check_unique(dict_type, label, value, exclude_pk=None):
    same_type = DictItem.objects.filter(dict_type=dict_type).exclude(pk=exclude_pk)
    errors = {}
    if same_type.filter(value=value).exists():
        errors["value"] = _("This type already has an item with this value.")
    if same_type.filter(label=label).exists():
        errors["label"] = _("This type already has an item with this label.")
    if errors:
        raise ValidationError(errors)


def _check_editable(item):
    if not item.editable:
        raise ValidationError(_("This is a system item; it cannot be changed or deleted."))


@transaction.atomic
def create_item(*, dict_type, label, value, sort_order=0, is_active=True, by=None):
    dict_type, label, value = _clean(dict_type, label, value)
    _check_unique(dict_type, label, value)
    return DictItem.objects.create(
        dict_type=dict_type, label=label, value=value, sort_order=sort_order, is_active=is_active, editable=True
    )


@transaction.atomic
def update_item(item, *, expected_version, dict_type, label, value, sort_order=0, is_active=True, by=None):
    _check_editable(item)
    dict_type, label, value = _clean(dict_type, label, value)
    _check_unique(dict_type, label, value, exclude_pk=item.pk)
    item.dict_type, item.label, item.value, item.sort_order, item.is_active = (
        dict_type,
        label,
        value,
        sort_order,
        is_active,
    )
    return save_versioned(item, expected_version=expected_version)


@transaction.atomic
def set_item_active(item, *, active, by=None):
    _check_editable(item)
    item.is_active = active
    item.save(update_fields=["is_active", "updated_at"])
    return item


def delete_item(item, *, by=None):
    _check_editable(item)
    try:
        with transaction.atomic():
            item.delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError(
            _("This item is in use by existing records and cannot be deleted. Disable it instead.")
        ) from None


def known_types():
    return list(DictItem.objects.order_by("dict_type").values_list("dict_type", flat=True).distinct())
