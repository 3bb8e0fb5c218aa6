"""Monthly sales targets (销售目标): setting a subject's year of targets, and the grid of a year.

A subject is one employee or one department; its year is twelve ``SalesTarget`` rows at most,
one per month that has a target. An administrator edits the twelve months of one subject at
once, so the unit of an edit is the subject's year, not one row.

Concurrent edits: a subject's year spans up to twelve rows, some of which do not exist yet, so
no single row's ``version`` covers what the form showed. The form therefore carries a
fingerprint of the stored rows (each month's row id and version): any save in between changes a
version, adds a row or removes one, and so changes the fingerprint, even when it restored the
same figures. ``set_targets`` locks the subject's own row first, so two saves of the same subject
run one after the other; the second finds the fingerprint changed and is refused with the
same message as every other stale edit (``core.concurrency``).
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from crm.accounts.models import Department
from crm.accounts.scope import departments_visible_to, users_visible_to
from crm.core.concurrency import StaleEditError, bump

from .models import MONEY, SalesTarget
from .periods import FIRST_YEAR, LAST_YEAR

VIEW = "reports.view_salestarget"
CHANGE = "reports.change_salestarget"

# Targets are planned for the company's own era, the years the reports cover.
MIN_YEAR = FIRST_YEAR
MAX_YEAR = LAST_YEAR

USER = "user"
DEPARTMENT = "department"
KINDS = (USER, DEPARTMENT)


def month_key(month):
    """The error key of one month (``m1`` … ``m12``); the edit form names its fields the same."""
    return f"m{month}"


def kind_of(subject):
    if isinstance(subject, get_user_model()):
        return USER
    if isinstance(subject, Department):
        return DEPARTMENT
    raise TypeError(f"A sales target belongs to a user or a department, not {type(subject).__name__}.")


def _subject_filter(subject):
    return {kind_of(subject): subject}


def _year_range(year):
    return {"month__gte": datetime.date(year, 1, 1), "month__lte": datetime.date(year, 12, 1)}


def check_year(year):
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("Choose a year between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}, code="year"
        )


def fingerprint(rows):
    """A short digest of stored rows given as ``(month, id, version)`` tuples."""
    canonical = ";".join(f"{month:%m}:{pk}:{version}" for month, pk, version in sorted(rows))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


# Reads -------------------------------------------------------------------------------------------


@dataclass
class SubjectTargets:
    """One subject's year: twelve amounts (``None`` where no target is set) and its fingerprint."""

    subject: object
    year: int
    amounts: list
    fingerprint: str

    @property
    def kind(self):
        return kind_of(self.subject)


def subject_targets(*, subject, year):
    """The stored targets of one subject and year, in one query."""
    rows = list(
        SalesTarget.objects.filter(**_subject_filter(subject), **_year_range(year)).values_list(
            "month", "pk", "version", "amount"
        )
    )
    amounts = [None] * 12
    for month, _pk, _version, amount in rows:
        amounts[month.month - 1] = amount
    return SubjectTargets(subject, year, amounts, fingerprint([row[:3] for row in rows]))


@dataclass
class TargetRow:
    subject: object
    amounts: list  # twelve amounts, None where no target is set
    total: Decimal | None  # None when no month has a target
    depth: int = 0  # a department's level in the tree, for indenting

    @property
    def kind(self):
        return kind_of(self.subject)


@dataclass
class TargetGrid:
    year: int
    departments: list = field(default_factory=list)
    users: list = field(default_factory=list)


def _with_year(queryset, subject_field, year):
    """Annotate ``m1`` … ``m12`` and ``year_total`` from the subject's targets (index lookups)."""
    targets = SalesTarget.objects.filter(**{subject_field: OuterRef("pk")})
    money = DecimalField(**MONEY)
    months = {
        month_key(m): Subquery(targets.filter(month=datetime.date(year, m, 1)).values("amount")[:1], output_field=money)
        for m in range(1, 13)
    }
    total = Subquery(
        targets.filter(**_year_range(year)).order_by().values(subject_field).annotate(s=Sum("amount")).values("s"),
        output_field=money,
    )
    return queryset.annotate(**months, year_total=total)


def _row(subject, depth=0):
    return TargetRow(subject, [getattr(subject, month_key(m)) for m in range(1, 13)], subject.year_total, depth=depth)


def _tree_order(departments):
    """Departments depth first, siblings in their sort order, each with its depth."""
    children = {}
    for department in departments:  # already in sort order (Department.Meta.ordering)
        children.setdefault(department.parent_id, []).append(department)
    ordered, stack = [], [(d, 0) for d in reversed(children.get(None, []))]
    while stack:
        department, depth = stack.pop()
        ordered.append((department, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(department.pk, [])))
    return ordered


def subjects_for(viewer, kind, *, active_only=False):
    """The employees or departments whose targets ``viewer`` may see and set: those in their data
    scope, by the rule ``SalesTarget.objects.visible_to`` follows."""
    if kind == USER:
        users = get_user_model().objects.filter(is_active=True) if active_only else None
        return users_visible_to(viewer, users)
    return departments_visible_to(viewer)


def target_grid(*, year, viewer):
    """Every department (in tree order) and every active employee in ``viewer``'s scope with
    their year: two queries."""
    check_year(year)
    departments = _tree_order(list(_with_year(subjects_for(viewer, DEPARTMENT), "department", year)))
    position = {department.pk: index for index, (department, _depth) in enumerate(departments)}
    users = _with_year(subjects_for(viewer, USER, active_only=True).select_related("department"), "user", year)
    users = users.order_by("username")
    # Employees follow the department tree; those without a department come last.
    users = sorted(users, key=lambda u: position.get(u.department_id, len(position)))
    return TargetGrid(
        year=year,
        departments=[_row(department, depth) for department, depth in departments],
        users=[_row(user) for user in users],
    )


# Changes -----------------------------------------------------------------------------------------


def clean_amounts(amounts):
    """The twelve amounts as Decimals (None kept); errors keyed by month (``m1`` … ``m12``)."""
    if len(amounts) != 12:
        raise ValueError("Give twelve monthly amounts, None for a month without a target.")
    validator = DecimalValidator(**MONEY)
    cleaned, errors = [], {}
    for index, amount in enumerate(amounts):
        month = index + 1
        if amount is None:
            cleaned.append(None)
            continue
        try:
            amount = Decimal(amount)
            if not amount.is_finite():
                raise InvalidOperation
        except (InvalidOperation, TypeError, ValueError):
            errors[month_key(month)] = _("%(month)s: enter an amount.") % {"month": MONTHS[month]}
            cleaned.append(None)
            continue
        if amount < 0:
            errors[month_key(month)] = _("%(month)s: a target cannot be negative.") % {"month": MONTHS[month]}
        else:
            try:
                validator(amount)
            except ValidationError:
                errors[month_key(month)] = _(
                    "%(month)s: enter an amount below one trillion with at most two decimal places."
                ) % {"month": MONTHS[month]}
        cleaned.append(amount)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _lock_subject(subject):
    """The subject's row, locked: saves of one subject's targets run one after the other."""
    model = type(subject)
    try:
        return model._default_manager.select_for_update().get(pk=subject.pk)
    except model.DoesNotExist:
        raise ValidationError(_("This employee or department no longer exists.")) from None


@transaction.atomic
def set_targets(*, subject, year, amounts, by, expected_fingerprint=None):
    """Store one subject's twelve monthly targets for ``year``; ``None`` removes a month's target.

    ``expected_fingerprint`` is ``SubjectTargets.fingerprint`` as the editor saw it; when given and
    the stored targets changed since, the save is refused with ``StaleEditError``. Returns the
    subject's targets as stored now.
    """
    kind_of(subject)
    if by is not None and not by.has_perm(CHANGE):
        raise ValidationError(_("You may not change sales targets."))
    check_year(year)
    cleaned = clean_amounts(list(amounts))
    subject = _lock_subject(subject)
    if kind_of(subject) == USER and not subject.is_active:
        raise ValidationError(
            _("%(name)s is disabled; sales targets can be set for active employees only.")
            % {"name": subject.display_name}
        )
    if by is not None and not subjects_for(by, kind_of(subject)).filter(pk=subject.pk).exists():
        raise ValidationError(_("%(name)s is outside your data scope.") % {"name": subject})
    stored = {t.month.month: t for t in SalesTarget.objects.filter(**_subject_filter(subject), **_year_range(year))}
    current = fingerprint([(t.month, t.pk, t.version) for t in stored.values()])
    if expected_fingerprint is not None and expected_fingerprint != current:
        raise StaleEditError()
    for month, amount in enumerate(cleaned, start=1):
        target = stored.get(month)
        if amount is None:
            if target is not None:
                target.delete()
        elif target is None:
            SalesTarget.objects.create(**_subject_filter(subject), month=datetime.date(year, month, 1), amount=amount)
        elif target.amount != amount:
            target.amount = amount
            bump(target, ["amount"])
    return subject_targets(subject=subject, year=year)
