"""The data scope of service requests (R-AUTH-4): reached through the customer's manager, plus the
assignee (``ServiceRequestQuerySet.visible_to``), on every page and API endpoint."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.customers.tests.factories import CustomerFactory, dict_item
from crm.dictionary.models import DictType
from crm.service import services
from crm.service.models import ServiceRequest

from .factories import ServiceRequestFactory, assigned, handled

pytestmark = pytest.mark.django_db


def visible(user):
    return set(ServiceRequest.objects.visible_to(user))


def test_account_manager_sees_the_requests_of_own_customers_only(team, new_request, outsider):
    assert visible(team.manager) == {new_request}
    assert visible(outsider.manager) == {outsider.request}


def test_assignee_sees_a_request_assigned_to_them_for_a_customer_outside_their_scope(team, outsider, head_of_service):
    assigned(outsider.request, to=team.handler, by=head_of_service)
    assert outsider.request in visible(team.handler)
    assert outsider.request not in visible(team.manager)  # a colleague of the assignee does not


def test_supervisor_sees_the_team_customers_and_the_teams_assignments(team, new_request, outsider, head_of_service):
    assert visible(team.supervisor) == {new_request}
    assigned(outsider.request, to=team.handler, by=head_of_service)
    assert visible(team.supervisor) == {new_request, outsider.request}


def test_executive_and_administrator_see_every_request(executive, administrator, new_request, outsider):
    assert visible(executive) == visible(administrator) == {new_request, outsider.request}


def test_a_disabled_user_sees_nothing(team, new_request):
    team.manager.is_active = False
    assert visible(team.manager) == set()


def test_visible_to_is_one_query_without_duplicates(team, django_assert_num_queries):
    # A request whose manager and assignee are both in scope appears once.
    request = ServiceRequestFactory(customer=team.customer)
    assigned(request, to=team.manager, by=team.supervisor)
    scoped = ServiceRequest.objects.visible_to(team.supervisor)
    list(scoped)  # the scope is resolved once per user
    with django_assert_num_queries(1):
        assert list(ServiceRequest.objects.visible_to(team.supervisor)) == [request]


def page_urls(service_request):
    """Every page about the request, with the permission it needs (without it: 403 for any id)."""
    pk = service_request.pk
    return [
        (reverse("service:detail", args=[pk]), "service.view_servicerequest"),
        (reverse("service:edit", args=[pk]), "service.change_servicerequest"),
        (reverse("service:delete", args=[pk]), "service.delete_servicerequest"),
        (reverse("service:assign", args=[pk]), "service.assign_servicerequest"),
        (reverse("service:handle", args=[pk]), "service.handle_servicerequest"),
        (reverse("service:feedback", args=[pk]), "service.feedback_servicerequest"),
        (reverse("audit:record-log", args=["service.servicerequest", pk]), "service.view_servicerequest"),
        (reverse("service:customer-requests", args=[service_request.customer_id]), "service.view_servicerequest"),
    ]


@pytest.mark.parametrize("role", ["account_manager", "supervisor", "executive"])
def test_another_managers_request_is_not_found_on_every_page(request, client_for, team, outsider, role):
    user = {"account_manager": team.manager, "supervisor": team.supervisor}.get(role) or request.getfixturevalue(role)
    client = client_for(user)
    data = {"version": 1, "to": team.handler.pk, "handling": "x", "result": "x", "satisfaction": 4, "summary": "x"}
    for url, permission in page_urls(outsider.request):
        if role == "executive":
            # The executive sees every request but changes none.
            expected = 200 if permission == "service.view_servicerequest" else 403
            assert client.get(url).status_code == expected, url
            continue
        expected = 404 if user.has_perm(permission) else 403
        assert client.get(url).status_code == expected, url
        assert client.get(url, headers={"HX-Request": "true"}).status_code == expected, url
        assert client.post(url, data).status_code in (expected, 405), url
    saved = ServiceRequest.objects.get(pk=outsider.request.pk)
    assert (saved.status, saved.version, saved.summary) == ("new", 1, outsider.request.summary)


def test_another_managers_request_is_not_found_in_the_api(api_for, account_manager, supervisor, outsider):
    api = api_for(account_manager)
    url = f"/api/v1/service-requests/{outsider.request.pk}/"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"summary": "x", "version": 1}, format="json").status_code == 404
    assert api.put(url, {"summary": "x", "version": 1}, format="json").status_code == 404
    assert api.delete(url).status_code == 403  # no delete permission, whatever the id
    assert api_for(supervisor).delete(url).status_code == 404
    for action, body in [("handle", {"handling": "x"}), ("feedback", {"result": "x", "satisfaction": 4})]:
        response = api.post(f"{url}{action}/", body, format="json")
        assert response.status_code == 404, action
        assert response.json()["code"] == "not_found"
    listed = api.get("/api/v1/service-requests/").json()
    assert outsider.request.pk not in [row["id"] for row in listed["results"]]
    assert ServiceRequest.objects.get(pk=outsider.request.pk).version == 1


def test_supervisor_cannot_assign_a_request_outside_the_scope_through_the_api(
    api_for, supervisor, account_manager, outsider
):
    response = api_for(supervisor).post(
        f"/api/v1/service-requests/{outsider.request.pk}/assign/", {"to": account_manager.pk}, format="json"
    )
    assert response.status_code == 404
    assert ServiceRequest.objects.get(pk=outsider.request.pk).status == "new"


def test_assignee_reaches_the_request_but_not_the_customer(client_for, team, outsider, head_of_service):
    handled_request = outsider.request
    assigned(handled_request, to=team.handler, by=head_of_service)
    client = client_for(team.handler)
    page = client.get(reverse("service:detail", args=[handled_request.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert outsider.customer.name in body
    assert reverse("customers:customer-detail", args=[outsider.customer.pk]) not in body  # no link to a 404
    assert client.get(reverse("service:handle", args=[handled_request.pk])).status_code == 200
    assert client.get(reverse("customers:customer-detail", args=[outsider.customer.pk])).status_code == 404


def test_the_customer_picker_offers_own_normal_customers_only(client_for, team, outsider):
    lost = CustomerFactory(owner=team.manager, status="lost")
    page = client_for(team.manager).get(reverse("service:create"))
    choices = {customer.pk for customer in page.context["form"].fields["customer"].queryset}
    assert choices == {team.customer.pk}
    assert lost.pk not in choices and outsider.customer.pk not in choices


def test_creating_for_a_customer_outside_the_scope_is_refused(client_for, api_for, team, outsider):
    data = {
        "customer": outsider.customer.pk,
        "service_type": dict_item(DictType.SERVICE_TYPE).pk,
        "summary": "x",
        "details": "y",
    }
    response = client_for(team.manager).post(reverse("service:create"), data)
    assert response.status_code == 400
    assert "customer" in response.context["form"].errors
    api_response = api_for(team.manager).post("/api/v1/service-requests/", data, format="json")
    assert api_response.status_code == 400
    assert "customer" in api_response.json()["errors"]
    assert ServiceRequest.objects.count() == 1


def test_feedback_list_holds_what_the_user_may_rate(client_for, team, new_request):
    handled(new_request, to=team.handler, by=team.supervisor)
    other = ServiceRequestFactory(customer=CustomerFactory(owner=team.handler))
    handled(other, to=team.manager, by=team.supervisor)
    rows = client_for(team.manager).get(reverse("service:feedback-list")).context["rows"]
    assert list(rows) == [new_request]  # not the request the manager handled for a colleague


# Who a request may be assigned to (R-SVC-2) ------------------------------------------------------


def test_a_supervisor_cannot_assign_a_request_to_someone_of_another_team(
    api_for, client_for, team, new_request, outsider
):
    """The outsider handles requests, but in another department: refused by the API, by the page
    (a forged post) and by the service, and they never get to read the request."""
    response = api_for(team.supervisor).post(
        f"/api/v1/service-requests/{new_request.pk}/assign/", {"to": outsider.manager.pk}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["to"]
    page = client_for(team.supervisor).post(
        reverse("service:assign", args=[new_request.pk]), {"to": outsider.manager.pk}
    )
    assert page.status_code == 400
    with pytest.raises(ValidationError) as error:
        services.assign_service_request(new_request, to=outsider.manager, by=team.supervisor)
    assert "outside your team" in error.value.message_dict["to"][0]
    saved = ServiceRequest.objects.get(pk=new_request.pk)
    assert (saved.status, saved.assignee, saved.version) == ("new", None, 1)
    assert api_for(outsider.manager).get(f"/api/v1/service-requests/{new_request.pk}/").status_code == 404


def test_the_assignment_pickers_offer_only_the_team(client_for, team, new_request, outsider):
    client = client_for(team.supervisor)
    listed = client.get(reverse("service:assignment")).context["assignable_users"]
    assert set(listed) == {team.manager, team.handler}
    form = client.get(reverse("service:assign", args=[new_request.pk])).context["form"]
    assert set(form.fields["to"].queryset) == {team.manager, team.handler}


@pytest.mark.parametrize("to", [99999999999999999999999, 1.5, "abc", True, None])
def test_an_impossible_assignee_id_is_a_400(api_for, team, new_request, to):
    response = api_for(team.supervisor).post(
        f"/api/v1/service-requests/{new_request.pk}/assign/", {"to": to}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["to"]
