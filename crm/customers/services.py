"""Every change to customers, contacts, interaction records and churn records.

Each function runs in one transaction and raises ``ValidationError`` (with a message for the
user) when a rule forbids the change. Callers pass records they fetched through the user's
data scope; services that act on many records re-apply the scope themselves.
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.scope import assignable_users, is_assignable
from crm.core.concurrency import bump, save_versioned
from crm.core.transitions import Action, Workflow

from .models import Activity, ChurnMeasure, ChurnRecord, Contact, Customer, CustomerNumberCounter
from .order_facts import with_last_order_date
from .signals import customers_transferred

# Fields a customer form or the API may set (number, status and version have their own rules).
CUSTOMER_FIELDS = (
    "name",
    "region",
    "owner",
    "grade",
    "satisfaction",
    "credit",
    "address",
    "post_code",
    "phone",
    "fax",
    "website",
    "licence_number",
    "legal_representative",
    "registered_capital",
    "annual_turnover",
    "bank",
    "bank_account",
    "local_tax_number",
    "national_tax_number",
)

# What the specification's customer edit form requires (R-CUST-1). A customer created from an
# opportunity may lack them; the detail page lists what is still missing.
REQUIRED_FOR_COMPLETE = (
    "name",
    "region",
    "owner",
    "grade",
    "satisfaction",
    "credit",
    "address",
    "post_code",
    "phone",
    "fax",
    "website",
    "legal_representative",
    "bank",
    "bank_account",
)

CONTACT_FIELDS = ("name", "gender", "position", "office_phone", "mobile", "remark")
ACTIVITY_FIELDS = ("date", "place", "summary", "details", "remark", "follow_up_method", "next_contact_date")

DEFAULT_CHURN_MONTHS = 6

# A customer's manager keeps the customer: they hold the permission to edit customers.
KEEP_CUSTOMERS = "customers.change_customer"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _set_fields(instance, fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, _strip(value))


def _full_clean(instance, exclude=()):
    """Model field validation (lengths, 1–5 ratings, decimals, dictionary types) as field errors."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return error.message_dict
    return {}


def _raise_if(errors):
    if errors:
        raise ValidationError(errors)


# Customer numbers ------------------------------------------------------------------------------


def next_customer_number(day=None):
    """``KH`` + YYYYMMDD + a 4-digit daily sequence, taken from a row locked for the transaction.

    Two concurrent creations wait on the same counter row, so they never get the same number.
    """
    day = day or timezone.localdate()
    with transaction.atomic():
        counter, _created = CustomerNumberCounter.objects.select_for_update().get_or_create(day=day)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"KH{day:%Y%m%d}{counter.last:04d}"


# Customers -------------------------------------------------------------------------------------


def missing_fields(customer):
    """The fields the specification's edit form requires that are still empty, as (name, label)."""
    missing = []
    for name in REQUIRED_FOR_COMPLETE:
        field = Customer._meta.get_field(name)
        value = getattr(customer, field.attname)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append((name, field.verbose_name))
    return missing


def possible_managers(by):
    """The users ``by`` may make a customer's manager (the form's choices, the API's)."""
    return assignable_users(by, KEEP_CUSTOMERS)


def _check_active_manager(user, field="owner"):
    if user is not None and not user.is_active:
        raise ValidationError({field: _("The manager must be an active user.")})


def _check_manager(user, *, by, field="owner", keeping_own=False):
    """A manager ``by`` chooses must be an active user in ``by``'s scope who keeps customers.

    ``keeping_own``: a user creating a customer for themselves (a won opportunity's assignee)
    needs no more than the right to create it.
    """
    _check_active_manager(user, field)
    if user is None or by is None or (keeping_own and user.pk == by.pk):
        return
    if not is_assignable(by, user, KEEP_CUSTOMERS):
        raise ValidationError(
            {
                field: _("%(name)s cannot be the manager: choose an active user in your scope who maintains customers.")
                % {"name": user.display_name}
            }
        )


def _validate_customer(customer, *, require_complete):
    errors = _full_clean(customer, exclude=["number", "created_by", "status"])
    if require_complete:
        for name, _label in missing_fields(customer):
            errors.setdefault(name, [_("This field is required.")])
    _raise_if(errors)
    _check_active_manager(customer.owner)


@transaction.atomic
def create_customer(*, by, require_complete=True, **fields):
    """A new customer in status normal. ``owner`` (the manager) defaults to the creator.

    ``require_complete=False`` lets another module (e.g. a won opportunity) create a customer
    with only a name; its manager completes it later.
    """
    customer = Customer(created_by=by, status=Customer.Status.NORMAL)
    fields.setdefault("owner", by)
    _set_fields(customer, fields, CUSTOMER_FIELDS)
    _validate_customer(customer, require_complete=require_complete)
    _check_manager(customer.owner, by=by, keeping_own=True)
    customer.number = next_customer_number()
    customer.save()
    return customer


# The customer's states (normal, lost, deleted) and what can be done in each. Pages, templates
# (``{% can customer "edit" %}``), the API and the functions below ask the same workflow.

NORMAL, LOST, DELETED = Customer.Status.NORMAL, Customer.Status.LOST, Customer.Status.DELETED


def _not_normal(customer):
    return _("Only customers in status normal can be changed; this one is %(status)s.") % {
        "status": customer.get_status_display()
    }


def _may_not(message):
    return lambda customer: message()


WORKFLOW = Workflow(
    Customer,
    [
        Action(
            "edit",
            (NORMAL,),
            permission="customers.change_customer",
            permission_message=_may_not(lambda: _("You may not edit customers.")),
            wrong_state=_not_normal,
        ),
        Action(
            "delete",
            (NORMAL, LOST),
            DELETED,
            permission="customers.delete_customer",
            permission_message=_may_not(lambda: _("You may not delete customers.")),
            wrong_state=_may_not(lambda: _("This customer has already been deleted.")),
        ),
        Action(
            "transfer",
            (NORMAL, LOST),
            permission="customers.transfer_customer",
            permission_message=_may_not(lambda: _("You may not transfer customers.")),
            wrong_state=lambda customer: (
                _("Deleted customers cannot be transferred: %(names)s") % {"names": customer.name}
            ),
        ),
        # Contacts, interaction records and opportunities are kept while the customer is not deleted.
        Action(
            "add_records",
            (NORMAL, LOST),
            wrong_state=_may_not(lambda: _("This customer has been deleted; its records can no longer be changed.")),
        ),
        Action(
            "open_service_request",
            (NORMAL,),
            permission="service.add_servicerequest",
            permission_message=_may_not(lambda: _("You may not create service requests.")),
            wrong_state=lambda customer: (
                _("Service requests can only be created for customers in status normal; %(name)s is %(status)s.")
                % {"name": customer.name, "status": customer.get_status_display()}
            ),
        ),
    ],
)


def can(user, customer, action):
    """Whether ``user`` may take ``action`` on ``customer`` now, with the reason if not."""
    return WORKFLOW.can(user, customer, action)


def _lock_customer(customer):
    return WORKFLOW.lock(customer)


def _check_editable(locked):
    """The customer is in status normal (the state rule of "edit", for the system too)."""
    if locked.status != NORMAL:
        raise ValidationError(_not_normal(locked))


def _may_transfer(by):
    return by is None or by.has_perm("customers.transfer_customer")


@transaction.atomic
def update_customer(customer, *, by, expected_version, require_complete=True, **fields):
    """Edit a customer in status normal; refused if someone saved it since ``expected_version``.

    Changing the manager here is a transfer and needs the transfer permission.
    """
    locked = _lock_customer(customer)
    _check_editable(locked)
    old_owner_id = locked.owner_id
    _set_fields(customer, fields, CUSTOMER_FIELDS)
    if customer.owner_id != old_owner_id and not _may_transfer(by):
        raise ValidationError({"owner": _("You may not change the manager. Ask a supervisor to transfer it.")})
    _validate_customer(customer, require_complete=require_complete)
    if customer.owner_id != old_owner_id:
        _check_manager(customer.owner, by=by)
    save_versioned(customer, expected_version=expected_version)
    if customer.owner_id != old_owner_id:
        _move_contacts(customer, from_id=old_owner_id, to=customer.owner)
    return customer


@transaction.atomic
def delete_customer(customer, *, by):
    """Soft delete: the customer keeps its records and history but leaves the lists."""
    locked = _lock_customer(customer)
    if locked.status == DELETED:
        raise ValidationError(_("This customer has already been deleted."))
    today = timezone.localdate()
    for record in ChurnRecord.objects.select_for_update().filter(customer=locked, status__in=ChurnRecord.OPEN_STATUSES):
        record.status, record.closed_date = ChurnRecord.Status.CLOSED, today
        bump(record, ["status", "closed_date"])
    locked.status = Customer.Status.DELETED
    bump(locked, ["status"])
    customer.status, customer.version = locked.status, locked.version
    return customer


def _move_contacts(customer, *, from_id, to):
    """Contacts maintained by the previous manager follow the customer to the new one."""
    for contact in Contact.objects.select_for_update().filter(customer=customer, owner_id=from_id):
        contact.owner = to
        bump(contact, ["owner"])


@transaction.atomic
def transfer_customers(*, customers, to, by, with_contacts=False):
    """Give one or many customers (in ``by``'s scope) to another active manager.

    Each owner change is recorded in the customer's operation log. With ``with_contacts`` the
    contacts the previous manager maintained move along.
    """
    if to is None:
        raise ValidationError({"to": _("Choose the new manager.")})
    if not to.is_active:
        raise ValidationError({"to": _("The new manager must be an active user; %(name)s is disabled.") % {"name": to}})
    if not _may_transfer(by):
        raise ValidationError(_("You may not transfer customers."))
    _check_manager(to, by=by, field="to")
    ids = [getattr(c, "pk", c) for c in customers]
    if not ids:
        raise ValidationError({"customers": _("Select at least one customer.")})
    scope = Customer.objects.visible_to(by) if by is not None else Customer.objects.all()
    locked = list(scope.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(set(ids)):
        raise ValidationError({"customers": _("Some selected customers do not exist or are not yours to transfer.")})
    deleted = [c.name for c in locked if c.status == Customer.Status.DELETED]
    if deleted:
        raise ValidationError(
            {"customers": _("Deleted customers cannot be transferred: %(names)s") % {"names": ", ".join(deleted)}}
        )
    moved, owners = [], set()
    for customer in locked:
        if customer.owner_id == to.pk:
            continue
        old_owner_id = customer.owner_id
        customer.owner = to
        bump(customer, ["owner"])
        if with_contacts:
            _move_contacts(customer, from_id=old_owner_id, to=to)
        moved.append(customer)
        owners.add(old_owner_id)
    if moved:
        customers_transferred.send(sender=Customer, owner_ids=owners | {to.pk})
    return moved


# Contacts --------------------------------------------------------------------------------------


def _check_customer_open(customer):
    """Records of a customer change until it is deleted (the state rule of "add_records")."""
    WORKFLOW.can(None, customer, "add_records").raise_if_refused()


def _validate_contact(contact):
    errors = _full_clean(contact, exclude=["customer", "owner"])
    _raise_if(errors)


@transaction.atomic
def create_contact(*, customer, by, **fields):
    _check_customer_open(_lock_customer(customer))
    contact = Contact(customer=customer, owner=customer.owner)
    _set_fields(contact, fields, CONTACT_FIELDS)
    _validate_contact(contact)
    contact.save()
    return contact


@transaction.atomic
def update_contact(contact, *, by, expected_version, **fields):
    _check_customer_open(contact.customer)
    _set_fields(contact, fields, CONTACT_FIELDS)
    _validate_contact(contact)
    return save_versioned(contact, expected_version=expected_version)


@transaction.atomic
def delete_contact(contact, *, by):
    _check_customer_open(contact.customer)
    contact.delete()


# Interaction records ---------------------------------------------------------------------------


def _validate_activity(activity):
    errors = _full_clean(activity, exclude=["customer", "created_by"])
    if not errors and activity.next_contact_date and activity.date and activity.next_contact_date < activity.date:
        errors["next_contact_date"] = [_("The next contact cannot be before the interaction itself.")]
    _raise_if(errors)


@transaction.atomic
def create_activity(*, customer, by, **fields):
    _check_customer_open(_lock_customer(customer))
    activity = Activity(customer=customer, created_by=by)
    _set_fields(activity, fields, ACTIVITY_FIELDS)
    _validate_activity(activity)
    activity.save()
    return activity


@transaction.atomic
def update_activity(activity, *, by, expected_version, **fields):
    _check_customer_open(activity.customer)
    _set_fields(activity, fields, ACTIVITY_FIELDS)
    _validate_activity(activity)
    return save_versioned(activity, expected_version=expected_version)


@transaction.atomic
def delete_activity(activity, *, by):
    _check_customer_open(activity.customer)
    activity.delete()


# Churn (客户流失) ---------------------------------------------------------------------------------


def months_before(day, months):
    """The same day ``months`` calendar months earlier (the month's last day if it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def churn_months():
    return int(getattr(settings, "CRM_CHURN_MONTHS", DEFAULT_CHURN_MONTHS))


def churn_candidates(*, today, months):
    """Normal customers without an open churn record whose last order is older than ``months``
    months, or who never ordered and were created more than ``months`` months ago."""
    cutoff = months_before(today, months)
    cutoff_start = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    open_record = ChurnRecord.objects.filter(customer=OuterRef("pk"), status__in=ChurnRecord.OPEN_STATUSES)
    queryset = with_last_order_date(Customer.objects.filter(status=Customer.Status.NORMAL).exclude(Exists(open_record)))
    return queryset.filter(
        Q(last_order_date__lt=cutoff) | Q(last_order_date__isnull=True, created_at__lt=cutoff_start)
    ).order_by("pk")


def open_churn_warnings(*, today=None, months=None):
    """The scheduled churn check (R-LOST-1): opens one warning per churning customer.

    Idempotent: a customer with an open record is skipped, and the database refuses a second
    open record should two runs overlap.
    """
    today = today or timezone.localdate()
    months = churn_months() if months is None else months
    opened = []
    for customer in churn_candidates(today=today, months=months):
        try:
            with transaction.atomic():
                opened.append(
                    ChurnRecord.objects.create(
                        customer=customer,
                        last_order_date=customer.last_order_date,
                        created_date=today,
                        status=ChurnRecord.Status.WARNING,
                    )
                )
        except IntegrityError:
            continue  # another run opened it meanwhile
    return opened


def _churn_closed(record):
    return _("This churn record is already %(status)s; no further measures can be taken.") % {
        "status": record.get_status_display()
    }


def _churn_manager_only(record, user):
    """Only the customer's manager takes churn measures (R-LOST-2, R-LOST-3)."""
    if user is None or record.customer.owner_id != user.pk:
        return _("Only the customer's manager (%(manager)s) can take measures on this churn warning.") % {
            "manager": record.customer.owner or _("none")
        }
    return None


def _churn_action(name, target, fields=()):
    return Action(
        name, ChurnRecord.OPEN_STATUSES, target, wrong_state=_churn_closed, guard=_churn_manager_only, fields=fields
    )


CHURN_WORKFLOW = Workflow(
    ChurnRecord,
    [
        _churn_action("postpone", ChurnRecord.Status.POSTPONED),
        _churn_action("confirm", ChurnRecord.Status.LOST, ("lost_date", "reason", "reason_category", "confirmed_by")),
    ],
)


def may_act_on_churn(record, user):
    """Whether ``user`` may take measures on ``record`` now (it is open, the customer is theirs)."""
    return bool(CHURN_WORKFLOW.can(user, record, "postpone"))


def postpone_churn(record, *, measure, by, date=None):
    """Append a postponement measure (暂缓措施); the record becomes postponed."""

    def change(locked):
        text = (measure or "").strip()
        if not text:
            raise ValidationError({"measure": _("Describe the measure taken to keep this customer.")})
        ChurnMeasure.objects.create(churn_record=locked, date=date or timezone.localdate(), text=text, created_by=by)

    return CHURN_WORKFLOW.perform("postpone", record, by=by, change=change)


def confirm_churn(record, *, reason, by, reason_category=None, date=None):
    """Confirm the loss (确认流失): the record and the customer become lost, with the date."""

    def change(locked):
        text = (reason or "").strip()
        if not text:
            raise ValidationError({"reason": _("Give the reason the customer was lost.")})
        customer = _lock_customer(locked.customer)
        locked.lost_date = date or timezone.localdate()
        locked.reason, locked.reason_category, locked.confirmed_by = text, reason_category, by
        if customer.status == NORMAL:
            customer.status = LOST
            bump(customer, ["status"])

    return CHURN_WORKFLOW.perform("confirm", record, by=by, change=change)


def close_churn_for_new_orders(sender, *, customer_ids, **kwargs):
    """Receiver of the catalog's ``orders_imported`` (after the import committed): R-LOST-4.

    Answers the number of churn records closed, which the import run shows.
    """
    closed = sum(close_churn_for_new_order(customer_id) is not None for customer_id in sorted(customer_ids))
    return {"churn_closed": closed}


@transaction.atomic
def close_churn_for_new_order(customer, *, date=None):
    """A new order closes the customer's open churn record (R-LOST-4); returns it, or None."""
    record = (
        ChurnRecord.objects.select_for_update()
        .filter(customer_id=getattr(customer, "pk", customer), status__in=ChurnRecord.OPEN_STATUSES)
        .first()
    )
    if record is None:
        return None
    record.status = ChurnRecord.Status.CLOSED
    record.closed_date = date or timezone.localdate()
    bump(record, ["status", "closed_date"])
    return record
