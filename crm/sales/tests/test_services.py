"""Opportunity rules and transitions (R-OPP-1 … R-OPP-9): every transition allowed and refused."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from crm.accounts.models import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory, user_with_role
from crm.core.concurrency import StaleEditError
from crm.customers.models import Contact, Customer
from crm.customers.tests.factories import CustomerFactory
from crm.sales import services
from crm.sales.models import Opportunity, PipelineStage, PlanItem, StageChange

from .factories import OpportunityFactory, PlanItemFactory, developing, stage

pytestmark = pytest.mark.django_db

Status = Opportunity.Status


def new_fields(**overrides):
    return {
        "customer_name": "北京新星科技有限公司",
        "probability": 60,
        "summary": "采购 20 台笔记本电脑",
        "contact": "李明",
        "contact_phone": "13911112222",
        "description": "客户在展会上表示有采购意向。",
    } | overrides


def messages_of(error):
    return error.value.message_dict if hasattr(error.value, "error_dict") else {"": error.value.messages}


def closed(owner, status):
    opportunity = developing(owner)
    Opportunity.objects.filter(pk=opportunity.pk).update(status=status, closed_at=timezone.now())
    opportunity.refresh_from_db()
    return opportunity


# Create (R-OPP-1) --------------------------------------------------------------------------------


def test_create_sets_creator_time_and_status_unassigned(team):
    opportunity = services.create_opportunity(by=team.rep, **new_fields())
    opportunity.refresh_from_db()
    assert opportunity.status == Status.UNASSIGNED
    assert opportunity.created_by == team.rep
    assert opportunity.owner is None
    assert opportunity.created_at is not None
    assert opportunity.version == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"probability": 150}, "probability"),
        ({"probability": None}, "probability"),
        ({"summary": ""}, "summary"),
        ({"summary": "   "}, "summary"),
        ({"customer_name": ""}, "customer_name"),
        ({"description": ""}, "description"),
        ({"expected_amount": Decimal("-1")}, "expected_amount"),
    ],
)
def test_create_refuses_bad_input_on_its_field(team, overrides, field):
    with pytest.raises(ValidationError) as error:
        services.create_opportunity(by=team.rep, **new_fields(**overrides))
    assert field in error.value.message_dict
    assert not Opportunity.objects.exists()


def test_probability_above_100_says_so(team):
    with pytest.raises(ValidationError) as error:
        services.create_opportunity(by=team.rep, **new_fields(probability=150))
    assert error.value.message_dict["probability"] == ["Ensure this value is less than or equal to 100."]


def test_create_for_an_existing_customer_takes_its_name_when_none_given(team):
    customer = CustomerFactory(owner=team.rep)
    opportunity = services.create_opportunity(by=team.rep, **new_fields(customer=customer, customer_name=""))
    assert (opportunity.customer, opportunity.customer_name) == (customer, customer.name)


def test_create_for_a_customer_outside_the_creators_scope_is_refused(team):
    foreign = CustomerFactory(owner=team.peer)
    with pytest.raises(ValidationError) as error:
        services.create_opportunity(by=team.rep, **new_fields(customer=foreign))
    assert "customer" in error.value.message_dict
    assert not Opportunity.objects.exists()


def test_products_of_interest_are_kept(team):
    from crm.catalog.models import Product

    product = Product.objects.create(external_key="P1", name="笔记本电脑", price=Decimal("5000"))
    opportunity = services.create_opportunity(by=team.rep, products=[product], **new_fields())
    assert list(opportunity.products.all()) == [product]


# Edit (R-OPP-2) ----------------------------------------------------------------------------------


def test_edit_while_unassigned_saves_and_bumps_the_version(team):
    opportunity = OpportunityFactory(created_by=team.rep)
    services.update_opportunity(opportunity, by=team.rep, expected_version=1, **new_fields(probability=70))
    opportunity.refresh_from_db()
    assert (opportunity.probability, opportunity.customer_name, opportunity.version) == (70, "北京新星科技有限公司", 2)


@pytest.mark.parametrize("status", [Status.DEVELOPING, Status.SUCCEEDED, Status.FAILED])
def test_editing_an_assigned_or_closed_opportunity_is_refused_and_changes_nothing(team, status):
    opportunity = developing(team.rep) if status == Status.DEVELOPING else closed(team.rep, status)
    before = (opportunity.summary, opportunity.version)
    with pytest.raises(ValidationError) as error:
        services.update_opportunity(opportunity, by=team.boss, expected_version=opportunity.version, **new_fields())
    assert "Only unassigned opportunities can be edited" in error.value.messages[0]
    opportunity.refresh_from_db()
    assert (opportunity.summary, opportunity.version) == before


def test_stale_edit_is_refused(team):
    opportunity = OpportunityFactory(created_by=team.rep)
    services.update_opportunity(opportunity, by=team.rep, expected_version=1, **new_fields(probability=70))
    stale = Opportunity.objects.get(pk=opportunity.pk)
    with pytest.raises(StaleEditError):
        services.update_opportunity(stale, by=team.boss, expected_version=1, **new_fields(probability=10))
    assert Opportunity.objects.get(pk=opportunity.pk).probability == 70


# Delete (R-OPP-3) --------------------------------------------------------------------------------


def test_creator_deletes_an_unassigned_opportunity(team):
    opportunity = OpportunityFactory(created_by=team.rep)
    services.delete_opportunity(opportunity, by=team.rep)
    assert not Opportunity.objects.exists()


def test_someone_else_may_not_delete_it(team):
    opportunity = OpportunityFactory(created_by=team.rep)
    with pytest.raises(ValidationError) as error:
        services.delete_opportunity(opportunity, by=team.boss)
    assert error.value.messages == ["You are not the creator; you may not delete it."]
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


def test_an_assigned_opportunity_cannot_be_deleted_even_by_its_creator(team):
    opportunity = developing(team.rep, by=team.boss)
    with pytest.raises(ValidationError) as error:
        services.delete_opportunity(opportunity, by=team.boss)
    assert "Only unassigned opportunities can be deleted" in error.value.messages[0]
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


# Assign (R-OPP-4) --------------------------------------------------------------------------------


def test_supervisor_assigns_to_an_account_manager(team):
    opportunity = OpportunityFactory(created_by=team.boss)
    services.assign_opportunity(opportunity, to=team.rep, by=team.boss)
    opportunity.refresh_from_db()
    assert opportunity.status == Status.DEVELOPING
    assert (opportunity.owner, opportunity.assigned_by) == (team.rep, team.boss)
    assert timezone.now() - opportunity.assigned_at < datetime.timedelta(minutes=1)
    assert opportunity.version == 2


@pytest.mark.parametrize("who", ["chief", "far", "disabled", "no_role", "nobody"])
def test_assigning_to_someone_who_may_not_develop_in_scope_is_refused(team, who):
    targets = {
        "chief": team.chief,  # an executive
        "far": team.far,  # an account manager outside the supervisor's department
        "disabled": user_with_role(Role.Key.ACCOUNT_MANAGER, department=team.department, is_active=False),
        "no_role": UserFactory(department=team.department),  # may not develop opportunities
        "nobody": None,
    }
    opportunity = OpportunityFactory(created_by=team.boss)
    with pytest.raises(ValidationError) as error:
        services.assign_opportunity(opportunity, to=targets[who], by=team.boss)
    assert "to" in error.value.message_dict
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.owner, opportunity.version) == (Status.UNASSIGNED, None, 1)


def test_refusals_name_the_reason(team):
    disabled = user_with_role(Role.Key.ACCOUNT_MANAGER, department=team.department, is_active=False, name="停用者")
    opportunity = OpportunityFactory(created_by=team.boss)
    cases = {
        team.chief: "may not develop opportunities",
        disabled: "停用者 is disabled",
        team.far: "is outside your team",
    }
    for target, text in cases.items():
        with pytest.raises(ValidationError) as error:
            services.assign_opportunity(opportunity, to=target, by=team.boss)
        assert text in error.value.message_dict["to"][0]


def test_an_account_manager_may_not_assign(team):
    opportunity = OpportunityFactory(created_by=team.rep)
    with pytest.raises(ValidationError) as error:
        services.assign_opportunity(opportunity, to=team.rep, by=team.rep)
    assert error.value.messages == ["You may not assign opportunities."]
    assert Opportunity.objects.get(pk=opportunity.pk).status == Status.UNASSIGNED


@pytest.mark.parametrize("status", [Status.SUCCEEDED, Status.FAILED])
def test_closed_opportunities_cannot_be_assigned(team, status):
    opportunity = closed(team.rep, status)
    with pytest.raises(ValidationError):
        services.assign_opportunity(opportunity, to=team.peer, by=team.boss)
    assert Opportunity.objects.get(pk=opportunity.pk).owner == team.rep


def test_the_second_of_two_assignments_from_the_same_page_is_refused(team):
    """Two supervisors opened the unassigned opportunity; the second one's assignment fails."""
    other_boss = user_with_role(Role.Key.SUPERVISOR, department=team.department)
    opportunity = OpportunityFactory(created_by=team.boss)
    first, second = Opportunity.objects.get(pk=opportunity.pk), Opportunity.objects.get(pk=opportunity.pk)
    services.assign_opportunity(first, to=team.rep, by=team.boss)
    with pytest.raises(ValidationError) as error:
        services.assign_opportunity(second, to=team.peer, by=other_boss)
    assert "already been assigned to" in error.value.messages[0]
    opportunity.refresh_from_db()
    assert (opportunity.owner, opportunity.assigned_by, opportunity.version) == (team.rep, team.boss, 2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_concurrent_assignments_let_exactly_one_succeed():
    department = DepartmentFactory()
    bosses = [user_with_role(Role.Key.SUPERVISOR, department=department) for _ in range(2)]
    reps = [user_with_role(Role.Key.ACCOUNT_MANAGER, department=department) for _ in range(2)]
    opportunity = OpportunityFactory(created_by=bosses[0])
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def assign(boss, rep):
        copy = Opportunity.objects.get(pk=opportunity.pk)
        barrier.wait()
        try:
            with transaction.atomic():
                services.assign_opportunity(copy, to=rep, by=boss)
            outcomes.append(("assigned", rep.pk))
        except ValidationError:
            outcomes.append(("refused", rep.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=pair) for pair in zip(bosses, reps, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _pk in outcomes) == ["assigned", "refused"]
    winner = next(pk for kind, pk in outcomes if kind == "assigned")
    opportunity.refresh_from_db()
    assert (opportunity.owner_id, opportunity.version) == (winner, 2)


# Development plan (R-OPP-5, R-OPP-6) -------------------------------------------------------------


def test_assignee_adds_edits_executes_and_deletes_plan_items(team):
    opportunity = developing(team.rep, by=team.boss)
    day = timezone.localdate() + datetime.timedelta(days=3)
    item = services.add_plan_item(opportunity, by=team.rep, date=day, todo="  上门拜访  ")
    assert (item.date, item.todo, item.created_by) == (day, "上门拜访", team.rep)

    services.update_plan_item(item, by=team.rep, expected_version=1, todo="上门演示")
    item.refresh_from_db()
    assert (item.todo, item.date, item.version) == ("上门演示", day, 2)

    services.record_result(item, by=team.rep, expected_version=2, result="客户认可方案")
    item.refresh_from_db()
    assert item.result == "客户认可方案" and item.result_at is not None and item.is_done

    services.delete_plan_item(item, by=team.rep)
    assert not PlanItem.objects.exists()


@pytest.mark.parametrize(
    ("date", "todo", "field"),
    [(None, "电话回访", "date"), ("not a date", "电话回访", "date"), (datetime.date(2030, 1, 1), "", "todo")],
)
def test_plan_item_needs_a_date_and_a_todo(team, date, todo, field):
    opportunity = developing(team.rep)
    with pytest.raises(ValidationError) as error:
        services.add_plan_item(opportunity, by=team.rep, date=date, todo=todo)
    assert field in error.value.message_dict
    assert not PlanItem.objects.exists()


def test_empty_result_is_refused(team):
    item = PlanItemFactory(opportunity=developing(team.rep))
    with pytest.raises(ValidationError) as error:
        services.record_result(item, by=team.rep, expected_version=1, result="  ")
    assert "result" in error.value.message_dict
    assert PlanItem.objects.get(pk=item.pk).result == ""


@pytest.mark.parametrize("who", ["boss", "peer"])
def test_only_the_assignee_develops(team, who):
    opportunity = developing(team.rep, by=team.boss)
    item = PlanItemFactory(opportunity=opportunity, todo="电话回访")
    user = getattr(team, who)
    attempts = [
        lambda: services.add_plan_item(opportunity, by=user, date=timezone.localdate(), todo="x"),
        lambda: services.update_plan_item(item, by=user, expected_version=1, todo="x"),
        lambda: services.record_result(item, by=user, expected_version=1, result="x"),
        lambda: services.delete_plan_item(item, by=user),
        lambda: services.move_stage(opportunity, by=user, stage=stage("验证客户")),
        lambda: services.succeed_opportunity(opportunity, by=user),
        lambda: services.fail_opportunity(opportunity, by=user),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as error:
            attempt()
        assert "Only the assignee" in error.value.messages[0]
    item.refresh_from_db()
    opportunity.refresh_from_db()
    assert (item.todo, item.result, item.version) == ("电话回访", "", 1)
    assert (opportunity.status, opportunity.version, opportunity.stage) == (Status.DEVELOPING, 1, None)


def test_an_unassigned_opportunity_cannot_be_developed_or_closed(team):
    opportunity = OpportunityFactory(created_by=team.rep)
    for attempt in (
        lambda: services.add_plan_item(opportunity, by=team.rep, date=timezone.localdate(), todo="x"),
        lambda: services.succeed_opportunity(opportunity, by=team.rep),
        lambda: services.fail_opportunity(opportunity, by=team.rep),
        lambda: services.move_stage(opportunity, by=team.rep, stage=stage("验证客户")),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert error.value.messages == ["This opportunity has not been assigned yet; it cannot be developed."]
    assert Opportunity.objects.get(pk=opportunity.pk).status == Status.UNASSIGNED
    assert not Customer.objects.exists()


@pytest.mark.parametrize("status", [Status.SUCCEEDED, Status.FAILED])
def test_closed_opportunities_are_read_only(team, status):
    opportunity = closed(team.rep, status)
    item = PlanItemFactory(opportunity=opportunity)
    attempts = [
        lambda: services.add_plan_item(opportunity, by=team.rep, date=timezone.localdate(), todo="x"),
        lambda: services.update_plan_item(item, by=team.rep, expected_version=1, todo="x"),
        lambda: services.record_result(item, by=team.rep, expected_version=1, result="x"),
        lambda: services.delete_plan_item(item, by=team.rep),
        lambda: services.move_stage(opportunity, by=team.rep, stage=stage("验证客户")),
        lambda: services.update_pipeline(opportunity, by=team.rep, expected_version=1, expected_amount=Decimal(1)),
        lambda: services.succeed_opportunity(opportunity, by=team.rep),
        lambda: services.fail_opportunity(opportunity, by=team.rep),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as error:
            attempt()
        assert "is closed" in error.value.messages[0]
    assert PlanItem.objects.get(pk=item.pk).version == 1
    assert Opportunity.objects.get(pk=opportunity.pk).status == status


# Success and failure (R-OPP-7, R-OPP-8) ---------------------------------------------------------


def test_success_creates_the_customer_and_its_first_contact(team):
    opportunity = developing(
        team.rep, by=team.boss, customer_name="上海远航贸易有限公司", contact="赵六", contact_phone="13700001111"
    )
    services.succeed_opportunity(opportunity, by=team.rep, contact_gender="male", contact_position="采购经理")
    opportunity.refresh_from_db()
    customer = Customer.objects.get()
    assert opportunity.status == Status.SUCCEEDED and opportunity.closed_at is not None
    assert opportunity.customer == customer
    assert (customer.name, customer.owner, customer.status) == ("上海远航贸易有限公司", team.rep, "normal")
    assert customer.number.startswith("KH")
    contact = Contact.objects.get()
    assert (contact.customer, contact.name, contact.office_phone, contact.mobile) == (
        customer,
        "赵六",
        "13700001111",
        "13700001111",
    )
    assert (contact.gender, contact.position, contact.owner) == ("male", "采购经理", team.rep)


def test_success_keeps_a_landline_as_office_phone_only(team):
    opportunity = developing(team.rep, contact="钱七", contact_phone="010-66668888")
    services.succeed_opportunity(opportunity, by=team.rep, contact_gender="female", contact_position="经理")
    contact = Contact.objects.get()
    assert (contact.office_phone, contact.mobile) == ("010-66668888", "")


def test_success_without_a_contact_creates_only_the_customer(team):
    opportunity = developing(team.rep, contact="", contact_phone="")
    services.succeed_opportunity(opportunity, by=team.rep)
    assert Customer.objects.get().owner == team.rep
    assert not Contact.objects.exists()


def test_success_for_an_existing_customer_links_it_and_creates_nothing(team):
    customer = CustomerFactory(owner=team.rep)
    opportunity = developing(team.rep, customer=customer, customer_name=customer.name)
    services.succeed_opportunity(opportunity, by=team.rep)
    opportunity.refresh_from_db()
    assert opportunity.customer == customer and opportunity.status == Status.SUCCEEDED
    assert Customer.objects.count() == 1
    assert not Contact.objects.exists()


def test_success_missing_the_contacts_details_changes_nothing(team):
    opportunity = developing(team.rep, contact="赵六", contact_phone="")
    with pytest.raises(ValidationError) as error:
        services.succeed_opportunity(opportunity, by=team.rep, contact_gender="", contact_position="")
    assert {"contact_gender", "contact_position", "contact_phone"} <= set(error.value.message_dict)
    assert not Customer.objects.exists() and not Contact.objects.exists()
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.customer, opportunity.version) == (Status.DEVELOPING, None, 1)


def test_success_cannot_be_applied_twice(team):
    opportunity = developing(team.rep, contact="")
    stale = Opportunity.objects.get(pk=opportunity.pk)
    services.succeed_opportunity(opportunity, by=team.rep)
    with pytest.raises(ValidationError):
        services.succeed_opportunity(stale, by=team.rep)
    assert Customer.objects.count() == 1


def test_failure_closes_it_with_the_reason_and_keeps_the_plan(team):
    opportunity = developing(team.rep)
    item = PlanItemFactory(opportunity=opportunity, result="客户预算不足")
    services.fail_opportunity(opportunity, by=team.rep, reason="  客户选择了竞争对手  ")
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.close_reason) == (Status.FAILED, "客户选择了竞争对手")
    assert opportunity.closed_at is not None
    assert list(opportunity.plan_items.all()) == [item]
    assert not Customer.objects.exists()


# Pipeline (R-OPP-9) -----------------------------------------------------------------------------


def test_moving_stage_records_history_and_takes_the_win_rate(team):
    opportunity = developing(team.rep, probability=45)
    services.move_stage(opportunity, by=team.rep, stage=stage("验证客户"))
    services.move_stage(opportunity, by=team.rep, stage=stage("方案报价"), note="客户已确认需求")
    opportunity.refresh_from_db()
    assert (opportunity.stage.name, opportunity.probability, opportunity.version) == ("方案报价", 60, 3)
    history = list(StageChange.objects.order_by("pk").values_list("from_stage__name", "to_stage__name", "note"))
    assert history == [(None, "验证客户", ""), ("验证客户", "方案报价", "客户已确认需求")]
    assert set(StageChange.objects.values_list("changed_by", flat=True)) == {team.rep.pk}


def test_moving_to_the_current_or_an_inactive_stage_is_refused(team):
    opportunity = developing(team.rep, stage=stage("需求分析"))
    retired = PipelineStage.objects.create(name="旧阶段", win_rate=50, is_active=False)
    for target in (stage("需求分析"), retired):
        with pytest.raises(ValidationError) as error:
            services.move_stage(opportunity, by=team.rep, stage=target)
        assert "stage" in error.value.message_dict
    assert not StageChange.objects.exists()
    assert Opportunity.objects.get(pk=opportunity.pk).version == 1


def test_pipeline_fields_are_kept_up_to_date_by_the_assignee(team):
    opportunity = developing(team.rep)
    close = timezone.localdate() + datetime.timedelta(days=30)
    services.update_pipeline(
        opportunity, by=team.rep, expected_version=1, expected_amount=Decimal("12345.60"), expected_close_date=close
    )
    opportunity.refresh_from_db()
    assert (opportunity.expected_amount, opportunity.expected_close_date) == (Decimal("12345.60"), close)
    with pytest.raises(ValidationError) as error:
        services.update_pipeline(opportunity, by=team.rep, expected_version=2, expected_amount=Decimal("-5"))
    assert "expected_amount" in error.value.message_dict
    assert Opportunity.objects.get(pk=opportunity.pk).expected_amount == Decimal("12345.60")


# Pipeline stages ---------------------------------------------------------------------------------


def test_the_four_stages_are_seeded_in_order():
    assert list(PipelineStage.objects.values_list("name", "win_rate")) == [
        ("验证客户", 10),
        ("需求分析", 30),
        ("方案报价", 60),
        ("谈判审核", 80),
    ]


def test_stage_rules(team):
    created = services.create_stage(name="签约", win_rate=95, sort_order=50, is_active=True)
    assert created.pk
    for fields, field in [
        ({"name": "签约", "win_rate": 90}, "name"),
        ({"name": "赢单", "win_rate": 150}, "win_rate"),
        ({"name": "", "win_rate": 20}, "name"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.create_stage(**fields)
        assert field in error.value.message_dict
    services.delete_stage(created)
    assert not PipelineStage.objects.filter(name="签约").exists()


def test_a_stage_an_opportunity_reached_cannot_be_deleted(team):
    opportunity = developing(team.rep)
    services.move_stage(opportunity, by=team.rep, stage=stage("验证客户"))
    services.move_stage(opportunity, by=team.rep, stage=stage("需求分析"))
    with pytest.raises(ValidationError) as error:
        services.delete_stage(stage("验证客户"))
    assert "Deactivate it instead" in error.value.messages[0]
    assert PipelineStage.objects.filter(name="验证客户").exists()


def test_assignable_users_are_active_users_in_scope_who_may_develop(team):
    user_with_role(Role.Key.ACCOUNT_MANAGER, department=team.department, is_active=False)
    UserFactory(department=team.department)  # no role
    # The supervisor develops opportunities too (the permission, not the role, decides).
    assert set(services.assignable_users(team.boss)) == {team.boss, team.rep, team.peer}
    assert set(services.assignable_users(team.admin)) >= {team.boss, team.rep, team.peer, team.far}
    assert team.chief not in set(services.assignable_users(team.admin))  # an executive may not develop
