"""Reads of service requests, always through the reader's data scope (``visible_to``)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from crm.customers.models import Customer

from .models import ServiceRequest, ServiceRound
from .services import feedback_filter

Status = ServiceRequest.Status

LIST_RELATIONS = (
    "customer",
    "customer__owner",
    "service_type",
    "created_by",
    "assignee",
    "latest_round",
    "latest_round__handled_by",
)


def service_requests_for(user):
    """Requests the user may see, with what a list row shows."""
    return ServiceRequest.objects.visible_to(user).select_related(*LIST_RELATIONS)


def service_request_for(user, pk):
    """One request in the user's scope, with its rounds, or 404."""
    rounds = ServiceRound.objects.select_related("handled_by", "feedback_by").order_by("number")
    return get_object_or_404(
        service_requests_for(user).select_related("assigned_by").prefetch_related(Prefetch("rounds", queryset=rounds)),
        pk=pk,
    )


def new_requests_for(user):
    """New requests in the user's scope, waiting to be assigned (服务分配)."""
    return service_requests_for(user).filter(status=Status.NEW)


def assigned_to(user):
    """Requests assigned to the user and not yet handled (服务处理)."""
    return service_requests_for(user).filter(assignee=user, status=Status.ASSIGNED)


def awaiting_feedback_from(user):
    """Handled requests on which the user may record feedback (服务反馈)."""
    return service_requests_for(user).filter(feedback_filter(user), status=Status.HANDLED)


def requests_for_customer(user, customer):
    """A customer's requests the user may see, newest first (for the customer page)."""
    return service_requests_for(user).filter(customer=customer).order_by("-created_at", "-pk")


def customers_for_new_request(user):
    """The customer picker: normal customers in the user's scope."""
    return (
        Customer.objects.visible_to(user)
        .filter(status=Customer.Status.NORMAL)
        .select_related("owner")
        .order_by("name", "pk")
    )


# Menu badges: one COUNT each, served by the (status, …) and (assignee, status) indexes. ------------


def count_new_requests(user):
    return ServiceRequest.objects.visible_to(user).filter(status=Status.NEW).count()


def count_assigned_to(user):
    return ServiceRequest.objects.visible_to(user).filter(assignee=user, status=Status.ASSIGNED).count()


def count_awaiting_feedback(user):
    return ServiceRequest.objects.visible_to(user).filter(feedback_filter(user), status=Status.HANDLED).count()
