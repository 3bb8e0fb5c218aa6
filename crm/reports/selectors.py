"""Report figures, aggregated by the database inside the viewer's data scope.

Every function starts from ``Model.objects.visible_to(user)`` and, for the dashboard's choice of
one employee or one department, narrows it with ``owned_by`` — the same rule, so a report never
counts a record its viewer could not open. Sums and counts are ``GROUP BY`` queries; Python only
arranges the few grouped rows for display.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from crm.accounts.scope import department_tree_ids, departments_visible_to, users_visible_to
from crm.catalog.selectors import all_orders
from crm.customers.models import Activity, ChurnRecord, Contact, Customer
from crm.dictionary.models import DictItem
from crm.sales.models import Opportunity, PipelineStage
from crm.service.models import ServiceRequest

from .models import CustomerYearSales, OwnerMonthSales, SalesTarget
from .periods import month_end, next_month

ZERO = Decimal("0")


def _share(part, whole):
    """A percentage with one decimal, as a float (a rate, not money)."""
    return round(float(part) * 100 / float(whole), 1) if whole else 0.0


def _dictionary_labels(ids):
    items = DictItem.objects.filter(pk__in=[pk for pk in ids if pk is not None]).values_list(
        "pk", "label", "sort_order"
    )
    return {pk: (label, order) for pk, label, order in items}


# Whose figures (the dashboard's switch) ------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """Everyone in the viewer's scope, one department with its sub-departments, or one employee."""

    kind: str = "all"  # "all" | "department" | "employee"
    pk: int | None = None

    def owner_ids(self):
        """``None`` for everyone in scope (``visible_to`` alone decides), else the users to narrow to."""
        if self.kind == "employee":
            return frozenset({self.pk})
        if self.kind == "department":
            users = get_user_model().objects.filter(department_id__in=department_tree_ids(self.pk))
            return frozenset(users.values_list("pk", flat=True))
        return None


def scoped(queryset, user, subject=None):
    """``queryset`` inside the user's data scope, narrowed to the subject's records."""
    queryset = queryset.visible_to(user)
    owner_ids = subject.owner_ids() if subject else None
    return queryset if owner_ids is None else queryset.owned_by(owner_ids)


def subject_choices(user):
    """The departments and employees a viewer may pick: the active people in their scope, and the
    departments whose every member is in it (a department's figures and its target are then both
    whole; a self-scoped user is not offered the department around them)."""
    users = users_visible_to(user).filter(is_active=True).order_by("department__sort_order", "name", "username")
    departments = departments_visible_to(user).order_by("sort_order", "name")
    return list(departments), list(users)


# R-REP-1 customer contribution ---------------------------------------------------------------------


def contribution(user, *, period, name=""):
    """Order amount per customer in the period, largest first: rows of customer id, amount, orders.

    Customers without orders in the period do not appear: they contributed nothing to rank. A
    calendar year reads the per-customer yearly rollup; any other range sums the orders.
    """
    if _is_calendar_year(period):
        rows = CustomerYearSales.objects.visible_to(user).filter(year=period.start.year)
        if name:
            rows = rows.filter(customer__name__icontains=name)
        summary = rows.aggregate(customers=Count("*"), amount=Sum("amount"), orders=Sum("orders"))
        rows = rows.values("customer", "amount", "orders").order_by("-amount", "customer")
    else:
        orders = all_orders().visible_to(user).filter(order_date__range=(period.start, period.end))
        if name:
            orders = orders.filter(customer__name__icontains=name)
        rows = (
            orders.values("customer").annotate(amount=Sum("amount"), orders=Count("*")).order_by("-amount", "customer")
        )
        summary = orders.aggregate(customers=Count("customer", distinct=True), amount=Sum("amount"), orders=Count("*"))
    summary["amount"] = summary["amount"] or ZERO
    summary["orders"] = summary["orders"] or 0
    return rows, summary


def _is_calendar_year(period):
    return (period.start.month, period.start.day, period.end.month, period.end.day) == (1, 1, 12, 31) and (
        period.start.year == period.end.year
    )


def _is_whole_months(period):
    return period.start.day == 1 and period.end == month_end(period.end)


def with_customers(rows):
    """The grouped ``rows`` (dicts with ``customer``) with their customer, in one query."""
    rows = list(rows)
    customers = Customer.objects.select_related("owner").only(
        "number", "name", "status", "owner__name", "owner__username", "owner__first_name", "owner__last_name"
    )
    found = customers.in_bulk([row["customer"] for row in rows])
    for row in rows:
        row["customer"] = found[row["customer"]]
    return rows


# R-REP-2 customer composition ----------------------------------------------------------------------

COMPOSITION_DIMENSIONS = {
    "grade": _("Grade"),
    "credit": _("Credit"),
    "satisfaction": _("Satisfaction"),
    "region": _("Region"),
}


def composition(user, *, by, region=None):
    """Customers in status normal counted by grade, credit, satisfaction or region.

    Rows: label, count, share (%); a "not set" row collects customers without a value.
    """
    customers = Customer.objects.visible_to(user).filter(status=Customer.Status.NORMAL)
    if region is not None:
        customers = customers.filter(region=region)
    field = {"grade": "grade_id", "region": "region_id"}.get(by, by)
    counts = list(customers.order_by().values_list(field).annotate(count=Count("pk")))
    total = sum(count for _value, count in counts)
    if by in ("grade", "region"):
        labels = _dictionary_labels(value for value, _count in counts)
        keyed = [(labels[value][1] if value else 10**9, labels[value][0] if value else None, n) for value, n in counts]
    else:  # ratings 1–5, shown best first
        keyed = [(-(value or -(10**9)), "★" * value if value else None, n) for value, n in counts]
    rows = []
    for _order, label, count in sorted(keyed, key=lambda item: item[0]):
        rows.append(
            {"label": label if label is not None else _("Not set"), "count": count, "share": _share(count, total)}
        )
    return rows, total


# R-REP-3 service composition -----------------------------------------------------------------------

SERVICE_STATUSES = list(ServiceRequest.Status)


def service_composition(user, *, period):
    """Service requests created in the period, per service type: total and each status."""
    start, end = period.bounds
    requests = ServiceRequest.objects.visible_to(user).filter(created_at__gte=start, created_at__lt=end)
    per_status = {status.value: Count("pk", filter=Q(status=status)) for status in SERVICE_STATUSES}
    grouped = list(requests.order_by().values("service_type").annotate(total=Count("pk"), **per_status))
    total = sum(row["total"] for row in grouped)
    labels = _dictionary_labels(row["service_type"] for row in grouped)
    rows = []
    for row in sorted(grouped, key=lambda r: labels.get(r["service_type"], ("", 10**9))[1]):
        label = labels[row["service_type"]][0] if row["service_type"] in labels else _("Not set")
        rows.append(
            {
                "label": label,
                "total": row["total"],
                "statuses": [row[status.value] for status in SERVICE_STATUSES],
                "share": _share(row["total"], total),
            }
        )
    return rows, total


# R-REP-4 churn analysis ----------------------------------------------------------------------------


def lost_customers(user, *, year=None, name="", manager=None):
    """Confirmed-lost customers, most recent loss first, with what the table shows."""
    records = ChurnRecord.objects.visible_to(user).filter(status=ChurnRecord.Status.LOST)
    if year:
        records = records.filter(lost_date__range=(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
    if name:
        records = records.filter(customer__name__icontains=name)
    if manager is not None:
        records = records.filter(customer__owner=manager)
    return records


def churn_rows(records):
    return records.select_related("customer", "customer__owner", "reason_category").order_by("-lost_date", "-pk")


def churn_reasons(records):
    """How many losses each reason category explains, most frequent first."""
    grouped = list(records.order_by().values_list("reason_category").annotate(count=Count("pk")))
    labels = _dictionary_labels(value for value, _count in grouped)
    total = sum(count for _value, count in grouped)
    rows = [
        {
            "label": labels[value][0] if value in labels else _("Not given"),
            "count": count,
            "share": _share(count, total),
        }
        for value, count in sorted(grouped, key=lambda item: (-item[1], labels.get(item[0], ("", 10**9))[1]))
    ]
    return rows, total


# R-REP-5 dashboard ---------------------------------------------------------------------------------


def _order_figures(user, *, period, subject):
    """Order count and amount in the period: whole months from the per-owner monthly rollup."""
    if _is_whole_months(period):
        rows = scoped(OwnerMonthSales.objects, user, subject).filter(month__range=(period.start, period.end))
        figures = rows.aggregate(count=Sum("orders"), amount=Sum("amount"))
    else:
        orders = scoped(all_orders(), user, subject).filter(order_date__range=(period.start, period.end))
        figures = orders.aggregate(count=Count("*"), amount=Sum("amount"))
    return figures["count"] or 0, figures["amount"] or ZERO


def sales_brief(user, *, period, subject):
    """The period's new customers, contacts, opportunities, orders, order amount and follow-ups."""
    start, end = period.bounds
    orders, amount = _order_figures(user, period=period, subject=subject)
    return {
        "customers": scoped(Customer.objects, user, subject).filter(created_at__gte=start, created_at__lt=end).count(),
        "contacts": scoped(Contact.objects, user, subject).filter(created_at__gte=start, created_at__lt=end).count(),
        "opportunities": scoped(Opportunity.objects, user, subject)
        .filter(created_at__gte=start, created_at__lt=end)
        .count(),
        "orders": orders,
        "amount": amount,
        "activities": scoped(Activity.objects, user, subject).filter(date__range=(period.start, period.end)).count(),
    }


def monthly_sales(user, *, first_month, last_month, subject):
    """Order amount of each whole month from ``first_month`` to ``last_month``: {month: amount}."""
    rows = scoped(OwnerMonthSales.objects, user, subject).filter(month__range=(first_month, last_month))
    return {_as_date(month): amount for month, amount in rows.order_by().values_list("month").annotate(Sum("amount"))}


def _as_date(value):
    if isinstance(value, str):  # SQLite hands dates of raw aggregates back as text
        return datetime.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime.datetime) else value


def sales_trend(user, *, period, subject, months=12):
    """Order amount of each of the ``months`` months up to the period's last month."""
    last = period.end.replace(day=1)
    first = last
    for _step in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    if period.end == month_end(period.end):
        amounts = monthly_sales(user, first_month=first, last_month=last, subject=subject)
    else:  # the last month only up to the period's end: summed from its orders
        amounts = monthly_sales(user, first_month=first, last_month=last - datetime.timedelta(days=1), subject=subject)
        partial = scoped(all_orders(), user, subject).filter(order_date__range=(last, period.end))
        amounts[last] = partial.aggregate(amount=Sum("amount"))["amount"] or ZERO
    series, month = [], first
    while month <= last:
        series.append((month, amounts.get(month, ZERO)))
        month = next_month(month)
    return series


def targets_by_month(user, *, months, subject):
    """The subject's target of each month: {first day of month: amount}.

    One employee: their own target. One department: the department's target. Everyone in
    scope: the sum of the individual targets of the users in the viewer's scope.
    """
    # Only targets the viewer may see: a department's target never meets a part of its figures.
    targets = SalesTarget.objects.visible_to(user).filter(month__in=months)
    if subject.kind == "employee":
        targets = targets.filter(user=subject.pk)
    elif subject.kind == "department":
        targets = targets.filter(department=subject.pk)
    else:
        targets = targets.filter(user__isnull=False)
    return dict(targets.order_by().values_list("month").annotate(Sum("amount")))


def performance(user, *, period, subject):
    """Target and actual order amount of each month the period touches (whole months, as targets
    are monthly), with the completion rate."""
    months = period.months()
    actual = monthly_sales(user, first_month=months[0], last_month=months[-1], subject=subject)
    targets = targets_by_month(user, months=months, subject=subject)
    rows = []
    for month in months:
        target, done = targets.get(month), actual.get(month, ZERO)
        rows.append(
            {"month": month, "target": target, "actual": done, "rate": _share(done, target) if target else None}
        )
    total_target = sum((row["target"] for row in rows if row["target"] is not None), ZERO) if targets else None
    total_actual = sum((row["actual"] for row in rows), ZERO)
    rate = _share(total_actual, total_target) if total_target else None
    return rows, {"target": total_target, "actual": total_actual, "rate": rate}


def ranking(user, *, period, subject, limit=10):
    """The employees with the highest order amount in the period, with their target for it."""
    if _is_whole_months(period):
        rows = scoped(OwnerMonthSales.objects, user, subject).filter(month__range=(period.start, period.end))
        grouped = rows.values("owner").annotate(amount=Sum("amount"), orders=Sum("orders"))
    else:
        orders = scoped(all_orders(), user, subject).filter(order_date__range=(period.start, period.end))
        grouped = orders.values(owner=F("customer__owner")).annotate(amount=Sum("amount"), orders=Count("*"))
    top = list(grouped.filter(owner__isnull=False).order_by("-amount", "owner")[:limit])
    ids = [row["owner"] for row in top]
    targets = dict(
        SalesTarget.objects.filter(user__in=ids, month__in=period.months())
        .order_by()
        .values_list("user")
        .annotate(Sum("amount"))
    )
    people = get_user_model().objects.in_bulk(ids)
    return [
        {
            "user": people[row["owner"]],
            "amount": row["amount"],
            "orders": row["orders"],
            "target": targets.get(row["owner"]),
            "rate": _share(row["amount"], targets[row["owner"]]) if targets.get(row["owner"]) else None,
        }
        for row in top
    ]


def funnel(user, *, period, subject):
    """Opportunities in development per pipeline stage (count, expected and weighted amount),
    then those won in the period."""
    opportunities = scoped(Opportunity.objects, user, subject)
    grouped = {
        stage: (count, amount or ZERO)
        for stage, count, amount in opportunities.filter(status=Opportunity.Status.DEVELOPING)
        .order_by()
        .values_list("stage")
        .annotate(Count("pk"), Sum("expected_amount"))
    }
    rows = []
    for stage in PipelineStage.objects.filter(Q(is_active=True) | Q(pk__in=[pk for pk in grouped if pk])).order_by(
        "sort_order", "pk"
    ):
        count, amount = grouped.get(stage.pk, (0, ZERO))
        rows.append(
            {
                "label": stage.name,
                "win_rate": stage.win_rate,
                "count": count,
                "amount": amount,
                "weighted": (amount * stage.win_rate / 100).quantize(Decimal("0.01")),
            }
        )
    if None in grouped:
        count, amount = grouped[None]
        rows.insert(
            0, {"label": _("No stage yet"), "win_rate": None, "count": count, "amount": amount, "weighted": None}
        )
    start, end = period.bounds
    won = opportunities.filter(status=Opportunity.Status.SUCCEEDED, closed_at__gte=start, closed_at__lt=end).aggregate(
        count=Count("pk"), amount=Sum("expected_amount")
    )
    return rows, {"count": won["count"], "amount": won["amount"] or ZERO}
