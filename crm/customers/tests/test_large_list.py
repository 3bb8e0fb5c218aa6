"""The customer list at volume: capped counting, deep pages by key, the search index."""

import re

import pytest
from django import forms
from django.db import connection
from django.urls import reverse

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role
from crm.customers.filters import QuickSelect
from crm.customers.models import Customer
from crm.customers.pagination import LargeListPaginator

from .factories import CustomerFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="planner estimates are PostgreSQL's")


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(LargeListPaginator, "exact_limit", 5)
    monkeypatch.setattr(LargeListPaginator, "trust_estimate_above", 100)


def newest_first():
    return Customer.objects.select_related("owner", "region", "grade").order_by("-created_at", "-pk")


def test_a_list_within_the_exact_limit_is_counted_exactly(small_limits):
    CustomerFactory.create_batch(5)
    paginator = LargeListPaginator(newest_first(), 2)
    assert paginator.count == 5
    assert not paginator.estimated


def test_a_longer_list_is_estimated_on_postgresql_and_counted_elsewhere(small_limits):
    CustomerFactory.create_batch(12)
    paginator = LargeListPaginator(newest_first(), 2)
    if connection.vendor == "postgresql":
        assert paginator.estimated
        assert paginator.count >= 6  # never below what the capped count saw
    else:
        assert not paginator.estimated
        assert paginator.count == 12


@on_postgresql
def test_far_above_the_limit_the_planner_estimate_alone_counts(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(LargeListPaginator, "trust_estimate_above", 0)
    CustomerFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cst_customer")
    paginator = LargeListPaginator(newest_first(), 2)
    with django_assert_num_queries(1):  # the EXPLAIN, no count
        assert paginator.count == 3
    assert paginator.estimated


@on_postgresql
def test_a_count_over_its_time_budget_falls_back_to_the_estimate_and_restores_the_timeout(monkeypatch):
    monkeypatch.setattr(LargeListPaginator, "count_budget_ms", 5)
    CustomerFactory.create_batch(3)
    slow = newest_first().extra(where=["pg_sleep(0.01) IS NOT NULL"])  # noqa: S610 - a fixed test clause
    paginator = LargeListPaginator(slow, 2)
    assert paginator.estimated
    assert paginator.count >= 0
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
    assert Customer.objects.count() == 3  # the transaction goes on


def test_pages_read_keys_first_and_show_the_same_rows_in_the_same_order(django_assert_num_queries):
    CustomerFactory.create_batch(11)
    expected = list(newest_first().values_list("pk", flat=True))
    paginator = LargeListPaginator(newest_first(), 3)
    paginator.count  # noqa: B018 - counted once, outside the measured page reads
    shown = []
    for number in range(1, 5):
        page = paginator.page(number)
        shown += [customer.pk for customer in page.object_list]
    assert shown == expected
    # One query for the keys, one for the rows with their joins, then no more.
    with django_assert_num_queries(2):
        rows = list(paginator.page(3).object_list)
        assert [row.owner.username for row in rows]


@on_postgresql
def test_the_list_says_about_when_it_estimates(small_limits, client_for):
    supervisor = user_with_role(Role.Key.SUPERVISOR)
    manager = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    CustomerFactory.create_batch(12, owner=manager)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cst_customer")
    page = client_for(supervisor).get(reverse("customers:customer-list")).content.decode()
    assert "1–20 of about" in page or "1–12 of about" in page


def test_the_list_counts_exactly_below_the_limit(client_for):
    supervisor = user_with_role(Role.Key.SUPERVISOR)
    manager = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    CustomerFactory.create_batch(3, owner=manager)
    page = client_for(supervisor).get(reverse("customers:customer-list")).content.decode()
    assert "1–3 of 3" in page and "of about" not in page


def test_a_later_page_of_the_list_shows_the_right_customers(client_for):
    supervisor = user_with_role(Role.Key.SUPERVISOR)
    manager = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    customers = CustomerFactory.create_batch(45, owner=manager)
    names = [c.name for c in sorted(customers, key=lambda c: (c.created_at, c.pk), reverse=True)]
    response = client_for(supervisor).get(reverse("customers:customer-list"), {"page": 3})
    assert [row.name for row in response.context["rows"]] == names[40:45]


@on_postgresql
def test_the_search_box_has_a_trigram_index_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'cst_customer_search_trgm'")
        (definition,) = cursor.fetchone()
    for column in ("number", "name", "phone", "address"):
        assert f"upper(({column})::text) gin_trgm_ops" in definition


def test_the_search_box_finds_text_anywhere_in_number_name_phone_and_address(client_for):
    manager = user_with_role(Role.Key.ACCOUNT_MANAGER)
    CustomerFactory(owner=manager, name="北京华达科技有限公司", phone="010-1", address="北京")
    CustomerFactory(owner=manager, name="天津远洋", phone="022-6688123", address="天津")
    CustomerFactory(owner=manager, name="上海宏业", phone="021-1", address="上海市浦东新区华达路8号")
    CustomerFactory(owner=manager, name="广州", phone="020-1", address="广州", number="KH203001015555")
    client = client_for(manager)

    def found(text):
        response = client.get(reverse("customers:customer-list"), {"q": text})
        return sorted(row.name for row in response.context["rows"])

    assert found("华达") == ["上海宏业", "北京华达科技有限公司"]
    assert found("6688") == ["天津远洋"]
    assert found("kh2030010155") == ["广州"]
    assert found("2030010155") == ["广州"]
    assert found("KH20300101") == ["广州"]


def test_the_filter_bar_selects_render_what_djangos_select_renders():
    choices = [("", "All"), ("1", "北京"), ("2", "<华北>"), ("Group", [("3", "A & B"), ("4", "D")])]

    def parts(html):
        return [(tag, text.strip()) for tag, text in re.findall(r"<((?:select|optgroup|option)[^>]*)>([^<]*)", html)]

    for value in ("", "2", "3"):
        quick = QuickSelect(choices=choices, attrs={"class": "form-select"}).render("region", value, {"id": "id_r"})
        django = forms.Select(choices=choices, attrs={"class": "form-select"}).render("region", value, {"id": "id_r"})
        assert parts(quick) == parts(django)
