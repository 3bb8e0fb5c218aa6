"""The volume data generator builds valid, scoped data at a small scale (tests run it on SQLite and
PostgreSQL; the full million-customer set is built the same way, see docs/performance.md)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Sum
from django.utils import timezone

from crm.accounts.models import Department, Role, User
from crm.accounts.scope import visible_owner_ids
from crm.catalog.models import Order, OrderLine, Product
from crm.customers.models import Activity, ChurnMeasure, ChurnRecord, Contact, Customer, CustomerNumberCounter
from crm.customers.tests.factories import CustomerFactory
from crm.devtools.volume import USERNAME_PREFIX
from crm.dictionary.models import DictType
from crm.reports.models import CustomerYearSales, OwnerMonthSales, SalesTarget
from crm.sales.models import Opportunity
from crm.service.models import ServiceRequest, ServiceRound

SCALE = 0.0005  # 500 customers, 1,667 orders, 100 opportunities, 250 service requests

GENERATED = [
    Customer,
    Contact,
    Activity,
    ChurnRecord,
    ChurnMeasure,
    Order,
    OrderLine,
    CustomerYearSales,
    OwnerMonthSales,
    Opportunity,
    ServiceRequest,
    ServiceRound,
    SalesTarget,
]


def generate(**options):
    out = StringIO()
    call_command("generate_volume_data", scale=SCALE, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def volume(db):
    return generate()


def test_builds_every_table_at_the_chosen_scale_and_reports_counts_and_time(volume):
    assert Customer.objects.count() == 500
    # 1 to 5 contacts and order lines each, 3 on average.
    assert Contact.objects.count() == 1500
    assert Order.objects.count() == 1667
    lines = sum(1 + (3 * g) % 5 for g in range(1, 1668))
    assert OrderLine.objects.count() == lines
    assert Activity.objects.count() == 500
    assert Opportunity.objects.count() == 100
    assert ServiceRequest.objects.count() == 250
    assert Product.objects.count() == 300
    assert ChurnRecord.objects.filter(status=ChurnRecord.Status.LOST).exists()
    assert ChurnRecord.objects.filter(status__in=ChurnRecord.OPEN_STATUSES).exists()
    assert ServiceRound.objects.exists()
    for line in ("cst_customer", "orders_line", "cst_service_round", "report_sales_target"):
        assert re.search(rf"^\s+{line}\s+[\d,]+$", volume, re.MULTILINE), line
    assert re.search(r"^\s+customers\s+[\d.]+ s$", volume, re.MULTILINE)
    assert re.search(r"^Done in \d+ s", volume, re.MULTILINE)


def test_has_100_users_in_10_departments_with_the_default_roles(volume):
    departments = Department.objects.filter(users__username__startswith=USERNAME_PREFIX).distinct()
    assert departments.count() == 10
    assert departments.filter(parent=None).count() == 2
    assert all(d.parent is None or d.parent.parent is None for d in departments)
    users = User.objects.filter(username__startswith=USERNAME_PREFIX)
    assert users.count() == 100
    assert all(u.roles.count() == 1 for u in users)
    keys = {key: users.filter(roles__system_key=key).count() for key in Role.Key.values}
    assert keys == {"supervisor": 10, "executive": 1, "administrator": 1, "account_manager": 88}
    for department in departments:
        assert department.users.filter(roles__system_key=Role.Key.SUPERVISOR).count() == 1
    # Customers belong to account managers, each of whom reports to their department's supervisor.
    managers = users.filter(roles__system_key=Role.Key.ACCOUNT_MANAGER)
    assert set(Customer.objects.values_list("owner", flat=True).distinct()) <= set(
        managers.values_list("pk", flat=True)
    )
    assert not managers.exclude(superior__department=F("department")).exists()


def test_every_order_stores_the_sum_of_its_lines(volume):
    orders = Order.objects.annotate(total=Sum("lines__amount"), lines_count=Count("lines"))
    assert not orders.filter(lines_count=0).exists()
    mismatched = [(o.pk, o.amount, o.total) for o in orders if o.amount != o.total]
    assert mismatched == []
    assert Order.objects.aggregate(s=Sum("amount"))["s"] == OrderLine.objects.aggregate(s=Sum("amount"))["s"] > 0


def test_the_order_rollups_sum_the_generated_orders(volume):
    total = Order.objects.aggregate(s=Sum("amount"))["s"]
    assert CustomerYearSales.objects.aggregate(s=Sum("amount"))["s"] == total
    assert OwnerMonthSales.objects.aggregate(s=Sum("amount"))["s"] == total
    assert OwnerMonthSales.objects.aggregate(n=Sum("orders"))["n"] == Order.objects.count()


def test_every_foreign_key_points_at_an_existing_record_of_the_right_kind(volume):
    for model in GENERATED:
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            existing = field.related_model.objects.values("pk")
            orphans = model.objects.exclude(**{f"{field.name}__isnull": True}).exclude(
                **{f"{field.name}__in": existing}
            )
            assert not orphans.exists(), f"{model.__name__}.{field.name}"
    dictionary = [
        (Customer, "region", DictType.REGION),
        (Customer, "grade", DictType.CUSTOMER_GRADE),
        (Activity, "follow_up_method", DictType.FOLLOW_UP_METHOD),
        (ChurnRecord, "reason_category", DictType.CHURN_REASON),
        (Opportunity, "source", DictType.OPPORTUNITY_SOURCE),
        (ServiceRequest, "service_type", DictType.SERVICE_TYPE),
    ]
    for model, field, dict_type in dictionary:
        used = model.objects.exclude(**{f"{field}__isnull": True})
        assert used.exists(), f"{model.__name__}.{field}"
        assert not used.exclude(**{f"{field}__dict_type": dict_type}).exists(), f"{model.__name__}.{field}"


def test_records_pass_the_models_own_validation(volume):
    for model in GENERATED:
        for record in model.objects.order_by("pk")[:: max(model.objects.count() // 15, 1)][:15]:
            record.full_clean()
    assert not Customer.objects.exclude(version=1).exists()
    assert not Customer.objects.filter(created_at__gt=timezone.now() + timezone.timedelta(days=1)).exists()


def test_customer_numbers_follow_the_creation_day_and_the_counters(volume):
    customers = list(Customer.objects.values_list("number", "created_at"))
    for number, created_at in customers:
        assert re.fullmatch(rf"KH{timezone.localtime(created_at):%Y%m%d}\d{{4}}", number), number
    per_day = {}
    for number, _created in customers:
        per_day[number[2:10]] = max(per_day.get(number[2:10], 0), int(number[10:]))
    counters = {f"{c.day:%Y%m%d}": c.last for c in CustomerNumberCounter.objects.all()}
    assert counters == per_day


def test_churn_history_matches_customer_status(volume):
    lost = ChurnRecord.objects.filter(status=ChurnRecord.Status.LOST)
    assert not lost.exclude(customer__status=Customer.Status.LOST).exists()
    assert not Customer.objects.filter(status=Customer.Status.LOST).exclude(churn_records__in=lost).exists()
    assert not lost.filter(lost_date=None).exists()
    assert not lost.filter(reason_category=None).exists()
    # A lost customer ordered nothing after the day it was lost.
    for record in lost:
        assert not record.customer.orders.filter(order_date__gt=record.lost_date).exists()
        assert (
            record.last_order_date
            == record.customer.orders.order_by("-order_date").values_list("order_date", flat=True).first()
        )
    postponed = ChurnRecord.objects.filter(status=ChurnRecord.Status.POSTPONED)
    assert ChurnMeasure.objects.filter(churn_record__in=postponed).count() == postponed.count()


def test_an_account_manager_sees_only_their_customers_and_a_supervisor_their_department_tree(volume):
    manager = User.objects.filter(username__startswith=USERNAME_PREFIX, roles__system_key=Role.Key.ACCOUNT_MANAGER)[5]
    visible = Customer.objects.visible_to(manager)
    assert visible.exists()
    assert set(visible.values_list("owner", flat=True).distinct()) == {manager.pk}
    assert visible.count() == Customer.objects.filter(owner=manager).count() < Customer.objects.count()

    region_head = User.objects.get(department__name="华北大区", roles__system_key=Role.Key.SUPERVISOR)
    tree = set(
        User.objects.filter(department__in=Department.objects.filter(name="华北大区").values("pk")).values_list(
            "pk", flat=True
        )
    )
    tree |= set(User.objects.filter(department__parent__name="华北大区").values_list("pk", flat=True))
    assert visible_owner_ids(region_head) == tree
    assert 0 < Customer.objects.visible_to(region_head).count() < Customer.objects.count()

    executive = User.objects.get(username__startswith=USERNAME_PREFIX, roles__system_key=Role.Key.EXECUTIVE)
    assert Customer.objects.visible_to(executive).count() == Customer.objects.count()


def test_every_sales_user_and_department_has_a_target_for_every_month(volume):
    sales = User.objects.filter(
        username__startswith=USERNAME_PREFIX, roles__system_key__in=[Role.Key.SUPERVISOR, Role.Key.ACCOUNT_MANAGER]
    )
    months = SalesTarget.objects.values("month").distinct().count()
    assert months == 37  # three years back to the current month
    assert SalesTarget.objects.filter(user__in=sales).count() == sales.count() * months
    assert SalesTarget.objects.filter(department__isnull=False).count() == 10 * months
    assert SalesTarget.objects.filter(amount__gt=0).exists()


def test_refuses_a_database_that_has_customers_unless_forced(db):
    CustomerFactory()
    with pytest.raises(CommandError, match="already has customers.*--force"):
        generate()
    assert Customer.objects.count() == 1

    generate(force=True)
    generate(force=True)  # a second run adds to the first, reusing its users and products
    assert Customer.objects.count() == 1001
    assert User.objects.filter(username__startswith=USERNAME_PREFIX).count() == 100
    assert Product.objects.count() == 300
    assert Customer.objects.values("number").distinct().count() == 1001
    orders = Order.objects.annotate(total=Sum("lines__amount"))
    assert all(o.amount == o.total for o in orders)
