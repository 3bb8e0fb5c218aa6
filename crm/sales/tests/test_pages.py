"""The marketing pages: forms, confirmations, messages, the development page and the board."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role
from crm.core import menu
from crm.customers.models import Contact, Customer
from crm.sales.models import Opportunity, PipelineStage, PlanItem, StageChange

from .factories import OpportunityFactory, PlanItemFactory, developing, stage

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def form_data(**overrides):
    data = {
        "customer_name": "北京新星科技有限公司",
        "probability": "60",
        "summary": "采购 20 台笔记本电脑",
        "contact": "李明",
        "contact_phone": "13911112222",
        "description": "客户在展会上表示有采购意向。",
    }
    return data | overrides


def detail(opportunity):
    return reverse("sales:opportunity-detail", args=[opportunity.pk])


# Create, edit, delete ------------------------------------------------------------------------------


def test_create_page_marks_required_fields_saves_and_confirms(client_for, team):
    client = client_for(team.rep)
    page = client.get(reverse("sales:opportunity-create"))
    assert page.status_code == 200
    required = {name for name, field in page.context["form"].fields.items() if field.required}
    assert required == {"customer_name", "probability", "summary", "description"}
    response = client.post(reverse("sales:opportunity-create"), form_data(), follow=True)
    opportunity = Opportunity.objects.get()
    assert response.redirect_chain[-1][0] == detail(opportunity)
    assert "Opportunity created." in response.content.decode()
    assert (opportunity.created_by, opportunity.status) == (team.rep, "unassigned")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"probability": "150"}, "probability", "Ensure this value is less than or equal to 100."),
        ({"probability": "-1"}, "probability", "Ensure this value is greater than or equal to 0."),
        ({"summary": ""}, "summary", "This field is required."),
        ({"description": ""}, "description", "This field is required."),
        ({"customer_name": ""}, "customer_name", "This field is required."),
    ],
)
def test_create_page_refuses_bad_input(client_for, team, overrides, field, message):
    response = client_for(team.rep).post(reverse("sales:opportunity-create"), form_data(**overrides))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert not Opportunity.objects.exists()


def test_create_page_started_from_a_customer_prefills_it(client_for, team):
    from crm.customers.tests.factories import CustomerFactory

    customer = CustomerFactory(owner=team.rep)
    page = client_for(team.rep).get(reverse("sales:opportunity-create") + f"?customer={customer.pk}")
    assert page.context["form"].initial["customer"] == customer.pk
    assert page.context["form"].initial["customer_name"] == customer.name
    foreign = CustomerFactory(owner=team.peer)
    page = client_for(team.rep).get(reverse("sales:opportunity-create") + f"?customer={foreign.pk}")
    assert "customer" not in page.context["form"].initial


def test_edit_page_saves_while_unassigned(client_for, team):
    opportunity = OpportunityFactory(created_by=team.rep)
    url = reverse("sales:opportunity-edit", args=[opportunity.pk])
    response = client_for(team.rep).post(url, form_data(probability="75", version=1))
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.probability, opportunity.version) == (75, 2)


def test_editing_an_assigned_opportunity_is_refused_with_a_message(client_for, team):
    opportunity = developing(team.rep, by=team.boss, summary="原概要")
    client = client_for(team.boss)
    url = reverse("sales:opportunity-edit", args=[opportunity.pk])
    page = client.get(url)
    assert "Only unassigned opportunities can be edited" in page.content.decode()
    response = client.post(url, form_data(version=1))
    assert response.status_code == 400
    assert "Only unassigned opportunities can be edited" in response.content.decode()
    opportunity.refresh_from_db()
    assert (opportunity.summary, opportunity.version) == ("原概要", 1)


def test_delete_asks_first_then_deletes_for_the_creator(client_for, team):
    opportunity = OpportunityFactory(created_by=team.rep, customer_name="待删除客户")
    client = client_for(team.rep)
    url = reverse("sales:opportunity-delete", args=[opportunity.pk])
    page = client.get(url)
    assert "待删除客户" in page.content.decode() and "This cannot be undone." in page.content.decode()
    assert Opportunity.objects.exists()
    response = client.post(url, follow=True)
    assert "Opportunity deleted." in response.content.decode()
    assert not Opportunity.objects.exists()


def test_a_supervisor_who_did_not_create_it_is_told_they_may_not_delete(client_for, team):
    opportunity = OpportunityFactory(created_by=team.rep)
    client = client_for(team.boss)
    assert 'id="delete"' not in client.get(detail(opportunity)).content.decode()
    response = client.post(reverse("sales:opportunity-delete", args=[opportunity.pk]), follow=True)
    assert "You are not the creator; you may not delete it." in response.content.decode()
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


# Assign ------------------------------------------------------------------------------------------


def test_supervisor_assigns_from_the_assign_page(client_for, team):
    opportunity = OpportunityFactory(created_by=team.rep)
    url = reverse("sales:opportunity-assign", args=[opportunity.pk])
    response = client_for(team.boss).post(url, {"to": team.rep.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("sales:unassigned")
    assert f"Assigned to {team.rep.display_name}." in response.content.decode()
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.owner) == ("developing", team.rep)


@pytest.mark.parametrize("who", ["chief", "disabled", "far"])
def test_assign_page_refuses_anyone_but_an_active_account_manager_in_scope(client_for, team, who):
    target = (
        user_with_role(Role.Key.ACCOUNT_MANAGER, department=team.department, is_active=False)
        if who == "disabled"
        else getattr(team, who)
    )
    opportunity = OpportunityFactory(created_by=team.rep)
    response = client_for(team.boss).post(reverse("sales:opportunity-assign", args=[opportunity.pk]), {"to": target.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["to"]
    assert Opportunity.objects.get(pk=opportunity.pk).status == "unassigned"


def test_assign_page_of_an_assigned_opportunity_says_so(client_for, team):
    opportunity = developing(team.rep, by=team.boss)
    client = client_for(team.boss)
    url = reverse("sales:opportunity-assign", args=[opportunity.pk])
    assert f"already been assigned to {team.rep.display_name}" in client.get(url).content.decode()
    response = client.post(url, {"to": team.peer.pk})
    assert response.status_code == 400
    assert Opportunity.objects.get(pk=opportunity.pk).owner == team.rep


def test_account_managers_cannot_open_the_assign_page(client_for, team):
    opportunity = OpportunityFactory(created_by=team.rep)
    assert client_for(team.rep).get(reverse("sales:opportunity-assign", args=[opportunity.pk])).status_code == 403


# The development page (R-OPP-5 … R-OPP-8) --------------------------------------------------------


def test_the_assignee_sees_the_plan_beside_the_details_with_its_forms(client_for, team):
    opportunity = developing(team.rep, summary="机房扩容")
    PlanItemFactory(opportunity=opportunity, todo="电话回访")
    body = client_for(team.rep).get(detail(opportunity)).content.decode()
    assert "机房扩容" in body and "电话回访" in body
    for marker in ('id="plan-form"', 'id="stage-form"', 'id="succeed"', 'id="fail"'):
        assert marker in body


def test_others_see_the_plan_read_only(client_for, team):
    opportunity = developing(team.rep, by=team.boss)
    PlanItemFactory(opportunity=opportunity, todo="电话回访")
    body = client_for(team.boss).get(detail(opportunity)).content.decode()
    assert "电话回访" in body and "you see it read-only" in body
    for marker in ('id="plan-form"', 'id="stage-form"', 'id="succeed"', 'id="fail"'):
        assert marker not in body


def test_plan_items_are_added_from_the_development_page(client_for, team):
    opportunity = developing(team.rep)
    client = client_for(team.rep)
    url = reverse("sales:plan-item-create", args=[opportunity.pk])
    response = client.post(url, {"date": "2030-05-06", "todo": "上门拜访"}, follow=True)
    assert response.redirect_chain[-1][0] == detail(opportunity)
    assert "Plan item added." in response.content.decode()
    item = PlanItem.objects.get()
    assert (item.date, item.todo) == (datetime.date(2030, 5, 6), "上门拜访")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date": "", "todo": "上门拜访"}, "date", "Enter the date of this step (YYYY-MM-DD)."),
        ({"date": "2030/13/40", "todo": "上门拜访"}, "date", "Enter a valid date."),
        ({"date": "2030-05-06", "todo": ""}, "todo", "This field is required."),
    ],
)
def test_a_plan_item_without_a_valid_date_or_todo_is_refused(client_for, team, data, field, message):
    opportunity = developing(team.rep)
    response = client_for(team.rep).post(reverse("sales:plan-item-create", args=[opportunity.pk]), data)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert not PlanItem.objects.exists()


def test_editing_a_plan_item_keeps_its_date(client_for, team):
    item = PlanItemFactory(opportunity=developing(team.rep), date=datetime.date(2030, 1, 2), todo="电话")
    url = reverse("sales:plan-item-edit", args=[item.opportunity_id, item.pk])
    response = client_for(team.rep).post(url, {"todo": "上门", "date": "2031-01-01", "version": 1})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.todo, item.date) == ("上门", datetime.date(2030, 1, 2))


def test_recording_a_result_and_deleting_an_item(client_for, team):
    item = PlanItemFactory(opportunity=developing(team.rep))
    client = client_for(team.rep)
    url = reverse("sales:plan-item-result", args=[item.opportunity_id, item.pk])
    assert client.post(url, {"result": "", "version": 1}).status_code == 400
    response = client.post(url, {"result": "客户同意试用", "version": 1}, follow=True)
    assert "Result recorded." in response.content.decode()
    assert PlanItem.objects.get(pk=item.pk).result == "客户同意试用"
    delete = reverse("sales:plan-item-delete", args=[item.opportunity_id, item.pk])
    assert "This cannot be undone." in client.get(delete).content.decode()
    client.post(delete)
    assert not PlanItem.objects.exists()


def test_someone_else_posting_a_plan_item_is_refused_with_a_message(client_for, team):
    opportunity = developing(team.rep, by=team.boss)
    response = client_for(team.boss).post(
        reverse("sales:plan-item-create", args=[opportunity.pk]), {"date": "2030-05-06", "todo": "x"}
    )
    assert response.status_code == 400
    assert f"Only the assignee ({team.rep.display_name}) can develop this opportunity." in response.content.decode()
    assert not PlanItem.objects.exists()


def test_success_page_creates_the_customer_and_says_so(client_for, team):
    opportunity = developing(team.rep, customer_name="上海远航贸易有限公司", contact="赵六", contact_phone="021-1234")
    client = client_for(team.rep)
    url = reverse("sales:opportunity-succeed", args=[opportunity.pk])
    page = client.get(url)
    assert "上海远航贸易有限公司" in page.content.decode()
    assert page.context["form"].initial["contact_phone"] == "021-1234"
    response = client.post(
        url, {"contact_gender": "female", "contact_position": "经理", "contact_phone": "021-1234"}, follow=True
    )
    assert "Development succeeded; a new customer record was added." in response.content.decode()
    customer = Customer.objects.get()
    assert (customer.name, customer.owner) == ("上海远航贸易有限公司", team.rep)
    assert Contact.objects.get().customer == customer
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.customer) == ("succeeded", customer)


def test_success_page_asks_for_the_contacts_gender_without_preselecting_one(client_for, team):
    opportunity = developing(team.rep, contact="赵六")
    page = client_for(team.rep).get(reverse("sales:opportunity-succeed", args=[opportunity.pk]))
    gender = page.context["form"]["contact_gender"]
    assert gender.field.required
    assert gender.value() in (None, "")
    assert [value for value, _label in gender.field.choices][0] == ""
    assert '<option value="" selected>' in str(gender)


def test_success_page_without_the_contacts_details_changes_nothing(client_for, team):
    opportunity = developing(team.rep, contact="赵六")
    response = client_for(team.rep).post(reverse("sales:opportunity-succeed", args=[opportunity.pk]), {})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"contact_gender", "contact_position"}
    assert not Customer.objects.exists()
    assert Opportunity.objects.get(pk=opportunity.pk).status == "developing"


def test_succeeding_an_unassigned_opportunity_is_refused(client_for, team):
    opportunity = OpportunityFactory(created_by=team.rep, contact="")
    client = client_for(team.rep)
    url = reverse("sales:opportunity-succeed", args=[opportunity.pk])
    assert "has not been assigned yet" in client.get(url).content.decode()
    response = client.post(url, {})
    assert response.status_code == 400
    assert "has not been assigned yet" in response.content.decode()
    assert not Customer.objects.exists()
    assert Opportunity.objects.get(pk=opportunity.pk).status == "unassigned"


def test_failure_page_closes_it_and_the_page_becomes_read_only(client_for, team):
    opportunity = developing(team.rep)
    PlanItemFactory(opportunity=opportunity, todo="电话回访")
    client = client_for(team.rep)
    response = client.post(
        reverse("sales:opportunity-fail", args=[opportunity.pk]), {"reason": "预算取消"}, follow=True
    )
    body = response.content.decode()
    assert "The opportunity is closed as failed." in body
    assert "电话回访" in body and "预算取消" in body
    assert 'id="plan-form"' not in body and 'id="succeed"' not in body
    assert Opportunity.objects.get(pk=opportunity.pk).status == "failed"


# Pipeline ----------------------------------------------------------------------------------------


def test_moving_stage_from_the_page_and_the_board(client_for, team):
    opportunity = developing(team.rep)
    client = client_for(team.rep)
    url = reverse("sales:opportunity-stage", args=[opportunity.pk])
    response = client.post(url, {"stage": stage("需求分析").pk, "note": "需求已确认"}, follow=True)
    assert "Moved to 需求分析; the success probability is now 30%." in response.content.decode()
    response = client.post(url, {"stage": stage("方案报价").pk, "back": "board"})
    assert response["Location"] == reverse("sales:board")
    opportunity.refresh_from_db()
    assert (opportunity.stage.name, opportunity.probability) == ("方案报价", 60)
    assert StageChange.objects.count() == 2
    history = client.get(reverse("sales:stage-history", args=[opportunity.pk]), headers=HTMX)
    assert "需求已确认" in history.content.decode()


def test_board_groups_open_opportunities_by_stage_with_totals(client_for, team):
    analysis, quote = stage("需求分析"), stage("方案报价")
    developing(team.rep, stage=analysis, expected_amount=Decimal("1000.00"), probability=30)
    developing(team.peer, stage=analysis, expected_amount=Decimal("3000.50"), probability=30)
    developing(team.rep, stage=quote, expected_amount=Decimal("500.00"), probability=60)
    developing(team.rep, expected_amount=None)
    OpportunityFactory(created_by=team.rep, expected_amount=Decimal("99999"))  # unassigned: not on the board
    closed = developing(team.rep, stage=quote, expected_amount=Decimal("88888"))
    Opportunity.objects.filter(pk=closed.pk).update(status="succeeded")
    PipelineStage.objects.filter(name="谈判审核").update(is_active=False)

    response = client_for(team.boss).get(reverse("sales:board"))
    columns = {(c.stage.name if c.stage else None): c for c in response.context["columns"]}
    assert list(columns) == [None, "验证客户", "需求分析", "方案报价"]  # the inactive, empty stage is left out
    assert (columns["需求分析"].count, columns["需求分析"].amount) == (2, Decimal("4000.50"))
    assert columns["需求分析"].weighted == Decimal("1200.15")
    assert (columns["方案报价"].count, columns["方案报价"].amount, columns["方案报价"].weighted) == (
        1,
        Decimal("500.00"),
        Decimal("300.00"),
    )
    assert (columns[None].count, columns[None].amount) == (1, Decimal("0"))
    assert columns["验证客户"].count == 0
    assert response.context["totals"]["count"] == 4
    assert response.context["totals"]["amount"] == Decimal("4500.50")


def test_board_filters_by_assignee(client_for, team):
    developing(team.rep, stage=stage("需求分析"))
    developing(team.peer, stage=stage("需求分析"))
    response = client_for(team.boss).get(reverse("sales:board"), {"owner": team.peer.pk})
    assert response.context["totals"]["count"] == 1


def test_stage_configuration_is_for_administrators(client_for, team):
    admin = client_for(team.admin)
    response = admin.post(
        reverse("sales:stage-create"), {"name": "签约", "win_rate": "95", "sort_order": "50", "is_active": "on"}
    )
    assert response.status_code == 302
    created = PipelineStage.objects.get(name="签约")
    edit = reverse("sales:stage-edit", args=[created.pk])
    assert admin.post(edit, {"name": "签约", "win_rate": "150", "sort_order": "50", "version": 1}).status_code == 400
    assert admin.post(edit, {"name": "赢单", "win_rate": "90", "sort_order": "50", "version": 1}).status_code == 302
    assert PipelineStage.objects.get(pk=created.pk).name == "赢单"
    assert "赢单" in admin.get(reverse("sales:stage-list")).content.decode()
    rep = client_for(team.rep)
    assert rep.get(reverse("sales:stage-create")).status_code == 403
    assert rep.post(reverse("sales:stage-delete", args=[created.pk])).status_code == 403


# Lists and menu ----------------------------------------------------------------------------------


def test_lists_filter_by_status_assignee_creator_source_date_and_text(client_for, team):
    old = developing(team.rep, by=team.boss, customer_name="旧客户")
    Opportunity.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    OpportunityFactory(created_by=team.peer, customer_name="新客户", summary="投影仪")
    client = client_for(team.boss)
    url = reverse("sales:opportunity-list")

    def names(**params):
        return {o.customer_name for o in client.get(url, params).context["rows"]}

    assert names() == {"旧客户", "新客户"}
    assert names(status="developing") == {"旧客户"}
    assert names(owner=team.rep.pk) == {"旧客户"}
    assert names(created_by=team.peer.pk) == {"新客户"}
    assert names(q="投影") == {"新客户"}
    since = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    assert names(created_from=since) == {"新客户"}
    assert names(created_to=since) == {"旧客户"}


def test_unassigned_list_filters_by_customer_summary_and_contact(client_for, team):
    OpportunityFactory(created_by=team.rep, customer_name="甲公司", summary="电脑", contact="张三")
    OpportunityFactory(created_by=team.rep, customer_name="乙公司", summary="投影", contact="李四")
    developing(team.rep, customer_name="甲公司二部")
    client = client_for(team.boss)
    url = reverse("sales:unassigned")

    def names(**params):
        return {o.customer_name for o in client.get(url, params).context["rows"]}

    assert names() == {"甲公司", "乙公司"}
    assert names(customer_name="甲") == {"甲公司"}
    assert names(summary="投影") == {"乙公司"}
    assert names(contact="张") == {"甲公司"}


def menu_names(user):
    return {item.url_name for _group, items in menu.menu_for(user) for item in items}


def test_menu_per_role(team):
    sales_items = {"sales:opportunity-list", "sales:unassigned", "sales:my-plans", "sales:board", "sales:stage-list"}
    assert menu_names(team.boss) & sales_items == sales_items - {"sales:stage-list"}
    assert menu_names(team.rep) & sales_items == {"sales:opportunity-list", "sales:my-plans", "sales:board"}
    assert menu_names(team.chief) & sales_items == {"sales:opportunity-list", "sales:board"}
    assert menu_names(team.admin) & sales_items == {"sales:stage-list"}


def test_menu_badges_count_waiting_work(client_for, team):
    OpportunityFactory(created_by=team.rep)
    OpportunityFactory(created_by=team.far)  # outside the supervisor's scope
    opportunity = developing(team.rep)
    PlanItemFactory(opportunity=opportunity, date=timezone.localdate() - datetime.timedelta(days=1))
    PlanItemFactory(opportunity=opportunity, date=timezone.localdate() + datetime.timedelta(days=5))
    PlanItemFactory(opportunity=opportunity, date=timezone.localdate(), result="完成")
    items = {item.url_name: item for group in menu.GROUPS.values() for item in group.items}
    assert items["sales:unassigned"].badge(team.boss) == 1
    assert items["sales:my-plans"].badge(team.rep) == 1


def test_executive_reads_but_cannot_create(client_for, team):
    opportunity = developing(team.rep)
    client = client_for(team.chief)
    assert client.get(reverse("sales:opportunity-list")).status_code == 200
    assert client.get(detail(opportunity)).status_code == 200
    assert client.get(reverse("sales:board")).status_code == 200
    assert client.get(reverse("sales:opportunity-create")).status_code == 403
    assert client.get(reverse("sales:my-plans")).status_code == 403


def test_list_query_counts_do_not_grow_with_the_rows(client_for, team, django_assert_max_num_queries):
    from crm.catalog.models import Product

    product = Product.objects.create(external_key="P1", name="笔记本电脑", price=Decimal("5000"))
    urls = [
        reverse("sales:opportunity-list"),
        reverse("sales:unassigned"),
        reverse("sales:board"),
        reverse("sales:my-plans"),
        reverse("sales:stage-list"),
    ]

    def add_rows(count):
        for index in range(count):
            OpportunityFactory(created_by=team.rep)
            opportunity = developing(team.rep, stage=stage("需求分析") if index % 2 else None, by=team.boss)
            opportunity.products.add(product)
            PlanItemFactory(opportunity=opportunity)

    add_rows(1)
    counts = {}
    for user in (team.boss, team.rep):
        client = client_for(user)
        for url in urls:
            if client.get(url).status_code != 200:
                continue
            with django_assert_max_num_queries(25) as few:
                client.get(url)
            counts[(user.pk, url)] = len(few.captured_queries)
    add_rows(12)
    for (user_pk, url), count in counts.items():
        client = client_for(team.boss if user_pk == team.boss.pk else team.rep)
        with django_assert_max_num_queries(count):
            response = client.get(url, {"page_size": 50})
        assert response.status_code == 200


def test_development_page_query_count_does_not_grow_with_the_plan(client_for, team, django_assert_max_num_queries):
    opportunity = developing(team.rep)
    PlanItemFactory(opportunity=opportunity)
    client = client_for(team.rep)
    client.get(detail(opportunity))
    with django_assert_max_num_queries(40) as few:
        client.get(detail(opportunity))
    for _ in range(10):
        PlanItemFactory(opportunity=opportunity)
    services_move = [stage("验证客户"), stage("需求分析"), stage("方案报价")]
    from crm.sales import services

    for target in services_move:
        services.move_stage(opportunity, by=team.rep, stage=target)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(detail(opportunity))
