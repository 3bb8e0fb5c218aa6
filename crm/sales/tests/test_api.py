"""The opportunity API: the same services, permissions and scope as the pages (Q-6)."""

import pytest

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role
from crm.customers.models import Contact, Customer
from crm.sales.models import Opportunity, PipelineStage, PlanItem, StageChange

from .factories import OpportunityFactory, PlanItemFactory, developing, stage

pytestmark = pytest.mark.django_db

URL = "/api/v1/opportunities/"


def payload(**overrides):
    return {
        "customer_name": "北京新星科技有限公司",
        "probability": 60,
        "summary": "采购 20 台笔记本电脑",
        "contact": "李明",
        "contact_phone": "13911112222",
        "description": "客户在展会上表示有采购意向。",
    } | overrides


def test_create_read_update_delete(api_for, team):
    api = api_for(team.rep)
    created = api.post(URL, payload(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["created_by"], body["owner"], body["version"]) == ("unassigned", team.rep.pk, None, 1)
    url = f"{URL}{body['id']}/"
    assert api.get(url).json()["plan_items"] == []
    updated = api.patch(url, {"probability": 70, "version": 1}, format="json")
    assert updated.status_code == 200 and updated.json()["probability"] == 70
    assert api.patch(url, {"probability": 80}, format="json").status_code == 400  # no version
    assert api.delete(url).status_code == 204
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"probability": 150}, "probability"), ({"summary": ""}, "summary"), ({"description": ""}, "description")],
)
def test_bad_input_answers_400_on_the_field(api_for, team, overrides, field):
    response = api_for(team.rep).post(URL, payload(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Opportunity.objects.exists()


def test_editing_an_assigned_opportunity_answers_400_with_the_reason(api_for, team):
    opportunity = developing(team.rep, by=team.boss)
    response = api_for(team.boss).patch(f"{URL}{opportunity.pk}/", {"summary": "x", "version": 1}, format="json")
    assert response.status_code == 400
    assert "Only unassigned opportunities can be edited" in response.json()["message"]


def test_only_the_creator_deletes(api_for, team):
    opportunity = OpportunityFactory(created_by=team.rep)
    response = api_for(team.boss).delete(f"{URL}{opportunity.pk}/")
    assert response.status_code == 400
    assert response.json()["message"] == "You are not the creator; you may not delete it."
    assert Opportunity.objects.exists()


def test_assign_action(api_for, team):
    opportunity = OpportunityFactory(created_by=team.rep)
    api = api_for(team.boss)
    url = f"{URL}{opportunity.pk}/assign/"
    disabled = user_with_role(Role.Key.ACCOUNT_MANAGER, department=team.department, is_active=False)
    # Who may not develop opportunities, who is outside the team or disabled is not offered.
    for target in (team.chief, team.far, disabled):
        response = api.post(url, {"to": target.pk}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"]["to"] == [
            f"User {target.pk} cannot be chosen: they are disabled, outside your scope or may not take on this record."
        ]
    assert Opportunity.objects.get(pk=opportunity.pk).status == "unassigned"
    response = api.post(url, {"to": team.rep.pk}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["owner"]) == ("developing", team.rep.pk)
    again = api.post(url, {"to": team.peer.pk}, format="json")
    assert again.status_code == 400 and "already been assigned" in again.json()["message"]


def test_plan_items_results_stage_and_success_through_the_api(api_for, team):
    opportunity = developing(team.rep, contact="赵六", contact_phone="13700001111")
    api = api_for(team.rep)
    base = f"{URL}{opportunity.pk}/"
    missing_date = api.post(base + "plan-items/", {"todo": "上门拜访"}, format="json")
    assert missing_date.status_code == 400 and "date" in missing_date.json()["errors"]
    created = api.post(base + "plan-items/", {"date": "2030-05-06", "todo": "上门拜访"}, format="json")
    assert created.status_code == 201
    item = created.json()["id"]
    edited = api.patch(base + f"plan-items/{item}/", {"todo": "上门演示", "version": 1}, format="json")
    assert edited.status_code == 200 and edited.json()["todo"] == "上门演示" and edited.json()["date"] == "2030-05-06"
    result = api.post(base + f"plan-items/{item}/result/", {"result": "客户认可", "version": 2}, format="json")
    assert result.status_code == 200 and result.json()["result"] == "客户认可"

    moved = api.post(base + "move-stage/", {"stage": stage("方案报价").pk, "note": "报价"}, format="json")
    assert moved.status_code == 200
    assert (moved.json()["stage_name"], moved.json()["probability"]) == ("方案报价", 60)
    assert [c["to_stage_name"] for c in moved.json()["stage_changes"]] == ["方案报价"]
    version = moved.json()["version"]
    pipeline = api.post(base + "pipeline/", {"expected_amount": "5000.00", "version": version}, format="json")
    assert pipeline.status_code == 200 and pipeline.json()["expected_amount"] == "5000.00"

    missing = api.post(base + "succeed/", {}, format="json")
    assert missing.status_code == 400 and "contact_gender" in missing.json()["errors"]
    assert not Customer.objects.exists()
    won = api.post(base + "succeed/", {"contact_gender": "male", "contact_position": "采购经理"}, format="json")
    assert won.status_code == 200, won.json()
    customer = Customer.objects.get()
    assert (won.json()["status"], won.json()["customer"]) == ("succeeded", customer.pk)
    assert customer.owner == team.rep and Contact.objects.get().name == "赵六"
    assert [i["result"] for i in won.json()["plan_items"]] == ["客户认可"]
    # Closed: read-only.
    late = api.post(base + "plan-items/", {"date": "2030-05-07", "todo": "x"}, format="json")
    assert late.status_code == 400 and "is closed" in late.json()["message"]


def test_delete_a_plan_item_and_fail(api_for, team):
    opportunity = developing(team.rep)
    item = PlanItemFactory(opportunity=opportunity)
    api = api_for(team.rep)
    base = f"{URL}{opportunity.pk}/"
    assert api.delete(base + f"plan-items/{item.pk}/").status_code == 204
    assert not PlanItem.objects.exists()
    failed = api.post(base + "fail/", {"reason": "预算取消"}, format="json")
    assert failed.status_code == 200
    assert (failed.json()["status"], failed.json()["close_reason"]) == ("failed", "预算取消")


def test_succeeding_an_unassigned_opportunity_answers_400(api_for, team):
    opportunity = OpportunityFactory(created_by=team.rep, contact="")
    response = api_for(team.rep).post(f"{URL}{opportunity.pk}/succeed/", {}, format="json")
    assert response.status_code == 400 and "has not been assigned yet" in response.json()["message"]
    assert not Customer.objects.exists()


def test_actions_need_their_permissions(api_for, team):
    opportunity = developing(team.rep)
    unassigned = OpportunityFactory(created_by=team.rep)
    executive = api_for(team.chief)
    assert executive.get(URL).status_code == 200
    assert executive.get(f"{URL}{opportunity.pk}/").status_code == 200
    assert executive.post(URL, payload(), format="json").status_code == 403
    assert executive.post(f"{URL}{unassigned.pk}/assign/", {"to": team.rep.pk}, format="json").status_code == 403
    assert executive.post(f"{URL}{opportunity.pk}/fail/", {}, format="json").status_code == 403
    assert executive.post(f"{URL}{opportunity.pk}/plan-items/", {}, format="json").status_code == 403
    administrator = api_for(team.admin)  # scope all, but no marketing permissions
    assert administrator.get(URL).status_code == 403
    assert Opportunity.objects.get(pk=opportunity.pk).status == "developing"


def test_only_the_assignee_develops_through_the_api(api_for, team):
    opportunity = developing(team.rep, by=team.boss)
    response = api_for(team.boss).post(f"{URL}{opportunity.pk}/move-stage/", {"stage": stage("验证客户").pk})
    assert response.status_code == 400 and "Only the assignee" in response.json()["message"]
    assert not StageChange.objects.exists()


def test_list_filters_and_query_count(api_for, team, django_assert_max_num_queries):
    for _ in range(3):
        PlanItemFactory(opportunity=developing(team.rep, stage=stage("需求分析")))
    OpportunityFactory(created_by=team.rep)
    api = api_for(team.boss)
    with django_assert_max_num_queries(20) as few:
        assert api.get(URL).json()["count"] == 4
    for _ in range(10):
        PlanItemFactory(opportunity=developing(team.rep, stage=stage("方案报价")))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(URL).json()["count"] == 14
    assert api.get(URL, {"status": "unassigned"}).json()["count"] == 1
    assert api.get(URL, {"stage": stage("方案报价").pk}).json()["count"] == 10


def test_pipeline_stages_api(api_for, team):
    admin = api_for(team.admin)
    created = admin.post("/api/v1/pipeline-stages/", {"name": "签约", "win_rate": 95, "sort_order": 50}, format="json")
    assert created.status_code == 201
    bad = admin.post("/api/v1/pipeline-stages/", {"name": "赢单", "win_rate": 150}, format="json")
    assert bad.status_code == 400 and "win_rate" in bad.json()["errors"]
    rep = api_for(team.rep)
    assert rep.get("/api/v1/pipeline-stages/").status_code == 200
    assert rep.post("/api/v1/pipeline-stages/", {"name": "x", "win_rate": 1}, format="json").status_code == 403
    used = stage("验证客户")
    services_opportunity = developing(team.rep)
    from crm.sales import services

    services.move_stage(services_opportunity, by=team.rep, stage=used)
    refused = admin.delete(f"/api/v1/pipeline-stages/{used.pk}/")
    assert refused.status_code == 400 and "Deactivate it instead" in refused.json()["message"]
    assert admin.delete(f"/api/v1/pipeline-stages/{created.json()['id']}/").status_code == 204
    assert PipelineStage.objects.filter(pk=used.pk).exists()
