"""Monthly sales targets: setting a subject's year, the year's grid, the pages and who may use them."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import Department, Role
from crm.accounts.scope import visible_owner_ids
from crm.accounts.tests.factories import DepartmentFactory, UserFactory, user_with_role
from crm.core import menu
from crm.core.concurrency import StaleEditError
from crm.reports import targets
from crm.reports.models import SalesTarget

pytestmark = pytest.mark.django_db

YEAR = 2026
D = Decimal


def months(**given):
    """Twelve amounts from keyword months, e.g. ``months(jan=100, dec=5)``; the rest None."""
    names = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    return [None if given.get(name) is None else D(str(given[name])) for name in names]


def stored(subject, year=YEAR):
    field = "department" if isinstance(subject, Department) else "user"
    return {t.month.month: t.amount for t in SalesTarget.objects.filter(**{field: subject}, month__year=year)}


def edit_url(kind, subject, year=YEAR):
    return reverse("reports:target-edit", args=[kind, subject.pk, year])


def list_url(year=YEAR):
    return reverse("reports:targets") + f"?year={year}"


def form_data(amounts, fingerprint):
    data = {"fingerprint": fingerprint}
    for month, amount in enumerate(amounts, start=1):
        data[f"m{month}"] = "" if amount is None else str(amount)
    return data


@pytest.fixture
def employee():
    return UserFactory(username="seller", name="Li Lei")


# Setting targets -------------------------------------------------------------------------------------


def test_set_targets_stores_the_given_months_only(administrator, employee):
    result = targets.set_targets(
        subject=employee, year=YEAR, amounts=months(jan=1000, feb="1500.50", dec=0), by=administrator
    )
    assert stored(employee) == {1: D("1000"), 2: D("1500.50"), 12: D("0")}
    assert result.amounts == months(jan=1000, feb="1500.50", dec=0)
    assert SalesTarget.objects.get(user=employee, month=datetime.date(YEAR, 2, 1)).department is None


def test_an_empty_month_removes_its_target_and_unchanged_months_keep_their_version(administrator, employee):
    targets.set_targets(subject=employee, year=YEAR, amounts=months(jan=100, feb=200, mar=300), by=administrator)
    targets.set_targets(subject=employee, year=YEAR, amounts=months(jan=100, mar=350), by=administrator)
    assert stored(employee) == {1: D("100"), 3: D("350")}
    versions = dict(SalesTarget.objects.filter(user=employee).values_list("month__month", "version"))
    assert versions == {1: 1, 3: 2}


def test_targets_of_other_years_and_subjects_are_left_alone(administrator, employee):
    department = employee.department
    targets.set_targets(subject=employee, year=YEAR - 1, amounts=months(dec=9), by=administrator)
    targets.set_targets(subject=department, year=YEAR, amounts=months(jan=5000), by=administrator)
    targets.set_targets(subject=employee, year=YEAR, amounts=months(), by=administrator)
    assert stored(employee, YEAR - 1) == {12: D("9")}
    assert stored(department) == {1: D("5000")}
    assert SalesTarget.objects.get(department=department).user is None


def test_a_negative_amount_is_refused_by_month_and_nothing_is_stored(administrator, employee):
    targets.set_targets(subject=employee, year=YEAR, amounts=months(jan=100), by=administrator)
    with pytest.raises(ValidationError) as refused:
        targets.set_targets(subject=employee, year=YEAR, amounts=months(jan=200, mar=-1), by=administrator)
    assert refused.value.message_dict == {"m3": ["March: a target cannot be negative."]}
    assert stored(employee) == {1: D("100")}


def test_too_many_decimals_or_digits_are_refused(administrator, employee):
    with pytest.raises(ValidationError) as refused:
        targets.set_targets(
            subject=employee, year=YEAR, amounts=months(feb="1.005", jun="1000000000000"), by=administrator
        )
    message = "enter an amount below one trillion with at most two decimal places."
    assert refused.value.message_dict == {"m2": [f"February: {message}"], "m6": [f"June: {message}"]}
    assert not SalesTarget.objects.exists()


def test_a_disabled_employee_gets_no_targets(administrator, employee):
    employee.is_active = False
    employee.save()
    with pytest.raises(ValidationError) as refused:
        targets.set_targets(subject=employee, year=YEAR, amounts=months(jan=1), by=administrator)
    assert refused.value.messages == ["Li Lei is disabled; sales targets can be set for active employees only."]
    assert not SalesTarget.objects.exists()


@pytest.mark.parametrize("year", [1999, 2100])
def test_a_year_out_of_range_is_refused(administrator, employee, year):
    with pytest.raises(ValidationError) as refused:
        targets.set_targets(subject=employee, year=year, amounts=months(jan=1), by=administrator)
    assert refused.value.messages == ["Choose a year between 2000 and 2099."]
    assert not SalesTarget.objects.exists()


def test_only_holders_of_the_change_permission_set_targets(executive, employee):
    with pytest.raises(ValidationError) as refused:
        targets.set_targets(subject=employee, year=YEAR, amounts=months(jan=1), by=executive)
    assert refused.value.messages == ["You may not change sales targets."]
    assert not SalesTarget.objects.exists()


def test_twelve_amounts_are_required(administrator, employee):
    with pytest.raises(ValueError):
        targets.set_targets(subject=employee, year=YEAR, amounts=[D(1)] * 11, by=administrator)


def test_a_save_from_a_stale_form_is_refused(administrator, employee):
    seen = targets.subject_targets(subject=employee, year=YEAR)  # two administrators open the form
    targets.set_targets(
        subject=employee, year=YEAR, amounts=months(jan=100), by=administrator, expected_fingerprint=seen.fingerprint
    )
    with pytest.raises(StaleEditError):
        targets.set_targets(
            subject=employee,
            year=YEAR,
            amounts=months(jan=999),
            by=administrator,
            expected_fingerprint=seen.fingerprint,
        )
    assert stored(employee) == {1: D("100")}


def test_a_change_restoring_the_same_figures_still_makes_older_forms_stale(administrator, employee):
    targets.set_targets(subject=employee, year=YEAR, amounts=months(jan=100), by=administrator)
    seen = targets.subject_targets(subject=employee, year=YEAR)
    targets.set_targets(subject=employee, year=YEAR, amounts=months(jan=200), by=administrator)
    targets.set_targets(subject=employee, year=YEAR, amounts=months(jan=100), by=administrator)
    assert targets.subject_targets(subject=employee, year=YEAR).amounts == seen.amounts
    with pytest.raises(StaleEditError):
        targets.set_targets(
            subject=employee, year=YEAR, amounts=months(jan=1), by=administrator, expected_fingerprint=seen.fingerprint
        )


def test_saving_unchanged_figures_or_another_subject_keeps_a_form_current(administrator, employee):
    targets.set_targets(subject=employee, year=YEAR, amounts=months(jan=100), by=administrator)
    seen = targets.subject_targets(subject=employee, year=YEAR)
    targets.set_targets(subject=employee, year=YEAR, amounts=months(jan="100.00"), by=administrator)
    targets.set_targets(subject=employee.department, year=YEAR, amounts=months(jan=1), by=administrator)
    targets.set_targets(subject=employee, year=YEAR + 1, amounts=months(jan=1), by=administrator)
    targets.set_targets(
        subject=employee, year=YEAR, amounts=months(jan=150), by=administrator, expected_fingerprint=seen.fingerprint
    )
    assert stored(employee) == {1: D("150")}


# The grid ----------------------------------------------------------------------------------------


@pytest.fixture
def organisation():
    """Head office with two branches (the second sorted first) and a sub-branch; three employees."""
    head = DepartmentFactory(name="Head office", sort_order=1)
    north = DepartmentFactory(name="North", parent=head, sort_order=2)
    south = DepartmentFactory(name="South", parent=head, sort_order=1)
    harbour = DepartmentFactory(name="Harbour", parent=south)
    other = DepartmentFactory(name="Other company", sort_order=2)
    people = {
        "wang": UserFactory(username="wang", department=north),
        "zhao": UserFactory(username="zhao", department=harbour),
        "qian": UserFactory(username="qian", department=head),
        "gone": UserFactory(username="gone", department=head, is_active=False),
    }
    return head, north, south, harbour, other, people


def add(subject, month, amount, year=YEAR):
    field = "department" if isinstance(subject, Department) else "user"
    SalesTarget.objects.create(**{field: subject}, month=datetime.date(year, month, 1), amount=D(amount))


def test_grid_lists_departments_in_tree_order_with_their_own_figures(organisation, administrator):
    head, north, south, harbour, other, people = organisation
    add(head, 1, "1000")
    add(head, 12, "2000.50")
    add(head, 12, "777", year=YEAR - 1)  # other years do not count
    add(head, 1, "888", year=YEAR + 1)
    add(south, 6, "300")
    grid = targets.target_grid(year=YEAR, viewer=administrator)
    ours = [(row.subject, row.depth) for row in grid.departments if row.subject in (head, north, south, harbour, other)]
    assert ours == [(head, 0), (south, 1), (harbour, 2), (north, 1), (other, 0)]
    rows = {row.subject: row for row in grid.departments}
    assert rows[head].amounts == months(jan="1000", dec="2000.50")
    assert rows[head].total == D("3000.50")
    assert rows[south].amounts == months(jun=300) and rows[south].total == D("300")
    # A department's target is its own figure: the head office's does not include the branches'.
    assert rows[north].amounts == [None] * 12 and rows[north].total is None


def test_grid_lists_active_employees_by_department_with_their_figures(organisation, administrator):
    head, north, south, harbour, other, people = organisation
    add(people["wang"], 3, "50")
    add(people["wang"], 4, "70.25")
    add(people["gone"], 1, "10")
    add(people["zhao"], 1, "5", year=YEAR - 1)
    grid = targets.target_grid(year=YEAR, viewer=administrator)
    usernames = [row.subject.username for row in grid.users]
    assert "gone" not in usernames
    ours = [name for name in usernames if name in people]
    assert ours == ["qian", "zhao", "wang"]  # head office, then south's harbour, then north
    rows = {row.subject.username: row for row in grid.users}
    assert rows["wang"].amounts == months(mar=50, apr="70.25") and rows["wang"].total == D("120.25")
    assert rows["zhao"].amounts == [None] * 12 and rows["zhao"].total is None


def test_grid_takes_two_queries_however_many_rows(organisation, administrator, django_assert_num_queries):
    head, north, south, harbour, other, people = organisation
    for department in (head, north, south):
        for month in range(1, 13):
            add(department, month, "1")
    for extra in range(10):
        add(UserFactory(department=harbour), extra + 1, "2")
    visible_owner_ids(administrator)  # the viewer's scope, resolved once per request
    with django_assert_num_queries(2):
        grid = targets.target_grid(year=YEAR, viewer=administrator)
        assert len(grid.users) >= 13 and len(grid.departments) >= 5


# Pages -------------------------------------------------------------------------------------------


def test_administrator_sees_the_year_with_edit_links(client_for, administrator, employee):
    add(employee, 2, "1234567.5")
    add(employee.department, 1, "10")
    page = client_for(administrator).get(list_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="2026" selected>' in html
    assert "1,234,567.50" in html
    assert f'href="{edit_url("user", employee)}"' in html
    assert f'href="{edit_url("department", employee.department)}"' in html
    assert page.context["grid"].year == YEAR


def test_the_list_defaults_to_the_current_year(client_for, administrator):
    current = timezone.localdate().year
    for query in ("", "?year=abc", "?year=1850"):
        page = client_for(administrator).get(reverse("reports:targets") + query)
        assert page.context["year"] == current, query


def test_executive_views_but_cannot_edit(client_for, executive, employee):
    client = client_for(executive)
    page = client.get(list_url())
    assert page.status_code == 200
    assert "/reports/targets/user/" not in page.content.decode()
    assert client.get(edit_url("user", employee)).status_code == 403
    assert client.post(edit_url("user", employee), form_data(months(jan=1), "x")).status_code == 403
    assert not SalesTarget.objects.exists()


def test_supervisor_views_the_targets(client_for, supervisor):
    assert client_for(supervisor).get(list_url()).status_code == 200


def test_account_manager_cannot_view_the_targets(client_for, account_manager):
    assert client_for(account_manager).get(list_url()).status_code == 403


@pytest.mark.parametrize(
    ("role", "shown"),
    [("administrator", True), ("executive", True), ("supervisor", True), ("account_manager", False)],
)
def test_the_menu_entry_follows_the_view_permission(request, role, shown):
    user = request.getfixturevalue(role)
    entries = {item.url_name for group, items in menu.menu_for(user) if group.key == "basedata" for item in items}
    assert ("reports:targets" in entries) is shown


def test_a_new_role_can_be_granted_the_targets(client_for, employee):
    role = Role.objects.create(name="Planner", data_scope=Role.DataScope.ALL)
    granted = Permission.objects.filter(
        content_type__app_label="reports", codename__in=["view_salestarget", "change_salestarget"]
    )
    assert granted.count() == 2
    role.permissions.set(granted)
    planner = UserFactory(roles=[role])
    assert client_for(planner).get(edit_url("department", employee.department)).status_code == 200


def test_the_edit_page_shows_the_stored_months_and_saves(client_for, administrator, employee):
    add(employee, 1, "100")
    add(employee, 2, "200")
    client = client_for(administrator)
    page = client.get(edit_url("user", employee))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["m1"].value() == D("100") and form["m3"].value() is None
    assert "Sales targets of Li Lei, 2026" in page.content.decode()
    amounts = months(jan=100, mar="300.50", dec=1200)
    response = client.post(edit_url("user", employee), form_data(amounts, form["fingerprint"].value()), follow=True)
    assert response.redirect_chain[-1][0] == list_url()
    assert "Sales targets of Li Lei for 2026 saved." in response.content.decode()
    assert stored(employee) == {1: D("100"), 3: D("300.50"), 12: D("1200")}


def test_a_department_is_edited_the_same_way(client_for, administrator):
    department = DepartmentFactory(name="East")
    client = client_for(administrator)
    fingerprint = client.get(edit_url("department", department)).context["form"]["fingerprint"].value()
    response = client.post(edit_url("department", department), form_data(months(jul=5), fingerprint))
    assert response.status_code == 302
    assert stored(department) == {7: D("5")}


def test_bad_input_shows_the_errors_and_changes_nothing(client_for, administrator, employee):
    add(employee, 1, "100")
    client = client_for(administrator)
    fingerprint = client.get(edit_url("user", employee)).context["form"]["fingerprint"].value()
    data = form_data(months(jan=500, feb=-5), fingerprint) | {"m4": "lots"}
    response = client.post(edit_url("user", employee), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"m2", "m4"}
    assert errors["m4"] == ["Enter a number."]
    assert errors["m2"] == ["February: a target cannot be negative."]
    assert response.context["form"]["m1"].value() == "500"  # the input is kept
    assert stored(employee) == {1: D("100")}


def test_a_stale_form_keeps_the_input_and_says_to_reload(client_for, administrator, employee):
    client = client_for(administrator)
    fingerprint = client.get(edit_url("user", employee)).context["form"]["fingerprint"].value()
    targets.set_targets(subject=employee, year=YEAR, amounts=months(jan=1), by=administrator)  # someone else
    response = client.post(edit_url("user", employee), form_data(months(jan=2), fingerprint))
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert response.context["form"]["m1"].value() == "2"
    assert stored(employee) == {1: D("1")}


def test_a_form_without_its_fingerprint_is_refused(client_for, administrator, employee):
    response = client_for(administrator).post(edit_url("user", employee), form_data(months(jan=2), ""))
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert not SalesTarget.objects.exists()


def test_a_disabled_employee_page_says_why_it_cannot_be_saved(client_for, administrator, employee):
    employee.is_active = False
    employee.save()
    client = client_for(administrator)
    fingerprint = client.get(edit_url("user", employee)).context["form"]["fingerprint"].value()
    response = client.post(edit_url("user", employee), form_data(months(jan=2), fingerprint))
    assert response.status_code == 400
    assert "sales targets can be set for active employees only" in response.content.decode()
    assert not SalesTarget.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/reports/targets/team/{pk}/2026/",
        "/reports/targets/user/999999/2026/",
        "/reports/targets/user/{pk}/1999/",
        "/reports/targets/user/{pk}/2100/",
    ],
)
def test_unknown_subjects_and_years_are_not_found(client_for, administrator, employee, path):
    assert client_for(administrator).get(path.format(pk=employee.pk)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, employee):
    for url in (list_url(), edit_url("user", employee)):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


# Concurrent saves (real transactions; PostgreSQL only) -----------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections")
def test_of_two_concurrent_saves_from_the_same_form_exactly_one_wins():
    administrator = user_with_role(Role.Key.ADMINISTRATOR, username="admin_race")
    employee = UserFactory(username="raced")
    seen = targets.subject_targets(subject=employee, year=YEAR)
    start = threading.Barrier(4)
    saved, refused, errors = [], [], []

    def save(amount):
        try:
            start.wait()
            targets.set_targets(
                subject=employee,
                year=YEAR,
                amounts=months(jan=amount, feb=amount),
                by=administrator,
                expected_fingerprint=seen.fingerprint,
            )
            saved.append(amount)
        except StaleEditError:
            refused.append(amount)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(amount,)) for amount in (10, 20, 30, 40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(saved) == 1 and len(refused) == 3
    assert stored(employee) == {1: D(saved[0]), 2: D(saved[0])}


# The data scope ----------------------------------------------------------------------------------


def test_a_supervisor_sees_the_targets_of_their_team_only(client_for, org, executive):
    """The grid follows ``SalesTarget.objects.visible_to``: the supervisor's department tree and its
    people, nothing of the other department."""
    for subject, amount in ((org.top, "100"), (org.other, "200"), (org.alice, "10"), (org.dave, "20")):
        add(subject, 1, amount)
    page = client_for(org.supervisor).get(list_url())
    grid = page.context["grid"]
    assert {row.subject for row in grid.departments} == {org.top, org.east, org.shanghai}
    assert {row.subject for row in grid.users} == {org.supervisor, org.alice, org.bob, org.carol}
    html = page.content.decode()
    assert "Dave" not in html and org.other.name not in html
    assert set(SalesTarget.objects.visible_to(org.supervisor)) == set(
        SalesTarget.objects.filter(Q(user=org.alice) | Q(department=org.top))
    )
    everything = client_for(executive).get(list_url()).context["grid"]
    assert {org.other, org.top} <= {row.subject for row in everything.departments}
    assert {org.dave, org.alice} <= {row.subject for row in everything.users}


def test_a_planner_sets_targets_only_inside_their_scope(client_for, org):
    role = Role.objects.create(name="Team planner", data_scope=Role.DataScope.DEPARTMENT_TREE)
    role.permissions.set(
        Permission.objects.filter(
            content_type__app_label="reports", codename__in=["view_salestarget", "change_salestarget"]
        )
    )
    planner = UserFactory(roles=[role], department=org.top)
    client = client_for(planner)
    assert client.get(edit_url("department", org.east)).status_code == 200
    assert client.get(edit_url("user", org.bob)).status_code == 200
    for kind, subject in (("department", org.other), ("user", org.dave)):
        assert client.get(edit_url(kind, subject)).status_code == 404
        assert client.post(edit_url(kind, subject), form_data(months(jan=1), "x")).status_code == 404
        with pytest.raises(ValidationError) as error:
            targets.set_targets(subject=subject, year=YEAR, amounts=months(jan=1), by=planner)
        assert "outside your data scope" in error.value.messages[0]
    assert not SalesTarget.objects.exists()
