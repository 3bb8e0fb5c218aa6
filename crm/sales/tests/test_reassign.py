"""A supervisor reassigns a developing opportunity (the assignee left or was disabled)."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from crm.sales.models import Opportunity, PlanItem

from .factories import OpportunityFactory, PlanItemFactory, developing

pytestmark = pytest.mark.django_db

URL = "/api/v1/opportunities/"


def test_a_supervisor_reassigns_a_developing_opportunity_through_the_api_keeping_its_plan(api_for, team):
    opportunity = developing(team.rep, by=team.boss)
    PlanItemFactory(opportunity=opportunity, todo="电话回访")
    response = api_for(team.boss).post(
        f"{URL}{opportunity.pk}/reassign/", {"to": team.peer.pk, "version": opportunity.version}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["owner"]) == ("developing", team.peer.pk)
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.owner, stored.assigned_by, stored.version) == (team.peer, team.boss, opportunity.version + 1)
    assert PlanItem.objects.filter(opportunity=stored).count() == 1
    changes = [e.changes_dict.get("owner") for e in LogEntry.objects.get_for_object(stored)]
    assert [str(team.rep.pk), str(team.peer.pk)] in [[str(v) for v in c] for c in changes if c]


def test_reassigning_an_unassigned_or_closed_opportunity_is_refused_with_the_reason(api_for, team):
    api = api_for(team.boss)
    unassigned = OpportunityFactory(created_by=team.rep)
    response = api.post(f"{URL}{unassigned.pk}/reassign/", {"to": team.peer.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "Only developing opportunities can be reassigned; this one is “Unassigned”."
    closed = developing(team.rep)
    Opportunity.objects.filter(pk=closed.pk).update(status=Opportunity.Status.FAILED)
    response = api.post(f"{URL}{closed.pk}/reassign/", {"to": team.peer.pk}, format="json")
    assert response.status_code == 400 and "this one is “Failed”" in response.json()["message"]
    assert Opportunity.objects.get(pk=closed.pk).owner == team.rep


def test_reassigning_to_someone_outside_the_supervisors_scope_is_refused(api_for, team):
    opportunity = developing(team.rep, by=team.boss)
    response = api_for(team.boss).post(f"{URL}{opportunity.pk}/reassign/", {"to": team.far.pk}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["to"]
    assert Opportunity.objects.get(pk=opportunity.pk).owner == team.rep


def test_reassigning_from_a_stale_version_is_refused(api_for, team):
    opportunity = developing(team.rep, by=team.boss)
    response = api_for(team.boss).post(
        f"{URL}{opportunity.pk}/reassign/", {"to": team.peer.pk, "version": opportunity.version - 1}, format="json"
    )
    assert response.status_code == 400 and "Someone else changed this record" in response.json()["message"]
    assert Opportunity.objects.get(pk=opportunity.pk).owner == team.rep


def test_account_managers_may_not_reassign(api_for, client_for, team):
    opportunity = developing(team.rep, by=team.boss)
    assert api_for(team.rep).post(f"{URL}{opportunity.pk}/reassign/", {"to": team.peer.pk}).status_code == 403
    page = client_for(team.rep).get(reverse("sales:opportunity-detail", args=[opportunity.pk])).content.decode()
    assert 'id="reassign"' not in page


def test_the_opportunity_page_offers_reassigning_to_supervisors_and_the_form_reassigns(client_for, team):
    opportunity = developing(team.rep, by=team.boss)
    client = client_for(team.boss)
    page = client.get(reverse("sales:opportunity-detail", args=[opportunity.pk])).content.decode()
    assert reverse("sales:opportunity-reassign", args=[opportunity.pk]) in page
    url = reverse("sales:opportunity-reassign", args=[opportunity.pk])
    form = client.get(url).context["form"]
    offered = set(form.fields["to"].queryset)
    assert team.peer in offered and team.rep not in offered and team.far not in offered
    response = client.post(url, {"to": team.peer.pk, "version": opportunity.version})
    assert response.status_code == 302
    assert Opportunity.objects.get(pk=opportunity.pk).owner == team.peer


def test_the_reassign_page_of_an_unassigned_opportunity_says_why_not(client_for, team):
    opportunity = OpportunityFactory(created_by=team.rep)
    client = client_for(team.boss)
    url = reverse("sales:opportunity-reassign", args=[opportunity.pk])
    assert "Only developing opportunities can be reassigned" in client.get(url).content.decode()
    assert client.post(url, {"to": team.peer.pk}).status_code == 400
    assert Opportunity.objects.get(pk=opportunity.pk).owner is None
