"""The service request workflow (R-SVC-1 … R-SVC-5): each transition allowed and refused by
status and role, the satisfaction rule, and the history of rounds."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role
from crm.customers.models import Customer
from crm.customers.tests.factories import CustomerFactory, dict_item
from crm.dictionary.models import DictType
from crm.service import services
from crm.service.models import ServiceRequest, ServiceRound

from .factories import ServiceRequestFactory, archived, assigned, grant, handled

pytestmark = pytest.mark.django_db

Status = ServiceRequest.Status


def messages_of(error):
    return " ".join(error.value.messages)


def stored(service_request):
    return ServiceRequest.objects.get(pk=service_request.pk)


# Create (R-SVC-1) --------------------------------------------------------------------------------


def test_manager_creates_a_new_request_for_own_customer(team):
    complaint = dict_item(DictType.SERVICE_TYPE, "complaint")
    created = services.create_service_request(
        customer=team.customer,
        service_type=complaint,
        summary="  发货延迟  ",
        details="订单已延迟一周。",
        by=team.manager,
    )
    created.refresh_from_db()
    assert created.status == Status.NEW
    assert created.created_by == team.manager and created.created_at is not None
    assert (created.summary, created.service_type) == ("发货延迟", complaint)
    assert created.assignee is None and created.latest_round is None


def test_create_refuses_a_customer_outside_the_scope(team, outsider):
    with pytest.raises(ValidationError) as error:
        services.create_service_request(
            customer=outsider.customer,
            service_type=dict_item(DictType.SERVICE_TYPE),
            summary="x",
            details="y",
            by=team.manager,
        )
    assert "not yours" in messages_of(error)
    assert not ServiceRequest.objects.filter(customer=outsider.customer).exclude(pk=outsider.request.pk).exists()


@pytest.mark.parametrize("status", [Customer.Status.LOST, Customer.Status.DELETED])
def test_create_refuses_a_customer_not_in_status_normal(team, status):
    Customer.objects.filter(pk=team.customer.pk).update(status=status)
    with pytest.raises(ValidationError) as error:
        services.create_service_request(
            customer=team.customer,
            service_type=dict_item(DictType.SERVICE_TYPE),
            summary="x",
            details="y",
            by=team.manager,
        )
    assert "status normal" in messages_of(error)
    assert not ServiceRequest.objects.exists()


def test_create_names_every_missing_or_wrong_field(team):
    with pytest.raises(ValidationError) as error:
        services.create_service_request(
            customer=team.customer, service_type=dict_item(DictType.REGION), summary=" ", details="", by=team.manager
        )
    assert set(error.value.message_dict) == {"service_type", "summary", "details"}
    assert not ServiceRequest.objects.exists()


def test_create_refuses_a_disabled_service_type(team):
    suggestion = dict_item(DictType.SERVICE_TYPE, "suggestion")
    suggestion.is_active = False
    suggestion.save()
    with pytest.raises(ValidationError) as error:
        services.create_service_request(
            customer=team.customer, service_type=suggestion, summary="x", details="y", by=team.manager
        )
    assert "no longer in use" in messages_of(error)


@pytest.mark.parametrize("role", ["supervisor", "executive"])
def test_roles_without_the_add_permission_cannot_create(request, team, role):
    user = request.getfixturevalue(role)
    with pytest.raises(ValidationError) as error:
        services.create_service_request(
            customer=team.customer, service_type=dict_item(DictType.SERVICE_TYPE), summary="x", details="y", by=user
        )
    assert "may not create" in messages_of(error)


# Assign and delete (R-SVC-2) ---------------------------------------------------------------------


def test_supervisor_assigns_a_new_request_and_the_time_is_recorded(team, new_request):
    services.assign_service_request(new_request, to=team.handler, by=team.supervisor)
    saved = stored(new_request)
    assert saved.status == Status.ASSIGNED
    assert (saved.assignee, saved.assigned_by) == (team.handler, team.supervisor)
    assert saved.assigned_at is not None and saved.version == 2
    assert new_request.status == Status.ASSIGNED  # the caller's copy follows


def test_account_manager_cannot_assign(team, new_request):
    with pytest.raises(ValidationError) as error:
        services.assign_service_request(new_request, to=team.handler, by=team.manager)
    assert "may not assign" in messages_of(error)
    assert stored(new_request).status == Status.NEW


def test_assigning_to_a_disabled_user_is_refused_and_changes_nothing(team, new_request):
    team.handler.is_active = False
    team.handler.save()
    with pytest.raises(ValidationError) as error:
        services.assign_service_request(new_request, to=team.handler, by=team.supervisor)
    assert error.value.message_dict == {
        "to": [f"{team.handler.display_name} is disabled and cannot be assigned service requests."]
    }
    saved = stored(new_request)
    assert (saved.status, saved.assignee, saved.version) == (Status.NEW, None, 1)


def test_assigning_to_someone_who_may_not_handle_is_refused(team, new_request, executive):
    with pytest.raises(ValidationError) as error:
        services.assign_service_request(new_request, to=executive, by=team.supervisor)
    assert "may not handle" in messages_of(error)
    assert stored(new_request).status == Status.NEW


def test_an_assigned_request_is_not_assigned_again_without_its_version(team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    with pytest.raises(ValidationError) as error:
        services.assign_service_request(stored(new_request), to=team.manager, by=team.supervisor)
    assert f"already been assigned to {team.handler.display_name}" in messages_of(error)
    assert stored(new_request).assignee == team.handler


def test_an_assigned_request_is_reassigned_from_the_version_seen(team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    services.assign_service_request(new_request, to=team.manager, by=team.supervisor, expected_version=2)
    saved = stored(new_request)
    assert (saved.status, saved.assignee, saved.version) == (Status.ASSIGNED, team.manager, 3)


def test_two_supervisors_assigning_from_the_same_page_cannot_both_succeed(team, new_request):
    """Both loaded the new request (version 1); the second finds it assigned under the lock."""
    other_supervisor = user_with_role(Role.Key.SUPERVISOR, department=team.supervisor.department)
    first_copy, second_copy = stored(new_request), stored(new_request)
    services.assign_service_request(first_copy, to=team.handler, by=team.supervisor, expected_version=1)
    with pytest.raises(ValidationError) as error:
        services.assign_service_request(second_copy, to=team.manager, by=other_supervisor, expected_version=1)
    assert "already been assigned" in messages_of(error)
    saved = stored(new_request)
    assert (saved.assignee, saved.assigned_by, saved.version) == (team.handler, team.supervisor, 2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent row locks need PostgreSQL")
def test_concurrent_assignments_let_exactly_one_win():
    supervisor = user_with_role(Role.Key.SUPERVISOR)
    rival = user_with_role(Role.Key.SUPERVISOR, department=supervisor.department)
    manager = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    handler = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    service_request = ServiceRequestFactory(customer=CustomerFactory(owner=manager))
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def assign(by, to):
        copy = ServiceRequest.objects.get(pk=service_request.pk)
        barrier.wait()
        try:
            with transaction.atomic():
                services.assign_service_request(copy, to=to, by=by, expected_version=1)
            outcomes.append("assigned")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=assign, args=(supervisor, handler)),
        threading.Thread(target=assign, args=(rival, manager)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["assigned", "refused"]
    assert ServiceRequest.objects.get(pk=service_request.pk).version == 2


def test_supervisor_deletes_a_new_request(team, new_request):
    services.delete_service_request(new_request, by=team.supervisor)
    assert not ServiceRequest.objects.filter(pk=new_request.pk).exists()


def test_an_assigned_request_cannot_be_deleted(team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    with pytest.raises(ValidationError) as error:
        services.delete_service_request(new_request, by=team.supervisor)
    assert messages_of(error) == "Only new service requests can be deleted; this one is Assigned."
    assert ServiceRequest.objects.filter(pk=new_request.pk).exists()


def test_account_manager_cannot_delete(team, new_request):
    with pytest.raises(ValidationError):
        services.delete_service_request(new_request, by=team.manager)
    assert ServiceRequest.objects.filter(pk=new_request.pk).exists()


# Handle (R-SVC-3) --------------------------------------------------------------------------------


def test_assignee_records_the_handling_as_round_one(team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    services.handle_service_request(new_request, handling=" 已上门检修。 ", by=team.handler)
    saved = stored(new_request)
    assert saved.status == Status.HANDLED
    service_round = saved.latest_round
    assert (service_round.number, service_round.handling, service_round.handled_by) == (1, "已上门检修。", team.handler)
    assert service_round.handled_at is not None and service_round.feedback_at is None


def test_only_the_assignee_may_handle(team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    for user in (team.manager, team.supervisor):
        with pytest.raises(ValidationError) as error:
            services.handle_service_request(new_request, handling="x", by=user)
        assert f"Only the assignee ({team.handler.display_name})" in messages_of(error)
    assert stored(new_request).status == Status.ASSIGNED
    assert not ServiceRound.objects.exists()


def test_handling_an_unassigned_request_is_refused(team, new_request):
    with pytest.raises(ValidationError) as error:
        services.handle_service_request(new_request, handling="x", by=team.handler)
    assert "has not been assigned yet" in messages_of(error)
    assert stored(new_request).status == Status.NEW and not ServiceRound.objects.exists()


def test_handling_twice_is_refused(team, new_request):
    handled(new_request, to=team.handler, by=team.supervisor)
    with pytest.raises(ValidationError) as error:
        services.handle_service_request(new_request, handling="again", by=team.handler)
    assert "already been handled" in messages_of(error)
    assert ServiceRound.objects.count() == 1


def test_handling_needs_a_description(team, new_request):
    assigned(new_request, to=team.handler, by=team.supervisor)
    with pytest.raises(ValidationError) as error:
        services.handle_service_request(new_request, handling="   ", by=team.handler)
    assert list(error.value.message_dict) == ["handling"]
    assert stored(new_request).status == Status.ASSIGNED


# Feedback (R-SVC-4) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("satisfaction", "status"),
    [(1, Status.ASSIGNED), (2, Status.ASSIGNED), (3, Status.ARCHIVED), (4, Status.ARCHIVED), (5, Status.ARCHIVED)],
)
def test_satisfaction_three_or_more_archives_less_sends_back(team, new_request, satisfaction, status):
    handled(new_request, to=team.handler, by=team.supervisor)
    services.record_feedback(new_request, result="客户反馈", satisfaction=satisfaction, by=team.manager)
    saved = stored(new_request)
    assert saved.status == status
    assert saved.assignee == team.handler  # sent back to the same person
    assert (saved.archived_at is not None) == (status == Status.ARCHIVED)
    feedback = saved.latest_round
    assert (feedback.satisfaction, feedback.result, feedback.feedback_by) == (satisfaction, "客户反馈", team.manager)


def test_every_round_stays_in_the_history(team, new_request):
    handled(new_request, to=team.handler, by=team.supervisor, handling="第一次：电话解释。")
    services.record_feedback(new_request, result="客户仍不满意", satisfaction=2, by=team.manager)
    services.handle_service_request(new_request, handling="第二次：上门更换配件。", by=team.handler)
    assert stored(new_request).status == Status.HANDLED
    services.record_feedback(new_request, result="问题解决", satisfaction=4, by=team.manager)

    saved = stored(new_request)
    assert saved.status == Status.ARCHIVED
    rounds = list(saved.rounds.order_by("number"))
    assert [(r.number, r.handling, r.result, r.satisfaction) for r in rounds] == [
        (1, "第一次：电话解释。", "客户仍不满意", 2),
        (2, "第二次：上门更换配件。", "问题解决", 4),
    ]
    assert all(r.handled_by == team.handler and r.feedback_by == team.manager for r in rounds)
    assert saved.latest_round == rounds[1]


@pytest.mark.parametrize("satisfaction", [0, 6, -1, "abc", "", None, "3.5", True])
def test_satisfaction_outside_one_to_five_is_refused_and_changes_nothing(team, new_request, satisfaction):
    handled(new_request, to=team.handler, by=team.supervisor)
    with pytest.raises(ValidationError) as error:
        services.record_feedback(new_request, result="x", satisfaction=satisfaction, by=team.manager)
    assert error.value.message_dict == {"satisfaction": ["Choose a satisfaction from 1 to 5."]}
    saved = stored(new_request)
    assert saved.status == Status.HANDLED and saved.latest_round.feedback_at is None


def test_feedback_needs_a_result(team, new_request):
    handled(new_request, to=team.handler, by=team.supervisor)
    with pytest.raises(ValidationError) as error:
        services.record_feedback(new_request, result=" ", satisfaction=4, by=team.manager)
    assert list(error.value.message_dict) == ["result"]


@pytest.mark.parametrize("step", ["new", "assigned"])
def test_feedback_on_an_unhandled_request_is_refused(team, new_request, step):
    if step == "assigned":
        assigned(new_request, to=team.handler, by=team.supervisor)
    with pytest.raises(ValidationError) as error:
        services.record_feedback(new_request, result="x", satisfaction=4, by=team.manager)
    assert "has not been handled yet" in messages_of(error)
    assert stored(new_request).status == step


def test_feedback_by_the_customers_current_manager_after_a_transfer(team, new_request):
    handled(new_request, to=team.handler, by=team.supervisor)
    successor = user_with_role(Role.Key.ACCOUNT_MANAGER, department=team.supervisor.department)
    Customer.objects.filter(pk=team.customer.pk).update(owner=successor)
    services.record_feedback(stored(new_request), result="ok", satisfaction=5, by=successor)
    assert stored(new_request).status == Status.ARCHIVED


def test_the_handler_does_not_rate_their_own_handling(team, new_request):
    handled(new_request, to=team.handler, by=team.supervisor)
    with pytest.raises(ValidationError) as error:
        services.record_feedback(new_request, result="great", satisfaction=5, by=team.handler)
    assert "creator, the customer's manager or a supervisor" in messages_of(error)
    assert stored(new_request).status == Status.HANDLED


def test_a_manager_who_handles_their_own_customers_request_may_record_its_feedback(team, new_request):
    handled(new_request, to=team.manager, by=team.supervisor)
    services.record_feedback(new_request, result="ok", satisfaction=3, by=team.manager)
    assert stored(new_request).status == Status.ARCHIVED


def test_supervisor_needs_the_feedback_permission_then_may_record_it(team, new_request):
    handled(new_request, to=team.handler, by=team.supervisor)
    with pytest.raises(ValidationError) as error:
        services.record_feedback(new_request, result="x", satisfaction=4, by=team.supervisor)
    assert "may not record feedback" in messages_of(error)
    supervisor = grant(team.supervisor, services.FEEDBACK)
    services.record_feedback(new_request, result="x", satisfaction=4, by=supervisor)
    assert stored(new_request).status == Status.ARCHIVED


# Edit and archive (R-SVC-5) ----------------------------------------------------------------------


def test_creator_edits_a_request_before_it_is_archived(team, new_request):
    suggestion = dict_item(DictType.SERVICE_TYPE, "suggestion")
    services.update_service_request(
        new_request, by=team.manager, expected_version=1, service_type=suggestion, summary="新摘要", details="新详情"
    )
    saved = stored(new_request)
    assert (saved.service_type, saved.summary, saved.details, saved.version) == (suggestion, "新摘要", "新详情", 2)


def test_a_stale_edit_is_refused(team, new_request):
    summary = new_request.summary
    assigned(new_request, to=team.handler, by=team.supervisor)
    with pytest.raises(ValidationError) as error:
        services.update_service_request(
            new_request,
            by=team.manager,
            expected_version=1,
            service_type=new_request.service_type,
            summary="x",
            details="y",
        )
    assert error.value.code == "stale"
    assert stored(new_request).summary == summary
    assert new_request.summary == summary  # the caller's copy is left as it was


def test_an_archived_request_is_read_only(team, new_request):
    archived(new_request, to=team.handler, by=team.supervisor)
    before = stored(new_request)
    attempts = [
        lambda: services.update_service_request(
            before,
            by=team.manager,
            expected_version=before.version,
            service_type=before.service_type,
            summary="x",
            details="y",
        ),
        lambda: services.assign_service_request(
            before, to=team.manager, by=team.supervisor, expected_version=before.version
        ),
        lambda: services.handle_service_request(before, handling="x", by=team.handler),
        lambda: services.record_feedback(before, result="x", satisfaction=1, by=team.manager),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as error:
            attempt()
        assert messages_of(error) == "This service request is archived and can no longer be changed."
    with pytest.raises(ValidationError):
        services.delete_service_request(before, by=team.supervisor)
    after = stored(new_request)
    assert (after.status, after.summary, after.version, after.assignee) == (
        Status.ARCHIVED,
        before.summary,
        before.version,
        team.handler,
    )
    assert after.rounds.count() == 1


def test_someone_else_in_scope_cannot_edit(team, new_request):
    with pytest.raises(ValidationError) as error:
        services.update_service_request(
            new_request,
            by=team.handler,
            expected_version=1,
            service_type=new_request.service_type,
            summary="x",
            details="y",
        )
    assert "Only its creator" in messages_of(error)


def test_assignable_users_are_active_users_in_scope_who_may_handle(team, outsider, executive, administrator):
    disabled = user_with_role(Role.Key.ACCOUNT_MANAGER, department=team.supervisor.department, is_active=False)
    users = set(services.assignable_users(team.supervisor))
    assert users == {team.manager, team.handler}
    assert not users & {disabled, executive, administrator, team.supervisor, outsider.manager}
    assert outsider.manager in set(services.assignable_users(None))  # the system itself: no scope
