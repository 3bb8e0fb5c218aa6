"""CrmListView, seen through the user and dictionary lists: server-side sorting, filtering and
pagination, the htmx fragment, empty states and a query count that does not grow (Q-5)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.accounts.models import Role, User
from crm.accounts.services import _permissions
from crm.accounts.tests.factories import DepartmentFactory, RoleFactory, UserFactory
from crm.dictionary.models import DictItem


def usernames(response):
    return [row.username for row in response.context["rows"]]


@pytest.fixture
def admin_client(client_for, administrator):
    return client_for(administrator)


@pytest.fixture
def staff(db):
    alpha, beta = DepartmentFactory(name="Alpha"), DepartmentFactory(name="Beta")
    return [
        UserFactory(username="carol", name="Carol", department=beta, mobile="13900000001"),
        UserFactory(username="alice", name="Zoe", department=alpha, mobile="13900000002"),
        UserFactory(username="bob", name="Bob", department=beta, mobile="13911112222"),
    ]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("", ["alice", "bob", "carol"]),
        ("username", ["alice", "bob", "carol"]),
        ("-username", ["carol", "bob", "alice"]),
        ("name", ["bob", "carol", "alice"]),
        ("-name", ["alice", "carol", "bob"]),
    ],
)
def test_rows_follow_the_chosen_sort(admin_client, staff, sort, expected):
    assert usernames(admin_client.get(f"/accounts/users/?q=139&sort={sort}")) == expected


def test_sort_by_a_related_field_breaks_ties_by_id(admin_client, staff):
    rows = usernames(admin_client.get("/accounts/users/?sort=department&page_size=100"))
    beta = [name for name in rows if name in ("carol", "bob")]
    assert beta == ["carol", "bob"]  # same department: creation order
    assert rows.index("alice") < rows.index("carol")


def test_sort_outside_the_whitelist_falls_back_to_the_default(admin_client, staff):
    response = admin_client.get("/accounts/users/?sort=password")
    assert response.status_code == 200
    assert response.context["sort"] == "username"
    assert usernames(response) == sorted(usernames(response))


def test_search_and_filters_narrow_the_rows(admin_client, staff):
    assert usernames(admin_client.get("/accounts/users/?q=1391111")) == ["bob"]
    assert usernames(admin_client.get("/accounts/users/?q=zoe")) == ["alice"]
    beta = staff[0].department
    assert usernames(admin_client.get(f"/accounts/users/?department={beta.pk}")) == ["bob", "carol"]


def test_invalid_filter_value_shows_no_rows_instead_of_all(admin_client, staff):
    response = admin_client.get("/accounts/users/?department=not-a-number")
    assert response.status_code == 200
    assert usernames(response) == []


def test_page_size_is_limited_to_the_offered_sizes(admin_client, staff):
    UserFactory.create_batch(25)
    assert len(admin_client.get("/accounts/users/").context["rows"]) == 20
    assert len(admin_client.get("/accounts/users/?page_size=50").context["rows"]) == User.objects.count()
    assert len(admin_client.get("/accounts/users/?page_size=7").context["rows"]) == 20
    assert len(admin_client.get("/accounts/users/?page_size=x").context["rows"]) == 20


def test_page_numbers_out_of_range_or_garbled_do_not_fail(admin_client, staff):
    UserFactory.create_batch(25)
    last = admin_client.get("/accounts/users/?page=999")
    assert last.status_code == 200
    assert last.context["page"].number == last.context["page"].paginator.num_pages == 2
    assert admin_client.get("/accounts/users/?page=abc").context["page"].number == 1


def test_pagination_links_keep_filters_and_sorting(admin_client, staff):
    UserFactory.create_batch(25, name="Zed")
    html = admin_client.get("/accounts/users/?q=Zed&sort=-username").content.decode()
    links = re.findall(r'href="\?([^"]*page=2[^"]*)"', html)
    assert links
    assert "q=Zed" in links[0]
    assert "sort=-username" in links[0]


def test_htmx_request_gets_only_the_results_fragment(admin_client, staff):
    response = admin_client.get("/accounts/users/?q=bob", HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][0] == "core/_list_results.html"
    assert b"<html" not in response.content
    assert b"bob" in response.content


def test_boosted_htmx_navigation_gets_the_whole_page(admin_client, staff):
    response = admin_client.get("/accounts/users/", HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert b"<html" in response.content


def test_filtered_empty_list_offers_to_clear_the_filters(admin_client, staff):
    response = admin_client.get("/accounts/users/?q=nobody-like-this")
    assert b"Nothing matches these filters." in response.content
    assert b"Clear the filters" in response.content


def test_unfiltered_empty_list_shows_its_message_and_create_link(admin_client):
    DictItem.objects.all().delete()
    response = admin_client.get("/dictionary/")
    assert b"The dictionary is empty." in response.content
    assert b'href="/dictionary/new/"' in response.content


def test_create_button_needs_the_add_permission(client_for, db):
    viewer_role = RoleFactory()
    viewer_role.permissions.set(_permissions(["accounts.view_user"]))
    viewer = UserFactory(roles=[viewer_role])
    response = client_for(viewer).get("/accounts/users/")
    assert response.status_code == 200
    assert response.context["create_url"] is None
    assert b'id="create"' not in response.content


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_user_list_query_count_does_not_grow_with_the_rows(admin_client, staff):
    few = count_queries(admin_client, "/accounts/users/?page_size=50")
    roles = list(Role.objects.all())
    for user in UserFactory.create_batch(30, superior=staff[0]):
        user.roles.set(roles[:2])
    many = count_queries(admin_client, "/accounts/users/?page_size=50")
    assert many == few


def test_dictionary_list_query_count_does_not_grow_with_the_rows(admin_client):
    few = count_queries(admin_client, "/dictionary/?page_size=100")
    DictItem.objects.bulk_create(DictItem(dict_type="T", label=f"L{i}", value=f"v{i}") for i in range(60))
    many = count_queries(admin_client, "/dictionary/?page_size=100")
    assert many == few


def test_the_pagination_shows_the_pages_around_the_current_one():
    from django.core.paginator import Paginator

    from crm.core.templatetags.crm_ui import page_numbers

    page = Paginator(range(1000), 10).page(50)
    numbers = list(page_numbers(page))
    assert [n for n in numbers if n in (49, 50, 51)] == [49, 50, 51]
    assert numbers[0] == 1 and numbers[-1] == 100
