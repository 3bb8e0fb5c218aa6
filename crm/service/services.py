"""Every change to service requests: create, edit, assign, delete, handle, feedback (R-SVC).

Each function runs in one transaction, locks the request's row and checks its current status
there, so a double click or two supervisors cannot apply a transition twice. A refused change
raises ``ValidationError`` with a message for the user and changes nothing.

Who may do what (besides the permission named for each step):

- create: for a customer in the creator's data scope whose status is normal;
- edit (type, summary, details): until archived, by its creator, the customer's manager or a
  supervisor (a holder of the assign permission), each also holding the edit permission;
- assign: a new request, to an active user who may handle requests; an assigned request may be
  reassigned only from the version the supervisor saw, so of two concurrent assignments one wins;
- delete: a new request only;
- handle: only the assignee;
- feedback: the requester side (its creator or the customer's current manager), who speaks to
  the customer, or a supervisor. Not the assignee as such: handlers do not rate themselves
  unless they are also the requester.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts import scope
from crm.core.concurrency import bump, lock_row, save_versioned
from crm.core.transitions import Action, Workflow, check_guard
from crm.customers.models import Customer
from crm.dictionary.models import DictType

from .models import ARCHIVE_SATISFACTION, SATISFACTION_MAX, SATISFACTION_MIN, ServiceRequest, ServiceRound

VIEW = "service.view_servicerequest"
ADD = "service.add_servicerequest"
CHANGE = "service.change_servicerequest"
DELETE = "service.delete_servicerequest"
ASSIGN = "service.assign_servicerequest"
HANDLE = "service.handle_servicerequest"
FEEDBACK = "service.feedback_servicerequest"

Status = ServiceRequest.Status


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _require(by, permission, message):
    if by is None or not by.has_perm(permission):
        raise ValidationError(message)


def _lock(service_request):
    """The request's row, locked for the rest of the transaction, with its stored state."""
    return lock_row(service_request, missing_message=_("This service request no longer exists."))


def _refresh(service_request, locked):
    """Copy the stored state back onto the caller's instance."""
    for field in ServiceRequest._meta.concrete_fields:
        setattr(service_request, field.attname, getattr(locked, field.attname))
    return service_request


def _refuse_archived(locked):
    if locked.status == Status.ARCHIVED:
        raise ValidationError(_("This service request is archived and can no longer be changed."))


# Who may act --------------------------------------------------------------------------------------
#
# Each ``check_*`` raises the ValidationError its transition would raise for this user and the
# request's state; the transition calls it on the locked row, and pages call it to decide whether
# to offer the form (and otherwise to say why not).


def is_supervisor(user):
    return user is not None and user.has_perm(ASSIGN)


def is_requester(service_request, user):
    """The requester side: who created the request or manages its customer now."""
    if user is None:
        return False
    return user.pk in (service_request.created_by_id, service_request.customer.owner_id)


def _assignee_name(service_request):
    return service_request.assignee.display_name if service_request.assignee_id else "—"


def check_edit(service_request, by):
    _refuse_archived(service_request)
    _require(by, CHANGE, _("You may not edit service requests."))
    if not (is_requester(service_request, by) or is_supervisor(by)):
        raise ValidationError(_("Only its creator, the customer's manager or a supervisor may edit this request."))


def check_delete(service_request, by):
    _require(by, DELETE, _("You may not delete service requests."))
    if service_request.status != Status.NEW:
        raise ValidationError(
            _("Only new service requests can be deleted; this one is %(status)s.")
            % {"status": service_request.get_status_display()}
        )


def check_assign(service_request, by, expected_version=None):
    _require(by, ASSIGN, _("You may not assign service requests."))
    _refuse_archived(service_request)
    if service_request.status == Status.HANDLED:
        raise ValidationError(
            _("This service request has been handled and is waiting for feedback; it cannot be reassigned.")
        )
    if service_request.status == Status.ASSIGNED and str(expected_version) != str(service_request.version):
        raise ValidationError(
            _("This service request has already been assigned to %(name)s.") % {"name": _assignee_name(service_request)}
        )


def check_handle(service_request, by):
    _refuse_archived(service_request)
    if service_request.status == Status.NEW:
        raise ValidationError(_("This service request has not been assigned yet; a supervisor assigns it first."))
    if service_request.status == Status.HANDLED:
        raise ValidationError(_("This service request has already been handled and is waiting for feedback."))
    if by is None or service_request.assignee_id != by.pk:
        raise ValidationError(
            _("Only the assignee (%(name)s) may handle this service request.")
            % {"name": _assignee_name(service_request)}
        )
    _require(by, HANDLE, _("You may not handle service requests."))


def check_feedback(service_request, by):
    _refuse_archived(service_request)
    if service_request.status != Status.HANDLED:
        raise ValidationError(_("This service request has not been handled yet; feedback follows its handling."))
    _require(by, FEEDBACK, _("You may not record feedback on service requests."))
    if not (is_supervisor(by) or is_requester(service_request, by)):
        raise ValidationError(
            _("Only the request's creator, the customer's manager or a supervisor may record feedback on it.")
        )


def _check_assign_from_shown_version(service_request, by):
    """The assign form carries the version the page shows."""
    check_assign(service_request, by, service_request.version)


# The request's actions, for ``can(user, request, action)`` (pages, templates, the API): each
# one's guard is its ``check_*``, so the answer and the reason are the transition's own.
WORKFLOW = Workflow(
    ServiceRequest,
    [
        Action("edit", guard=check_guard(check_edit)),
        Action("delete", guard=check_guard(check_delete)),
        Action("assign", guard=check_guard(_check_assign_from_shown_version)),
        Action("handle", guard=check_guard(check_handle)),
        Action("feedback", guard=check_guard(check_feedback)),
    ],
)


def may_edit(service_request, user):
    return bool(WORKFLOW.can(user, service_request, "edit"))


def may_delete(service_request, user):
    return bool(WORKFLOW.can(user, service_request, "delete"))


def may_assign(service_request, user):
    """Whether the assign form is offered (it carries the version the page shows)."""
    return bool(WORKFLOW.can(user, service_request, "assign"))


def may_handle(service_request, user):
    return bool(WORKFLOW.can(user, service_request, "handle"))


def may_give_feedback(service_request, user):
    return bool(WORKFLOW.can(user, service_request, "feedback"))


def feedback_filter(user):
    """``check_feedback``'s actor rule as a filter on handled requests the user sees (list, badge)."""
    if is_supervisor(user):
        return Q()
    return Q(created_by=user) | Q(customer__owner=user)


def assignable_users(by):
    """The users ``by`` may assign service requests to: active, in ``by``'s scope, and allowed to
    handle them (the candidates the assignment offers)."""
    return scope.assignable_users(by, HANDLE)


# Create and edit ----------------------------------------------------------------------------------


def _validated_fields(*, service_type, summary, details, current_type_id=None):
    errors = {}
    if service_type is None:
        errors["service_type"] = [_("Choose the type of service.")]
    elif service_type.dict_type != DictType.SERVICE_TYPE:
        errors["service_type"] = [_("Choose a service type from the dictionary.")]
    elif not service_type.is_active and service_type.pk != current_type_id:
        errors["service_type"] = [_("This service type is no longer in use; choose another.")]
    summary, details = _text(summary), _text(details)
    if not summary:
        errors["summary"] = [_("Give a short summary of the request.")]
    elif len(summary) > ServiceRequest._meta.get_field("summary").max_length:
        errors["summary"] = [_("Keep the summary to 200 characters.")]
    if not details:
        errors["details"] = [_("Describe what the customer asks for.")]
    if errors:
        raise ValidationError(errors)
    return summary, details


@transaction.atomic
def create_service_request(*, customer, service_type, summary, details, by):
    """A new request (R-SVC-1) for a normal customer in ``by``'s scope; creator and time from the system."""
    _require(by, ADD, _("You may not create service requests."))
    if customer is None:
        raise ValidationError({"customer": [_("Choose the customer.")]})
    locked = Customer.objects.visible_to(by).select_for_update().filter(pk=customer.pk).first()
    if locked is None:
        raise ValidationError({"customer": [_("This customer does not exist or is not yours.")]})
    if locked.status != Customer.Status.NORMAL:
        raise ValidationError(
            {
                "customer": [
                    _("Service requests can only be created for customers in status normal; %(name)s is %(status)s.")
                    % {"name": locked.name, "status": locked.get_status_display()}
                ]
            }
        )
    summary, details = _validated_fields(service_type=service_type, summary=summary, details=details)
    return ServiceRequest.objects.create(
        customer=locked,
        service_type=service_type,
        summary=summary,
        details=details,
        created_by=by,
        status=Status.NEW,
    )


@transaction.atomic
def update_service_request(service_request, *, by, expected_version, service_type, summary, details):
    """Correct the type, summary or details until the request is archived (R-SVC-5: then read-only)."""
    locked = _lock(service_request)
    check_edit(locked, by)
    summary, details = _validated_fields(
        service_type=service_type, summary=summary, details=details, current_type_id=locked.service_type_id
    )
    locked.service_type, locked.summary, locked.details = service_type, summary, details
    save_versioned(locked, expected_version=expected_version, update_fields=["service_type", "summary", "details"])
    return _refresh(service_request, locked)


@transaction.atomic
def delete_service_request(service_request, *, by):
    """Delete a new request (R-SVC-2); once assigned it stays."""
    locked = _lock(service_request)
    check_delete(locked, by)
    locked.delete()


# Assign -------------------------------------------------------------------------------------------


def _check_assignee(to, by):
    if to is None:
        raise ValidationError({"to": [_("Choose who handles the request.")]})
    if not to.is_active:
        raise ValidationError(
            {"to": [_("%(name)s is disabled and cannot be assigned service requests.") % {"name": to.display_name}]}
        )
    if not to.has_perm(HANDLE):
        raise ValidationError(
            {"to": [_("%(name)s may not handle service requests; choose someone else.") % {"name": to.display_name}]}
        )
    if not scope.is_assignable(by, to, HANDLE):
        raise ValidationError(
            {"to": [_("%(name)s is outside your team; choose someone in your scope.") % {"name": to.display_name}]}
        )


@transaction.atomic
def assign_service_request(service_request, *, to, by, expected_version=None):
    """Assign a new request to an active user (R-SVC-2); records who and when.

    An assigned request (not yet handled) may be reassigned, but only from the version the
    supervisor saw: without it the second of two concurrent assignments would silently win.
    """
    locked = _lock(service_request)
    check_assign(locked, by, expected_version)
    _check_assignee(to, by)
    locked.assignee = to
    locked.assigned_by = by
    locked.assigned_at = timezone.now()
    locked.status = Status.ASSIGNED
    bump(locked, ["assignee", "assigned_by", "assigned_at", "status"])
    return _refresh(service_request, locked)


# Handle and feedback ------------------------------------------------------------------------------


@transaction.atomic
def handle_service_request(service_request, *, handling, by):
    """The assignee records how the request was handled (R-SVC-3): a new round; status handled."""
    locked = _lock(service_request)
    check_handle(locked, by)
    handling = _text(handling)
    if not handling:
        raise ValidationError({"handling": [_("Describe how the request was handled.")]})
    number = locked.rounds.count() + 1
    service_round = ServiceRound.objects.create(
        request=locked, number=number, handling=handling, handled_by=by, handled_at=timezone.now()
    )
    locked.latest_round = service_round
    locked.status = Status.HANDLED
    bump(locked, ["latest_round", "status"])
    return _refresh(service_request, locked)


def _satisfaction(value):
    if isinstance(value, str):
        value = int(value.strip()) if value.strip().isdigit() else None
    if isinstance(value, bool) or not isinstance(value, int) or not SATISFACTION_MIN <= value <= SATISFACTION_MAX:
        raise ValidationError({"satisfaction": [_("Choose a satisfaction from 1 to 5.")]})
    return value


@transaction.atomic
def record_feedback(service_request, *, result, satisfaction, by):
    """Record the result and the customer's satisfaction (R-SVC-4).

    3 or more archives the request; less sends it back to its assignee for another round. The
    round keeps its handling and feedback either way.
    """
    locked = _lock(service_request)
    check_feedback(locked, by)
    errors = {}
    result = _text(result)
    if not result:
        errors["result"] = [_("Record the result of the handling.")]
    try:
        satisfaction = _satisfaction(satisfaction)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    service_round = ServiceRound.objects.select_for_update().get(pk=locked.latest_round_id)
    now = timezone.now()
    service_round.result, service_round.satisfaction = result, satisfaction
    service_round.feedback_by, service_round.feedback_at = by, now
    service_round.save(update_fields=["result", "satisfaction", "feedback_by", "feedback_at", "updated_at"])
    if satisfaction >= ARCHIVE_SATISFACTION:
        locked.status, locked.archived_at = Status.ARCHIVED, now
    else:
        locked.status = Status.ASSIGNED
    bump(locked, ["status", "archived_at"])
    return _refresh(service_request, locked)
