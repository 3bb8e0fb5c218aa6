"""/api/v1/service-requests/: the same workflow, permissions and messages as the pages (Q-6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.customers.tests.factories import CustomerFactory, dict_item
from crm.dictionary.models import DictType
from crm.service.models import ServiceRequest

from .factories import ServiceRequestFactory, archived, assigned, handled

pytestmark = pytest.mark.django_db

URL = "/api/v1/service-requests/"
Status = ServiceRequest.Status


def url_of(service_request, action=""):
    return f"{URL}{service_request.pk}/{action + '/' if action else ''}"


def stored(service_request):
    return ServiceRequest.objects.get(pk=service_request.pk)


def test_the_whole_workflow_through_the_api(api_for, team):
    manager, supervisor, handler = api_for(team.manager), api_for(team.supervisor), api_for(team.handler)
    complaint = dict_item(DictType.SERVICE_TYPE, "complaint")
    created = manager.post(
        URL,
        {"customer": team.customer.pk, "service_type": complaint.pk, "summary": "发货延迟", "details": "已延迟一周"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["status"], data["created_by"], data["customer_name"]) == ("new", team.manager.pk, team.customer.name)
    request = ServiceRequest.objects.get(pk=data["id"])

    response = supervisor.post(url_of(request, "assign"), {"to": team.handler.pk}, format="json")
    assert response.status_code == 200 and response.json()["assignee"] == team.handler.pk

    response = handler.post(url_of(request, "handle"), {"handling": "电话解释"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "handled"

    response = manager.post(url_of(request, "feedback"), {"result": "不满意", "satisfaction": 2}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "assigned"

    handler.post(url_of(request, "handle"), {"handling": "上门处理"}, format="json")
    response = manager.post(url_of(request, "feedback"), {"result": "满意", "satisfaction": 5}, format="json")
    data = response.json()
    assert (data["status"], data["satisfaction"]) == ("archived", 5)
    assert [(r["number"], r["handling"], r["satisfaction"]) for r in data["rounds"]] == [
        (1, "电话解释", 2),
        (2, "上门处理", 5),
    ]
    assert manager.get(url_of(request)).json()["rounds"] == data["rounds"]


@pytest.mark.parametrize(
    ("role", "action", "body"),
    [
        ("manager", "assign", {"to": 0}),
        ("supervisor", "handle", {"handling": "x"}),
        ("supervisor", "feedback", {"result": "x", "satisfaction": 4}),
    ],
)
def test_each_action_needs_its_permission(api_for, team, new_request, role, action, body):
    user = getattr(team, role)
    response = api_for(user).post(url_of(new_request, action), body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert stored(new_request).version == 1


def test_executive_reads_but_cannot_create(api_for, executive, new_request):
    api = api_for(executive)
    assert api.get(url_of(new_request)).status_code == 200
    response = api.post(URL, {"customer": new_request.customer_id, "summary": "x"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("satisfaction", [0, 6])
def test_satisfaction_outside_one_to_five_is_a_clear_400(api_for, team, new_request, satisfaction):
    handled(new_request, to=team.handler, by=team.supervisor)
    response = api_for(team.manager).post(
        url_of(new_request, "feedback"), {"result": "x", "satisfaction": satisfaction}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Choose a satisfaction from 1 to 5.",
        "errors": {"satisfaction": ["Choose a satisfaction from 1 to 5."]},
    }
    assert stored(new_request).status == Status.HANDLED


def test_handling_an_unassigned_request_is_a_clear_400(api_for, team, new_request):
    response = api_for(team.manager).post(url_of(new_request, "handle"), {"handling": "x"}, format="json")
    assert response.status_code == 400
    assert "has not been assigned yet" in response.json()["message"]
    assert stored(new_request).status == Status.NEW


def test_feedback_on_an_unhandled_request_is_a_clear_400(api_for, team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    response = api_for(team.manager).post(
        url_of(new_request, "feedback"), {"result": "x", "satisfaction": 4}, format="json"
    )
    assert response.status_code == 400
    assert "has not been handled yet" in response.json()["message"]
    assert stored(new_request).status == Status.ASSIGNED


def test_editing_an_archived_request_is_a_clear_400(api_for, team, new_request):
    archived(new_request, to=team.handler, by=team.supervisor)
    before = stored(new_request)
    response = api_for(team.manager).patch(
        url_of(new_request), {"summary": "x", "version": before.version}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["message"] == "This service request is archived and can no longer be changed."
    after = stored(new_request)
    assert (after.summary, after.version) == (before.summary, before.version)


def test_assigning_to_a_disabled_user_is_a_clear_400(api_for, team, new_request):
    team.handler.is_active = False
    team.handler.save()
    response = api_for(team.supervisor).post(url_of(new_request, "assign"), {"to": team.handler.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "to": [
            f"User {team.handler.pk} cannot be chosen: they are disabled, outside your scope or may not take on "
            "this record."
        ]
    }
    assert stored(new_request).status == Status.NEW


def test_reassigning_needs_the_version_read(api_for, team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    api = api_for(team.supervisor)
    refused = api.post(url_of(new_request, "assign"), {"to": team.manager.pk}, format="json")
    assert refused.status_code == 400 and "already been assigned" in refused.json()["message"]
    accepted = api.post(url_of(new_request, "assign"), {"to": team.manager.pk, "version": 2}, format="json")
    assert accepted.status_code == 200 and accepted.json()["assignee"] == team.manager.pk


def test_edit_needs_the_version_and_keeps_the_customer(api_for, team, new_request, outsider):
    api = api_for(team.manager)
    assert api.patch(url_of(new_request), {"summary": "x"}, format="json").status_code == 400
    other = CustomerFactory(owner=team.manager)
    moved = api.patch(url_of(new_request), {"customer": other.pk, "version": 1}, format="json")
    assert moved.status_code == 400 and "customer" in moved.json()["errors"]
    ok = api.patch(url_of(new_request), {"summary": "新摘要", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["summary"] == "新摘要" and ok.json()["version"] == 2


def test_supervisor_deletes_only_new_requests(api_for, team, new_request):
    other = ServiceRequestFactory(customer=team.customer)
    assigned(other, to=team.handler, by=team.supervisor)
    api = api_for(team.supervisor)
    refused = api.delete(url_of(other))
    assert refused.status_code == 400 and "Only new service requests can be deleted" in refused.json()["message"]
    assert api.delete(url_of(new_request)).status_code == 204
    assert not ServiceRequest.objects.filter(pk=new_request.pk).exists()


def test_list_filters_and_searches(api_for, team, new_request):
    done = ServiceRequestFactory(customer=team.customer, summary="发票金额有误")
    archived(done, to=team.handler, by=team.supervisor)
    api = api_for(team.manager)

    def ids(**params):
        return {row["id"] for row in api.get(URL, params).json()["results"]}

    assert ids() == {new_request.pk, done.pk}
    assert ids(status="archived") == {done.pk}
    assert ids(search="发票") == {done.pk}
    assert ids(assignee=team.handler.pk) == {done.pk}
    assert ids(customer_id=team.customer.pk) == {new_request.pk, done.pk}


def test_list_query_count_does_not_grow_with_the_rows(api_for, team):
    api = api_for(team.manager)

    def add(count):
        for _ in range(count):
            archived(
                ServiceRequestFactory(customer=CustomerFactory(owner=team.manager)), to=team.handler, by=team.supervisor
            )

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get(URL).status_code == 200
        return len(captured)

    add(2)
    count_queries()  # the forced user object caches its permissions and scope from the first call on
    few = count_queries()
    add(8)
    assert count_queries() == few
