import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings

from crm.accounts.models import Role
from crm.accounts.tests.factories import UserFactory, user_with_role
from crm.customers import order_facts, services, tasks
from crm.customers.models import ChurnMeasure, ChurnRecord, Customer
from crm.dictionary.models import DictType

from .factories import ChurnRecordFactory, CustomerFactory, dict_item, set_created

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 8, 31)


def old_customer(day=datetime.date(2025, 1, 1), **kwargs):
    return set_created(CustomerFactory(**kwargs), day)


# The scheduled check (R-LOST-1) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "cutoff"),
    [
        (datetime.date(2026, 8, 31), datetime.date(2026, 2, 28)),  # shorter month: its last day
        (datetime.date(2024, 8, 31), datetime.date(2024, 2, 29)),
        (datetime.date(2026, 3, 15), datetime.date(2025, 9, 15)),
        (datetime.date(2026, 1, 10), datetime.date(2025, 7, 10)),
    ],
)
def test_months_before(today, cutoff):
    assert services.months_before(today, 6) == cutoff


def test_customer_created_exactly_six_months_ago_is_not_yet_churning():
    cutoff = services.months_before(TODAY, 6)
    exactly = set_created(CustomerFactory(), cutoff)
    one_day_more = set_created(CustomerFactory(), cutoff - datetime.timedelta(days=1))
    opened = services.open_churn_warnings(today=TODAY, months=6)
    assert [r.customer for r in opened] == [one_day_more]
    assert not exactly.churn_records.exists()


def test_never_ordered_customer_gets_a_warning_without_a_last_order_date():
    customer = old_customer()
    [record] = services.open_churn_warnings(today=TODAY, months=6)
    assert record.customer == customer
    assert record.status == ChurnRecord.Status.WARNING
    assert record.last_order_date is None
    assert record.created_date == TODAY


def test_recent_customers_lost_customers_and_deleted_customers_are_skipped():
    set_created(CustomerFactory(), TODAY - datetime.timedelta(days=30))
    old_customer(status=Customer.Status.LOST)
    old_customer(status=Customer.Status.DELETED)
    assert services.open_churn_warnings(today=TODAY, months=6) == []


def test_the_job_is_idempotent():
    old_customer()
    old_customer()
    assert len(services.open_churn_warnings(today=TODAY)) == 2
    assert services.open_churn_warnings(today=TODAY) == []
    assert services.open_churn_warnings(today=TODAY + datetime.timedelta(days=1)) == []
    assert ChurnRecord.objects.count() == 2


def test_a_postponed_record_stays_the_only_open_one():
    customer = old_customer()
    [record] = services.open_churn_warnings(today=TODAY)
    services.postpone_churn(record, measure="总经理亲自拜访", by=customer.owner)
    assert services.open_churn_warnings(today=TODAY + datetime.timedelta(days=40)) == []


def test_a_closed_record_lets_a_later_warning_open():
    customer = old_customer()
    [record] = services.open_churn_warnings(today=TODAY)
    services.close_churn_for_new_order(customer)
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.CLOSED and record.closed_date is not None
    # Without orders (catalog not consulted here) the customer churns again later.
    [again] = services.open_churn_warnings(today=TODAY + datetime.timedelta(days=1))
    assert again.pk != record.pk


def test_the_database_refuses_a_second_open_record():
    from django.db import IntegrityError, transaction

    record = ChurnRecordFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChurnRecordFactory(customer=record.customer, status=ChurnRecord.Status.POSTPONED)


@override_settings(CRM_CHURN_MONTHS=3)
def test_the_period_comes_from_settings():
    customer = set_created(CustomerFactory(), TODAY - datetime.timedelta(days=100))
    [record] = services.open_churn_warnings(today=TODAY)
    assert record.customer == customer


def test_task_and_command_run_the_same_check(capsys):
    old_customer()
    old_customer()
    assert tasks.open_churn_warnings.delay().get() == 2
    call_command("open_churn_warnings", "--date", "2030-01-01")
    assert "Opened 0 churn warning(s)." in capsys.readouterr().out


# Postpone and confirm (R-LOST-2, R-LOST-3) -------------------------------------------------------


def test_postpone_appends_measures_and_keeps_the_earlier_ones():
    record = ChurnRecordFactory()
    manager = record.customer.owner
    services.postpone_churn(record, measure="赠送延保服务", by=manager, date=datetime.date(2026, 9, 1))
    services.postpone_churn(record, measure="  给予九折优惠  ", by=manager, date=datetime.date(2026, 9, 5))
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.POSTPONED
    assert [m.text for m in record.measures.all()] == ["赠送延保服务", "给予九折优惠"]


def test_postpone_requires_a_measure():
    record = ChurnRecordFactory()
    with pytest.raises(ValidationError) as error:
        services.postpone_churn(record, measure="   ", by=record.customer.owner)
    assert "measure" in error.value.message_dict
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.WARNING
    assert not ChurnMeasure.objects.exists()


def test_only_the_customers_manager_takes_measures(supervisor):
    record = ChurnRecordFactory(customer__owner=UserFactory(department=supervisor.department))
    with pytest.raises(ValidationError, match="Only the customer's manager"):
        services.postpone_churn(record, measure="措施", by=supervisor)
    with pytest.raises(ValidationError, match="Only the customer's manager"):
        services.confirm_churn(record, reason="价格", by=supervisor)
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.WARNING


def test_confirm_lost_requires_a_reason_and_changes_nothing_without_one():
    record = ChurnRecordFactory()
    with pytest.raises(ValidationError) as error:
        services.confirm_churn(record, reason="", by=record.customer.owner)
    assert "reason" in error.value.message_dict
    record.refresh_from_db()
    record.customer.refresh_from_db()
    assert record.status == ChurnRecord.Status.WARNING
    assert record.customer.status == Customer.Status.NORMAL


def test_confirm_lost_marks_record_and_customer_lost_with_the_date():
    record = ChurnRecordFactory()
    manager = record.customer.owner
    services.postpone_churn(record, measure="拜访", by=manager)
    reason = dict_item(DictType.CHURN_REASON, "competitor")
    services.confirm_churn(
        record, reason="转向竞争对手的产品", reason_category=reason, by=manager, date=datetime.date(2026, 9, 9)
    )
    record.refresh_from_db()
    customer = Customer.objects.get(pk=record.customer_id)
    assert record.status == ChurnRecord.Status.LOST
    assert record.lost_date == datetime.date(2026, 9, 9)
    assert record.reason == "转向竞争对手的产品" and record.reason_category == reason
    assert record.confirmed_by == manager
    assert customer.status == Customer.Status.LOST and customer.version == 2


def test_no_measures_after_the_loss_is_confirmed():
    record = ChurnRecordFactory()
    services.confirm_churn(record, reason="倒闭", by=record.customer.owner)
    with pytest.raises(ValidationError, match="already"):
        services.postpone_churn(record, measure="再试试", by=record.customer.owner)
    with pytest.raises(ValidationError, match="already"):
        services.confirm_churn(record, reason="再次确认", by=record.customer.owner)


def test_new_order_closes_the_open_record_only():
    lost = ChurnRecordFactory(status=ChurnRecord.Status.LOST)
    open_record = ChurnRecordFactory(customer=lost.customer, status=ChurnRecord.Status.POSTPONED)
    assert services.close_churn_for_new_order(lost.customer) == open_record
    lost.refresh_from_db()
    assert lost.status == ChurnRecord.Status.LOST
    assert services.close_churn_for_new_order(lost.customer) is None


def test_account_manager_role_may_act_supervisor_only_view():
    manager = user_with_role(Role.Key.ACCOUNT_MANAGER)
    supervisor = user_with_role(Role.Key.SUPERVISOR)
    assert manager.has_perm("customers.change_churnrecord")
    assert supervisor.has_perm("customers.view_churnrecord")
    assert not supervisor.has_perm("customers.change_churnrecord")


# With the catalog's historical orders (R-LOST-1, last order date) ---------------------------------

needs_catalog = pytest.mark.skipif(not order_facts.available(), reason="the catalog app holds the orders")


def make_order(customer, day):
    from crm.catalog.models import Order

    return Order.objects.create(
        external_key=f"SO-{customer.pk}-{day:%Y%m%d}", number=f"SO{day:%Y%m%d}", customer=customer, order_date=day
    )


@needs_catalog
def test_last_order_decides_for_customers_who_ordered():
    cutoff = services.months_before(TODAY, 6)
    exactly = old_customer()
    make_order(exactly, cutoff - datetime.timedelta(days=400))
    make_order(exactly, cutoff)  # the latest order counts: exactly six months is not yet churn
    churning = old_customer()
    make_order(churning, cutoff - datetime.timedelta(days=1))
    recent_but_old_account = old_customer()
    make_order(recent_but_old_account, TODAY - datetime.timedelta(days=3))

    [record] = services.open_churn_warnings(today=TODAY, months=6)
    assert record.customer == churning
    assert record.last_order_date == cutoff - datetime.timedelta(days=1)


@needs_catalog
def test_a_new_customer_with_an_old_order_is_churning_by_its_order():
    customer = set_created(CustomerFactory(), TODAY - datetime.timedelta(days=10))
    make_order(customer, TODAY - datetime.timedelta(days=365))
    [record] = services.open_churn_warnings(today=TODAY)
    assert record.customer == customer
