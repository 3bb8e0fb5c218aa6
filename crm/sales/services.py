"""Every change to sales opportunities, development plans and pipeline stages.

Each function runs in one transaction and raises ``ValidationError`` (with a message for the
user) when a rule forbids the change. State transitions lock the opportunity's row and check
its current status, so two users (or a double click) cannot apply one twice. Callers pass
records they fetched through the user's data scope.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts import scope
from crm.core.concurrency import save_versioned
from crm.core.transitions import Action, Workflow
from crm.customers import services as customer_services
from crm.customers.models import Contact, Customer

from .models import Opportunity, PipelineStage, PlanItem, StageChange

# What the create and edit forms set (R-OPP-1, R-OPP-2, plus the pipeline's and the link to an
# existing customer). Status, assignee, stage and dates have their own transitions.
OPPORTUNITY_FIELDS = (
    "source",
    "customer",
    "customer_name",
    "probability",
    "summary",
    "contact",
    "contact_phone",
    "description",
    "expected_amount",
    "expected_close_date",
)
PIPELINE_FIELDS = ("expected_amount", "expected_close_date")
STAGE_FIELDS = ("name", "win_rate", "sort_order", "is_active")

Status = Opportunity.Status

MOBILE = re.compile(r"^1\d{10}$")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _set_fields(instance, fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, _strip(value))


def _full_clean(instance, exclude=()):
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return error.message_dict
    return {}


def _raise_if(errors):
    if errors:
        raise ValidationError(errors)


def _status_label(opportunity):
    return opportunity.get_status_display()


# The opportunity's states and actions ------------------------------------------------------------
#
# Every page, template (``{% can %}``), API action and service below asks the workflow whether
# an action is allowed and gets the same reason when it is not.

DEVELOP = "sales.develop_opportunity"
ASSIGN = "sales.assign_opportunity"


def _in_state(message):
    return lambda opportunity: message() % {"status": _status_label(opportunity)}


def _not_assignable(opportunity):
    if opportunity.owner_id:
        return _("This opportunity has already been assigned to %(name)s.") % {"name": opportunity.owner.display_name}
    return _("Only unassigned opportunities can be assigned; this one is “%(status)s”.") % {
        "status": _status_label(opportunity)
    }


def _not_developing(opportunity):
    if opportunity.status == Status.UNASSIGNED:
        return _("This opportunity has not been assigned yet; it cannot be developed.")
    return _("This opportunity is closed (“%(status)s”); its plan and history are read-only.") % {
        "status": _status_label(opportunity)
    }


def _assignee_only(opportunity, user):
    """Only the assignee develops the opportunity, and only while allowed to develop."""
    if user is None or opportunity.owner_id != user.pk:
        return _("Only the assignee (%(name)s) can develop this opportunity.") % {
            "name": opportunity.owner.display_name
        }
    if not user.has_perm(DEVELOP):
        return _("You may not develop opportunities.")
    return None


def _creator_only(opportunity, user):
    if user is None or opportunity.created_by_id != user.pk:
        return _("You are not the creator; you may not delete it.")
    return None


_ASSIGNMENT = ("owner", "assigned_by", "assigned_at")


def _develop(name, target=None, fields=()):
    return Action(name, (Status.DEVELOPING,), target, wrong_state=_not_developing, guard=_assignee_only, fields=fields)


WORKFLOW = Workflow(
    Opportunity,
    [
        Action(
            "edit",
            (Status.UNASSIGNED,),
            permission="sales.change_opportunity",
            permission_message=lambda opportunity: _("You may not edit opportunities."),
            wrong_state=_in_state(lambda: _("Only unassigned opportunities can be edited; this one is “%(status)s”.")),
        ),
        Action(
            "delete",
            (Status.UNASSIGNED,),
            permission="sales.delete_opportunity",
            permission_message=lambda opportunity: _("You may not delete opportunities."),
            wrong_state=_in_state(lambda: _("Only unassigned opportunities can be deleted; this one is “%(status)s”.")),
            guard=_creator_only,
        ),
        Action(
            "assign",
            (Status.UNASSIGNED,),
            Status.DEVELOPING,
            permission=ASSIGN,
            permission_message=lambda opportunity: _("You may not assign opportunities."),
            wrong_state=_not_assignable,
            fields=_ASSIGNMENT,
        ),
        Action(
            "reassign",
            (Status.DEVELOPING,),
            permission=ASSIGN,
            permission_message=lambda opportunity: _("You may not assign opportunities."),
            wrong_state=_in_state(
                lambda: _("Only developing opportunities can be reassigned; this one is “%(status)s”.")
            ),
            fields=_ASSIGNMENT,
        ),
        _develop("develop"),
        _develop("succeed", Status.SUCCEEDED, ("customer", "closed_at")),
        _develop("fail", Status.FAILED, ("closed_at", "close_reason")),
        _develop("move_stage", fields=("stage", "probability")),
    ],
    missing_message=gettext_lazy("This opportunity no longer exists."),
)


def can(user, opportunity, action):
    """Whether ``user`` may take ``action`` on ``opportunity`` now, with the reason if not."""
    return WORKFLOW.can(user, opportunity, action)


def _lock(opportunity):
    """The opportunity's row, locked for the rest of the transaction (never a cached copy)."""
    return WORKFLOW.lock(opportunity)


# Opportunities (R-OPP-1 … R-OPP-3) -------------------------------------------------------------


def _check_customer(customer, by):
    """An opportunity about an existing customer names one the creator may see."""
    if customer is None:
        return
    scope = Customer.objects.visible_to(by) if by is not None else Customer.objects.all()
    if customer.status == Customer.Status.DELETED or not scope.filter(pk=customer.pk).exists():
        raise ValidationError({"customer": _("Choose one of your customers, or leave it empty for a new one.")})


def _validate_opportunity(opportunity, by):
    if opportunity.customer_id and not opportunity.customer_name:
        opportunity.customer_name = opportunity.customer.name
    errors = _full_clean(
        opportunity,
        exclude=["owner", "created_by", "assigned_by", "stage", "status", "customer", "close_reason"],
    )
    _raise_if(errors)
    _check_customer(opportunity.customer, by)


def _set_products(opportunity, products):
    if products is not None:
        opportunity.products.set(products)


@transaction.atomic
def create_opportunity(*, by, products=None, **fields):
    """A new opportunity (R-OPP-1): creator and time from the system, status unassigned."""
    opportunity = Opportunity(created_by=by, status=Status.UNASSIGNED)
    _set_fields(opportunity, fields, OPPORTUNITY_FIELDS)
    _validate_opportunity(opportunity, by)
    opportunity.save()
    _set_products(opportunity, products)
    return opportunity


@transaction.atomic
def update_opportunity(opportunity, *, by, expected_version, products=None, **fields):
    """Edit an opportunity while it is unassigned (R-OPP-2); refused if someone saved it since."""
    WORKFLOW.can(by, _lock(opportunity), "edit").raise_if_refused()
    _set_fields(opportunity, fields, OPPORTUNITY_FIELDS)
    _validate_opportunity(opportunity, by)
    save_versioned(opportunity, expected_version=expected_version)
    _set_products(opportunity, products)
    return opportunity


@transaction.atomic
def delete_opportunity(opportunity, *, by):
    """Delete an unassigned opportunity; only its creator may (R-OPP-3)."""
    locked = _lock(opportunity)
    WORKFLOW.can(by, locked, "delete").raise_if_refused()
    locked.delete()


# Assignment (R-OPP-4) -----------------------------------------------------------------------------


def assignable_users(by):
    """The users ``by`` may assign opportunities to: active, in ``by``'s scope, and allowed to
    develop opportunities."""
    return scope.assignable_users(by, DEVELOP).order_by("username")


def _check_assignee(to, by):
    if to is None:
        raise ValidationError({"to": _("Choose the account manager to assign it to.")})
    if not to.is_active:
        raise ValidationError(
            {"to": _("%(name)s is disabled and cannot be assigned opportunities.") % {"name": to.display_name}}
        )
    if not to.has_perm(DEVELOP):
        raise ValidationError(
            {"to": _("%(name)s may not develop opportunities; choose someone who may.") % {"name": to.display_name}}
        )
    if not scope.is_assignable(by, to, DEVELOP):
        raise ValidationError(
            {
                "to": _("%(name)s is outside your team; choose an account manager you supervise.")
                % {"name": to.display_name}
            }
        )


def _assign_to(to, by):
    def change(locked):
        _check_assignee(to, by)
        locked.owner, locked.assigned_by, locked.assigned_at = to, by, timezone.now()

    return change


def assign_opportunity(opportunity, *, to, by):
    """Assign an unassigned opportunity to one account manager; it becomes developing.

    The row lock and the status check make the second of two concurrent assignments fail.
    """
    return WORKFLOW.perform("assign", opportunity, by=by, change=_assign_to(to, by))


def reassign_opportunity(opportunity, *, to, by, expected_version=None):
    """A supervisor hands a developing opportunity to another account manager (the assignee
    left or was disabled). It stays developing with its plan; the operation log keeps who had
    it. With ``expected_version`` a reassignment made from a stale page is refused.
    """

    def change(locked):
        if to is not None and to.pk == locked.owner_id:
            raise ValidationError({"to": _("%(name)s is already the assignee.") % {"name": to.display_name}})
        _assign_to(to, by)(locked)

    return WORKFLOW.perform("reassign", opportunity, by=by, change=change, expected_version=expected_version)


# Development (R-OPP-5 … R-OPP-8) ------------------------------------------------------------------


def may_develop(opportunity, user):
    """Only the assignee makes and executes the plan, moves the stage and ends the development."""
    return bool(can(user, opportunity, "develop"))


def _lock_developing(opportunity, by):
    """Lock the opportunity; refuse unless it is developing and ``by`` is its assignee."""
    locked = _lock(opportunity)
    WORKFLOW.can(by, locked, "develop").raise_if_refused()
    return locked


def _validate_plan_item(item):
    if isinstance(item.todo, str):
        item.todo = item.todo.strip()
    _raise_if(_full_clean(item, exclude=["opportunity", "created_by", "result", "result_at"]))


@transaction.atomic
def add_plan_item(opportunity, *, by, date, todo):
    """Add a step to the development plan (R-OPP-5)."""
    locked = _lock_developing(opportunity, by)
    item = PlanItem(opportunity=locked, date=date, todo=todo, created_by=by)
    _validate_plan_item(item)
    item.save()
    return item


def _lock_item_of_developing(item, by):
    _lock_developing(item.opportunity, by)
    if not PlanItem.objects.filter(pk=item.pk).exists():
        raise ValidationError(_("This plan item no longer exists."))


@transaction.atomic
def update_plan_item(item, *, by, expected_version, todo):
    """Change a plan item's to-do text; its date stays as created (R-OPP-5)."""
    _lock_item_of_developing(item, by)
    item.todo = todo
    _validate_plan_item(item)
    return save_versioned(item, expected_version=expected_version, update_fields=["todo"])


@transaction.atomic
def delete_plan_item(item, *, by):
    _lock_item_of_developing(item, by)
    item.delete()


@transaction.atomic
def record_result(item, *, by, expected_version, result):
    """Record what came of a plan item (执行效果, R-OPP-6); it may be corrected later."""
    _lock_item_of_developing(item, by)
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": _("Describe the result of this step.")})
    item.result = result
    _raise_if(_full_clean(item, exclude=["opportunity", "created_by"]))
    item.result_at = timezone.now()
    return save_versioned(item, expected_version=expected_version, update_fields=["result", "result_at"])


# Contact fields of the success form, mapped to the Contact fields whose errors they show.
CONTACT_ERROR_FIELDS = {"name": "contact", "gender": "contact_gender", "position": "contact_position"}


def _remap(error, mapping):
    if not hasattr(error, "error_dict"):
        return error
    remapped = {}
    for field, errors in error.error_dict.items():
        remapped.setdefault(mapping.get(field, "non_field_errors"), []).extend(errors)
    return ValidationError(remapped)


def _customer_from(opportunity, *, by, contact_gender, contact_position, contact_phone):
    """The new customer (and its first contact) a won opportunity creates."""
    manager = opportunity.owner
    try:
        customer = customer_services.create_customer(
            by=by, require_complete=False, name=opportunity.customer_name, owner=manager
        )
    except ValidationError as error:
        raise _remap(error, {"name": "customer_name"}) from None
    name = opportunity.contact
    if name:
        phone = (contact_phone or opportunity.contact_phone or "").strip()
        fields = {
            "name": name,
            "gender": contact_gender or "",
            "position": (contact_position or "").strip(),
            "office_phone": phone,
        }
        if MOBILE.match(phone):
            fields["mobile"] = phone
        try:
            customer_services.create_contact(customer=customer, by=by, **fields)
        except ValidationError as error:
            raise _remap(error, CONTACT_ERROR_FIELDS | {"office_phone": "contact_phone"}) from None
    return customer


def contact_details_needed(opportunity):
    """Whether success asks for the first contact's details (a new customer with a contact)."""
    return bool(opportunity.contact) and opportunity.customer_id is None


def contact_field_required(name):
    """Whether the customer module requires a contact field the opportunity does not carry."""
    return not Contact._meta.get_field(name).blank


def succeed_opportunity(opportunity, *, by, contact_gender="", contact_position="", contact_phone=""):
    """Development succeeded (R-OPP-7): the opportunity closes as succeeded, linked to its customer.

    Without a customer of its own, a new one is created from it — the customer name, with the
    contact and phone as its first contact and the assignee as its manager. The contact's
    gender and position, which an opportunity does not record, come from the caller.
    """

    def change(locked):
        if locked.customer_id is None:
            locked.customer = _customer_from(
                locked,
                by=by,
                contact_gender=contact_gender,
                contact_position=contact_position,
                contact_phone=contact_phone,
            )
        locked.closed_at = timezone.now()

    return WORKFLOW.perform("succeed", opportunity, by=by, change=change)


def fail_opportunity(opportunity, *, by, reason=""):
    """Development failed / stopped (R-OPP-8); the plan and history stay readable."""

    def change(locked):
        locked.closed_at = timezone.now()
        locked.close_reason = (reason or "").strip()

    return WORKFLOW.perform("fail", opportunity, by=by, change=change)


# Pipeline (R-OPP-9) -------------------------------------------------------------------------------


def move_stage(opportunity, *, by, stage, note=""):
    """Move a developing opportunity to another active stage; the move is kept as history.

    The success probability becomes the stage's win rate (the assignee's estimate until then).
    """

    def change(locked):
        to_stage = PipelineStage.objects.filter(pk=stage.pk).first() if stage is not None else None
        if stage is None:
            raise ValidationError({"stage": _("Choose the stage to move to.")})
        if to_stage is None or not to_stage.is_active:
            raise ValidationError({"stage": _("This stage is no longer in use; choose an active stage.")})
        if to_stage.pk == locked.stage_id:
            raise ValidationError({"stage": _("The opportunity is already in this stage.")})
        text = (note or "").strip()
        if len(text) > StageChange._meta.get_field("note").max_length:
            raise ValidationError({"note": _("Keep the note under 500 characters.")})
        StageChange.objects.create(
            opportunity=locked, from_stage_id=locked.stage_id, to_stage=to_stage, note=text, changed_by=by
        )
        locked.stage = to_stage
        locked.probability = to_stage.win_rate

    return WORKFLOW.perform("move_stage", opportunity, by=by, change=change)


@transaction.atomic
def update_pipeline(opportunity, *, by, expected_version, products=None, **fields):
    """The assignee keeps the expected amount, close date and products of interest up to date."""
    _lock_developing(opportunity, by)
    _set_fields(opportunity, fields, PIPELINE_FIELDS)
    _raise_if(_full_clean(opportunity, exclude=["owner", "created_by", "assigned_by", "stage", "customer"]))
    save_versioned(opportunity, expected_version=expected_version, update_fields=list(fields))
    _set_products(opportunity, products)
    return opportunity


# Pipeline stages (configured by administrators) ---------------------------------------------------


def _validate_stage(stage):
    if isinstance(stage.name, str):
        stage.name = stage.name.strip()
    errors = _full_clean(stage)
    if "name" not in errors and PipelineStage.objects.filter(name=stage.name).exclude(pk=stage.pk).exists():
        errors["name"] = [_("A stage with this name already exists.")]
    _raise_if(errors)


@transaction.atomic
def create_stage(*, by=None, **fields):
    stage = PipelineStage()
    _set_fields(stage, fields, STAGE_FIELDS)
    _validate_stage(stage)
    stage.save()
    return stage


@transaction.atomic
def update_stage(stage, *, by=None, expected_version, **fields):
    _set_fields(stage, fields, STAGE_FIELDS)
    _validate_stage(stage)
    return save_versioned(stage, expected_version=expected_version)


@transaction.atomic
def delete_stage(stage, *, by=None):
    """A stage no opportunity ever reached can be deleted; a used one is deactivated instead."""
    PipelineStage.objects.select_for_update().filter(pk=stage.pk).first()
    in_use = (
        Opportunity.objects.filter(stage=stage).exists()
        or StageChange.objects.filter(to_stage=stage).exists()
        or StageChange.objects.filter(from_stage=stage).exists()
    )
    if in_use:
        raise ValidationError(
            _("Opportunities have been in this stage, so it is kept for their history. Deactivate it instead.")
        )
    try:
        stage.delete()
    except ProtectedError:
        raise ValidationError(_("This stage is still in use. Deactivate it instead.")) from None
