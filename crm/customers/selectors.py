"""Reads of customers and their records, always through the reader's data scope."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Activity, ChurnMeasure, ChurnRecord, Contact, Customer
from .order_facts import with_last_order_date


def customers_for(user):
    """Customers the user may see, with what a list row shows."""
    return Customer.objects.visible_to(user).select_related("owner", "region", "grade")


def customer_for(user, pk):
    """One customer in the user's scope, or 404."""
    return get_object_or_404(customers_for(user), pk=pk)


def contacts_for(user):
    return Contact.objects.visible_to(user).select_related("customer", "owner")


def contact_for(user, customer, pk):
    return get_object_or_404(contacts_for(user).filter(customer=customer), pk=pk)


def activities_for(user):
    return Activity.objects.visible_to(user).select_related("customer", "customer__owner", "follow_up_method")


def activity_for(user, customer, pk):
    return get_object_or_404(activities_for(user).filter(customer=customer), pk=pk)


def upcoming_follow_ups(user, *, today=None, mine=True):
    """Interaction records whose next contact date is today or later, soonest first.

    ``mine`` keeps the customers the user manages; otherwise every customer in scope.
    """
    today = today or timezone.localdate()
    queryset = activities_for(user).filter(next_contact_date__gte=today, customer__status=Customer.Status.NORMAL)
    if mine:
        queryset = queryset.filter(customer__owner=user)
    return queryset.order_by("next_contact_date", "pk")


def churn_records_for(user):
    return ChurnRecord.objects.visible_to(user).select_related("customer", "customer__owner", "reason_category")


def churn_record_for(user, pk):
    return get_object_or_404(
        churn_records_for(user).prefetch_related(
            Prefetch("measures", queryset=ChurnMeasure.objects.select_related("created_by"))
        ),
        pk=pk,
    )


def customer_counts(customer):
    """Numbers shown on the detail page's tabs, in one query."""
    return Customer.objects.filter(pk=customer.pk).aggregate(
        contacts=Count("contacts", distinct=True),
        activities=Count("activities", distinct=True),
        churn_records=Count("churn_records", distinct=True),
    )


def last_order_date(customer):
    return with_last_order_date(Customer.objects.filter(pk=customer.pk)).values_list("last_order_date", flat=True)[0]


def open_churn_record(customer):
    return customer.churn_records.filter(status__in=ChurnRecord.OPEN_STATUSES).first()


def search_customers(user, text):
    """Customers in scope whose number, name or phone contains ``text`` (pickers, search)."""
    text = (text or "").strip()
    queryset = customers_for(user).exclude(status=Customer.Status.DELETED)
    if text:
        queryset = queryset.filter(Q(number__icontains=text) | Q(name__icontains=text) | Q(phone__icontains=text))
    return queryset
