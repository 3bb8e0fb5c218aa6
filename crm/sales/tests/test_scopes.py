"""Who sees which opportunity (R-AUTH-4): the rule of ``Opportunity.objects.visible_to``, on
every page and API endpoint."""

import pytest
from django.urls import reverse

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role
from crm.sales.models import Opportunity, PlanItem

from .factories import OpportunityFactory, PlanItemFactory, developing

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Opportunity.objects.visible_to(user))


@pytest.fixture
def records(team):
    return {
        "rep_created": OpportunityFactory(created_by=team.rep),  # unassigned, by rep
        "boss_created": OpportunityFactory(created_by=team.boss),  # unassigned, by the supervisor
        "far_created": OpportunityFactory(created_by=team.far),  # unassigned, in another department
        "rep_assigned": developing(team.rep, by=team.boss),
        "peer_assigned": developing(team.peer, by=team.boss),
        "rep_found_peer_develops": developing(team.peer, by=team.rep),
        "far_assigned": developing(team.far, by=team.far),
    }


def test_account_manager_sees_what_they_created_until_assigned_and_what_is_assigned_to_them(team, records):
    assert visible(team.rep) == {records["rep_created"], records["rep_assigned"]}


def test_once_assigned_an_opportunity_follows_its_assignee(team, records):
    """The creator of an opportunity assigned to a colleague no longer sees it."""
    assert records["rep_found_peer_develops"] not in visible(team.rep)
    assert records["rep_found_peer_develops"] in visible(team.peer)


def test_supervisor_sees_unassigned_ones_created_in_scope_and_those_assigned_in_scope(team, records):
    expected = {records[k] for k in records if not k.startswith("far")}
    assert visible(team.boss) == expected


def test_executive_and_administrator_with_scope_all_see_everything(team, records):
    assert visible(team.chief) == set(records.values())
    assert visible(team.admin) == set(records.values())


def test_user_with_no_roles_sees_nothing(team, records):
    from crm.accounts.tests.factories import UserFactory

    assert visible(UserFactory()) == set()


def test_plan_items_follow_their_opportunity(team, records):
    mine = PlanItemFactory(opportunity=records["rep_assigned"])
    PlanItemFactory(opportunity=records["peer_assigned"])
    assert list(PlanItem.objects.visible_to(team.rep)) == [mine]
    assert PlanItem.objects.visible_to(team.boss).count() == 2


def test_lists_show_only_what_is_in_scope(client_for, team, records):
    client = client_for(team.rep)
    rows = client.get(reverse("sales:opportunity-list")).context["page"].paginator.count
    assert rows == 2
    unassigned = client.get(reverse("sales:unassigned")).context["rows"]
    assert list(unassigned) == [records["rep_created"]]
    mine = client.get(reverse("sales:my-plans")).context["rows"]
    assert list(mine) == [records["rep_assigned"]]


def test_board_shows_only_what_is_in_scope(client_for, team, records):
    columns = client_for(team.rep).get(reverse("sales:board")).context["columns"]
    cards = [card for column in columns for card in column.cards]
    assert cards == [records["rep_assigned"]]


def page_urls(opportunity, item):
    o, i = opportunity.pk, item.pk
    read = [
        reverse("sales:opportunity-detail", args=[o]),
        reverse("sales:stage-history", args=[o]),
        reverse("audit:record-log", args=["sales.opportunity", o]),
    ]
    write = [
        reverse("sales:opportunity-edit", args=[o]),
        reverse("sales:opportunity-delete", args=[o]),
        reverse("sales:opportunity-assign", args=[o]),
        reverse("sales:opportunity-succeed", args=[o]),
        reverse("sales:opportunity-fail", args=[o]),
        reverse("sales:opportunity-stage", args=[o]),
        reverse("sales:opportunity-pipeline", args=[o]),
        reverse("sales:plan-item-create", args=[o]),
        reverse("sales:plan-item-edit", args=[o, i]),
        reverse("sales:plan-item-result", args=[o, i]),
        reverse("sales:plan-item-delete", args=[o, i]),
    ]
    return [(url, False) for url in read] + [(url, True) for url in write]


def test_another_managers_opportunity_is_not_found_on_every_page(client_for, team, records):
    opportunity = records["peer_assigned"]
    item = PlanItemFactory(opportunity=opportunity)
    client = client_for(team.rep)
    for url, takes_post in page_urls(opportunity, item):
        assert client.get(url).status_code == 404, url
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404, url
        if takes_post:
            data = {"version": 1, "todo": "x", "result": "x", "date": "2030-01-01", "stage": 1, "to": team.rep.pk}
            assert client.post(url, data).status_code == 404, url
    opportunity.refresh_from_db()
    item.refresh_from_db()
    assert (opportunity.status, opportunity.version, item.version) == ("developing", 1, 1)


def test_another_managers_opportunity_is_not_found_in_the_api(api_for, team, records):
    opportunity = records["peer_assigned"]
    item = PlanItemFactory(opportunity=opportunity)
    api = api_for(team.rep)
    base = f"/api/v1/opportunities/{opportunity.pk}/"
    assert api.get(base).status_code == 404
    assert api.patch(base, {"summary": "x", "version": 1}, format="json").status_code == 404
    assert api.delete(base).status_code == 404
    # An account manager may not assign at all; that answers 403 before the record is looked up.
    assert api.post(base + "assign/", {"to": team.rep.pk}, format="json").status_code == 403
    posts = {
        "plan-items/": {"date": "2030-01-01", "todo": "x"},
        f"plan-items/{item.pk}/result/": {"result": "x", "version": 1},
        "succeed/": {},
        "fail/": {},
        "move-stage/": {"stage": 1},
        "pipeline/": {"version": 1},
    }
    for path, data in posts.items():
        assert api.post(base + path, data, format="json").status_code == 404, path
    assert api.patch(base + f"plan-items/{item.pk}/", {"todo": "x", "version": 1}, format="json").status_code == 404
    assert api.delete(base + f"plan-items/{item.pk}/").status_code == 404
    listed = {row["id"] for row in api.get("/api/v1/opportunities/").json()["results"]}
    assert listed == {records["rep_created"].pk, records["rep_assigned"].pk}
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.version) == ("developing", 1)
    assert PlanItem.objects.get(pk=item.pk).version == 1


def test_supervisor_in_another_department_cannot_reach_the_team_s_opportunities(client_for, api_for, team, records):
    outsider = user_with_role(Role.Key.SUPERVISOR)
    opportunity = records["rep_created"]
    assert client_for(outsider).get(reverse("sales:opportunity-assign", args=[opportunity.pk])).status_code == 404
    response = api_for(outsider).post(
        f"/api/v1/opportunities/{opportunity.pk}/assign/", {"to": team.rep.pk}, format="json"
    )
    assert response.status_code == 404
    assert Opportunity.objects.get(pk=opportunity.pk).status == "unassigned"


def test_assign_picker_offers_only_active_users_in_scope_who_may_develop(client_for, team, records):
    disabled = user_with_role(Role.Key.ACCOUNT_MANAGER, department=team.department, is_active=False)
    page = client_for(team.boss).get(reverse("sales:opportunity-assign", args=[records["rep_created"].pk]))
    offered = set(page.context["form"].fields["to"].queryset)
    assert offered == {team.boss, team.rep, team.peer}
    assert disabled not in offered and team.chief not in offered and team.far not in offered


def test_existing_customer_picker_offers_only_customers_in_scope(client_for, team):
    from crm.customers.tests.factories import CustomerFactory

    mine, theirs = CustomerFactory(owner=team.rep), CustomerFactory(owner=team.peer)
    form = client_for(team.rep).get(reverse("sales:opportunity-create")).context["form"]
    offered = set(form.fields["customer"].queryset)
    assert mine in offered and theirs not in offered


def test_customer_tab_lists_only_the_opportunities_in_scope(client_for, team):
    from crm.customers.tests.factories import CustomerFactory

    customer = CustomerFactory(owner=team.rep)
    mine = developing(team.rep, customer=customer)
    developing(team.peer, customer=customer)
    url = reverse("sales:customer-opportunities", args=[customer.pk])
    response = client_for(team.rep).get(url, headers={"HX-Request": "true"})
    assert list(response.context["opportunities"]) == [mine]
    other = CustomerFactory(owner=team.peer)
    assert client_for(team.rep).get(reverse("sales:customer-opportunities", args=[other.pk])).status_code == 404
