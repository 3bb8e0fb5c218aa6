"""The service pages: create, assign, handle, feedback, archive, a request's page, the customer
fragment; the messages users see when a step is refused; query counts of the lists."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.customers.tests.factories import CustomerFactory, dict_item
from crm.dictionary.models import DictType
from crm.service.models import ServiceRequest

from .factories import ServiceRequestFactory, archived, assigned, handled

pytestmark = pytest.mark.django_db

Status = ServiceRequest.Status


def body(response):
    return response.content.decode()


def stored(service_request):
    return ServiceRequest.objects.get(pk=service_request.pk)


# Create ------------------------------------------------------------------------------------------


def test_manager_creates_a_request_and_lands_on_its_page(client_for, team):
    client = client_for(team.manager)
    page = client.get(reverse("service:create") + f"?customer={team.customer.pk}")
    assert page.status_code == 200
    assert page.context["form"]["customer"].value() == team.customer.pk  # preselected from the customer page
    complaint = dict_item(DictType.SERVICE_TYPE, "complaint")
    data = {"customer": team.customer.pk, "service_type": complaint.pk, "summary": "发货延迟", "details": "已延迟一周"}
    response = client.post(reverse("service:create"), data, follow=True)
    created = ServiceRequest.objects.get()
    assert response.redirect_chain[-1][0] == reverse("service:detail", args=[created.pk])
    assert "Service request created." in body(response)
    assert (created.status, created.created_by, created.service_type) == (Status.NEW, team.manager, complaint)


def test_create_form_shows_what_is_missing(client_for, team):
    response = client_for(team.manager).post(reverse("service:create"), {"customer": team.customer.pk})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"service_type", "summary", "details"}
    assert not ServiceRequest.objects.exists()


# Assign and delete -------------------------------------------------------------------------------


def test_assignment_list_shows_new_requests_with_a_picker_per_row(client_for, team, new_request):
    assigned_one = ServiceRequestFactory(customer=team.customer)
    assigned(assigned_one, to=team.handler, by=team.supervisor)
    page = client_for(team.supervisor).get(reverse("service:assignment"))
    assert list(page.context["rows"]) == [new_request]
    html = body(page)
    assert f'action="{reverse("service:assign", args=[new_request.pk])}"' in html
    assert f'name="to" value="{team.handler.pk}"' in html
    assert f'name="to" value="{team.supervisor.pk}"' not in html  # supervisors do not handle requests


def test_assigning_from_the_list_confirms_and_returns_to_the_list(client_for, team, new_request):
    client = client_for(team.supervisor)
    back = reverse("service:assignment") + "?summary=x"
    response = client.post(
        reverse("service:assign", args=[new_request.pk]), {"to": team.handler.pk, "next": back}, follow=True
    )
    assert response.redirect_chain[-1][0] == back
    assert f"Service request #{new_request.pk} assigned to {team.handler.display_name}." in body(response)
    assert stored(new_request).assignee == team.handler


def test_assigning_to_a_disabled_user_shows_why_and_changes_nothing(client_for, team, new_request):
    team.handler.is_active = False
    team.handler.save()
    response = client_for(team.supervisor).post(
        reverse("service:assign", args=[new_request.pk]), {"to": team.handler.pk}
    )
    assert response.status_code == 400
    # Disabled while the page was open: the picker no longer offers them, the form says why.
    assert "This user cannot be assigned service requests: they are disabled" in body(response)
    saved = stored(new_request)
    assert (saved.status, saved.assignee, saved.version) == (Status.NEW, None, 1)


def test_an_assignment_race_loser_is_told_who_won(client_for, team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    response = client_for(team.supervisor).post(
        reverse("service:assign", args=[new_request.pk]), {"to": team.manager.pk, "version": 1}
    )
    assert response.status_code == 400
    assert f"already been assigned to {team.handler.display_name}" in body(response)
    assert stored(new_request).assignee == team.handler


def test_reassigning_from_the_request_page(client_for, team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    client = client_for(team.supervisor)
    detail = body(client.get(reverse("service:detail", args=[new_request.pk])))
    assert 'id="assign"' in detail and "Reassign" in detail
    page = client.get(reverse("service:assign", args=[new_request.pk]))
    assert page.context["form"].initial == {"version": 2, "to": team.handler.pk}
    client.post(reverse("service:assign", args=[new_request.pk]), {"to": team.manager.pk, "version": 2})
    assert stored(new_request).assignee == team.manager


def test_supervisor_deletes_a_new_request_after_confirming(client_for, team, new_request):
    client = client_for(team.supervisor)
    url = reverse("service:delete", args=[new_request.pk])
    assert "This cannot be undone" in body(client.get(url))
    assert ServiceRequest.objects.filter(pk=new_request.pk).exists()  # asking changes nothing
    response = client.post(url, follow=True)
    assert "Service request deleted." in body(response)
    assert not ServiceRequest.objects.filter(pk=new_request.pk).exists()


def test_deleting_an_assigned_request_is_refused_with_a_message(client_for, team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    client = client_for(team.supervisor)
    url = reverse("service:delete", args=[new_request.pk])
    for response in (client.get(url, follow=True), client.post(url, follow=True)):
        assert response.redirect_chain[-1][0] == reverse("service:detail", args=[new_request.pk])
        assert "Only new service requests can be deleted; this one is Assigned." in body(response)
    assert stored(new_request).status == Status.ASSIGNED


# Handle ------------------------------------------------------------------------------------------


def test_assignee_handles_from_the_assigned_to_me_list(client_for, team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    client = client_for(team.handler)
    rows = client.get(reverse("service:handling")).context["rows"]
    assert list(rows) == [new_request]
    response = client.post(reverse("service:handle", args=[new_request.pk]), {"handling": "已电话解答"}, follow=True)
    assert "Handling recorded" in body(response)
    assert stored(new_request).status == Status.HANDLED
    assert list(client.get(reverse("service:handling")).context["rows"]) == []


def test_someone_else_cannot_handle_and_is_told_why(client_for, team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    client = client_for(team.manager)
    page = client.get(reverse("service:handle", args=[new_request.pk]))
    assert f"Only the assignee ({team.handler.display_name})" in body(page)
    assert 'name="handling"' not in body(page)
    response = client.post(reverse("service:handle", args=[new_request.pk]), {"handling": "x"})
    assert response.status_code == 400
    assert stored(new_request).status == Status.ASSIGNED


def test_handling_an_unassigned_request_is_refused_on_the_page(client_for, team, new_request):
    response = client_for(team.handler).post(reverse("service:handle", args=[new_request.pk]), {"handling": "x"})
    # The handler cannot even see another manager's new request.
    assert response.status_code == 404
    response = client_for(team.manager).post(reverse("service:handle", args=[new_request.pk]), {"handling": "x"})
    assert response.status_code == 400
    assert "has not been assigned yet" in body(response)
    assert stored(new_request).status == Status.NEW


# Feedback ----------------------------------------------------------------------------------------


def test_low_satisfaction_sends_the_request_back_with_a_message(client_for, team, new_request):
    handled(new_request, to=team.handler, by=team.supervisor)
    client = client_for(team.manager)
    assert list(client.get(reverse("service:feedback-list")).context["rows"]) == [new_request]
    response = client.post(
        reverse("service:feedback", args=[new_request.pk]), {"result": "仍未解决", "satisfaction": "2"}, follow=True
    )
    assert f"sends the request back to {team.handler.display_name}" in body(response)
    assert stored(new_request).status == Status.ASSIGNED
    # The assignee finds it again, marked as a second round.
    handling_page = body(client_for(team.handler).get(reverse("service:handling")))
    assert "Round 2" in handling_page


def test_good_satisfaction_archives_the_request(client_for, team, new_request):
    handled(new_request, to=team.handler, by=team.supervisor)
    response = client_for(team.manager).post(
        reverse("service:feedback", args=[new_request.pk]), {"result": "满意", "satisfaction": "3"}, follow=True
    )
    assert "the service request is archived" in body(response)
    assert stored(new_request).status == Status.ARCHIVED


@pytest.mark.parametrize("satisfaction", ["0", "6", "abc", ""])
def test_satisfaction_outside_one_to_five_is_refused_on_the_page(client_for, team, new_request, satisfaction):
    handled(new_request, to=team.handler, by=team.supervisor)
    response = client_for(team.manager).post(
        reverse("service:feedback", args=[new_request.pk]), {"result": "x", "satisfaction": satisfaction}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["satisfaction"]
    assert stored(new_request).status == Status.HANDLED


def test_feedback_on_an_unhandled_request_is_refused_on_the_page(client_for, team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    client = client_for(team.manager)
    page = client.get(reverse("service:feedback", args=[new_request.pk]))
    assert "has not been handled yet" in body(page)
    response = client.post(reverse("service:feedback", args=[new_request.pk]), {"result": "x", "satisfaction": "4"})
    assert response.status_code == 400
    assert stored(new_request).status == Status.ASSIGNED


# Archive, edit, a request's page -----------------------------------------------------------------


def test_request_page_shows_every_round(client_for, team, new_request):
    handled(new_request, to=team.handler, by=team.supervisor, handling="第一次处理")
    client_for(team.manager).post(
        reverse("service:feedback", args=[new_request.pk]), {"result": "不满意", "satisfaction": "2"}
    )
    handled(stored(new_request), to=team.handler, by=team.supervisor, handling="第二次处理")
    client_for(team.manager).post(
        reverse("service:feedback", args=[new_request.pk]), {"result": "满意", "satisfaction": "4"}
    )
    html = body(client_for(team.supervisor).get(reverse("service:detail", args=[new_request.pk])))
    for text in (
        "Round 1",
        "第一次处理",
        "不满意",
        "Round 2",
        "第二次处理",
        "满意",
        "archived and can no longer be changed",
    ):
        assert text in html
    assert 'id="edit"' not in html and 'id="assign"' not in html


def test_editing_an_archived_request_is_refused_with_a_message(client_for, team, new_request):
    archived(new_request, to=team.handler, by=team.supervisor)
    before = stored(new_request)
    client = client_for(team.manager)
    url = reverse("service:edit", args=[new_request.pk])
    for response in (
        client.get(url, follow=True),
        client.post(
            url,
            {"service_type": before.service_type_id, "summary": "x", "details": "y", "version": before.version},
            follow=True,
        ),
    ):
        assert response.redirect_chain[-1][0] == reverse("service:detail", args=[new_request.pk])
        assert "This service request is archived and can no longer be changed." in body(response)
    after = stored(new_request)
    assert (after.summary, after.version) == (before.summary, before.version)


def test_creator_edits_a_request(client_for, team, new_request):
    client = client_for(team.manager)
    page = client.get(reverse("service:edit", args=[new_request.pk]))
    assert "customer" not in page.context["form"].fields  # a request stays with its customer
    response = client.post(
        reverse("service:edit", args=[new_request.pk]),
        {"service_type": new_request.service_type_id, "summary": "改后的摘要", "details": "改后的详情", "version": 1},
    )
    assert response.status_code == 302
    assert stored(new_request).summary == "改后的摘要"


def _archive_at(service_request, day, team):
    archived(service_request, to=team.handler, by=team.supervisor)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    ServiceRequest.objects.filter(pk=service_request.pk).update(created_at=moment)


def test_archive_shows_archived_requests_and_searches(client_for, team, new_request):
    other_customer = CustomerFactory(owner=team.manager, name="上海远航贸易有限公司")
    complaint = dict_item(DictType.SERVICE_TYPE, "complaint")
    old = ServiceRequestFactory(customer=team.customer, summary="发票金额有误")
    recent = ServiceRequestFactory(customer=other_customer, summary="送货延迟", service_type=complaint)
    _archive_at(old, datetime.date(2026, 1, 10), team)
    _archive_at(recent, datetime.date(2026, 3, 5), team)
    client = client_for(team.manager)
    url = reverse("service:archive")

    def rows(**params):
        return set(client.get(url, params).context["rows"])

    assert rows() == {old, recent}  # archived by default; the new request is not among them
    assert client.get(url).context["filterset"].form["status"].value() == "archived"
    assert rows(status="") == {old, recent, new_request}
    assert rows(status="new") == {new_request}
    assert rows(customer="远航") == {recent}
    assert rows(customer=other_customer.number) == {recent}
    assert rows(summary="发票") == {old}
    assert rows(service_type=complaint.pk) == {recent}
    assert rows(created_from="2026-03-05", created_to="2026-03-05") == {recent}
    assert rows(created_to="2026-01-10") == {old}
    assert rows(created_from="2026-03-06") == set()


def test_customer_fragment_lists_the_customers_requests(client_for, team, new_request):
    archived(ServiceRequestFactory(customer=team.customer, summary="已归档的请求"), to=team.handler, by=team.supervisor)
    response = client_for(team.manager).get(
        reverse("service:customer-requests", args=[team.customer.pk]), headers={"HX-Request": "true"}
    )
    html = body(response)
    assert response.status_code == 200 and "<html" not in html
    assert new_request.summary in html and "已归档的请求" in html
    assert f"{reverse('service:create')}?customer={team.customer.pk}" in html
    # Opened on its own it is a whole page.
    page = client_for(team.manager).get(reverse("service:customer-requests", args=[team.customer.pk]))
    assert "<html" in body(page) and new_request.summary in body(page)


# Query counts ------------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["service:assignment", "service:handling", "service:feedback-list", "service:archive"])
def test_list_query_count_does_not_grow_with_the_rows(client_for, team, page):
    step = {
        "service:assignment": lambda r: None,
        "service:handling": lambda r: assigned(r, to=team.manager, by=team.supervisor),
        "service:feedback-list": lambda r: handled(r, to=team.handler, by=team.supervisor),
        "service:archive": lambda r: archived(r, to=team.handler, by=team.supervisor),
    }[page]
    client = client_for(team.supervisor if page == "service:assignment" else team.manager)
    url = reverse(page)

    def add(count):
        for _ in range(count):
            customer = CustomerFactory(owner=team.manager)
            step(ServiceRequestFactory(customer=customer))

    add(2)
    few = _queries(client, url)
    add(10)
    many = _queries(client, url)
    assert len(client.get(url).context["rows"]) == 12
    assert many == few


def test_request_page_query_count_does_not_grow_with_the_rounds(client_for, team, new_request):
    client = client_for(team.supervisor)
    handled(new_request, to=team.handler, by=team.supervisor)
    client_for(team.manager).post(
        reverse("service:feedback", args=[new_request.pk]), {"result": "x", "satisfaction": "1"}
    )
    client = client_for(team.supervisor)
    one = _queries(client, reverse("service:detail", args=[new_request.pk]))
    for _ in range(3):
        handled(stored(new_request), to=team.handler, by=team.supervisor)
        client_for(team.manager).post(
            reverse("service:feedback", args=[new_request.pk]), {"result": "x", "satisfaction": "1"}
        )
    client = client_for(team.supervisor)
    assert stored(new_request).rounds.count() == 4
    assert _queries(client, reverse("service:detail", args=[new_request.pk])) == one
