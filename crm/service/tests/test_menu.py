"""The service menu per role (R-AUTH-5) and the badges telling users how much work waits for them."""

import pytest
from django.urls import reverse

from crm.core import menu
from crm.service import selectors

from .factories import ServiceRequestFactory, archived, assigned, handled

pytestmark = pytest.mark.django_db

ALL_ITEMS = {"service:create", "service:assignment", "service:handling", "service:feedback-list", "service:archive"}


def service_items(user):
    return {item.url_name: item for group, items in menu.menu_for(user) if group.key == "service" for item in items}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("account_manager", {"service:create", "service:handling", "service:feedback-list", "service:archive"}),
        ("supervisor", {"service:assignment", "service:archive"}),
        ("executive", {"service:archive"}),
        ("administrator", set()),
    ],
)
def test_each_default_role_sees_its_service_entries(request, role, expected):
    user = request.getfixturevalue(role)
    assert set(service_items(user)) == expected
    client_for = request.getfixturevalue("client_for")
    client = client_for(user)
    for url_name in ALL_ITEMS:
        status = client.get(reverse(url_name)).status_code
        assert status == (200 if url_name in expected else 403), url_name


def badge(user, url_name):
    return next(item for item in menu.GROUPS["service"].items if item.url_name == url_name).badge(user)


def test_badges_count_the_work_waiting_for_each_user(team, outsider):
    fresh = [ServiceRequestFactory(customer=team.customer) for _ in range(3)]
    assigned(fresh[0], to=team.handler, by=team.supervisor)
    handled(fresh[1], to=team.handler, by=team.supervisor)
    archived(ServiceRequestFactory(customer=team.customer), to=team.handler, by=team.supervisor)
    assigned(ServiceRequestFactory(customer=team.customer), to=team.manager, by=team.supervisor)

    # Supervisor: new requests in the scope (the outsider's is not); the others are taken.
    assert badge(team.supervisor, "service:assignment") == 1
    # Handler: one assigned and not yet handled; the handled one no longer counts.
    assert badge(team.handler, "service:handling") == 1
    assert badge(team.manager, "service:handling") == 1
    # Manager (creator): one handled request waits for feedback; the handler has none to give.
    assert badge(team.manager, "service:feedback-list") == 1
    assert badge(team.handler, "service:feedback-list") == 0
    assert badge(outsider.manager, "service:feedback-list") == 0


def test_a_request_sent_back_counts_again_for_its_assignee(team, new_request):
    handled(new_request, to=team.handler, by=team.supervisor)
    assert badge(team.handler, "service:handling") == 0
    from crm.service import services

    services.record_feedback(new_request, result="x", satisfaction=1, by=team.manager)
    assert badge(team.handler, "service:handling") == 1


@pytest.mark.parametrize(
    ("who", "count"),
    [
        ("supervisor", selectors.count_new_requests),
        ("handler", selectors.count_assigned_to),
        ("manager", selectors.count_awaiting_feedback),
    ],
)
def test_each_badge_is_one_count_query(team, django_assert_num_queries, who, count):
    user = getattr(team, who)
    for _ in range(3):
        ServiceRequestFactory(customer=team.customer)
    menu.menu_for(user)  # the page resolved the user's permissions and scope already
    count(user)
    with django_assert_num_queries(1) as captured:
        count(user)
    assert "COUNT(" in captured.captured_queries[0]["sql"].upper()


def test_badges_show_in_the_menu(client_for, team, new_request):
    html = client_for(team.supervisor).get(reverse("service:archive")).content.decode()
    assert 'data-menu="service:assignment"' in html
    start = html.index('data-menu="service:assignment"')
    assert '<span class="badge rounded-pill text-bg-danger ms-auto">1</span>' in html[start : start + 400]
