"""The transition mechanism: one declared workflow answers ``can`` and performs the change."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Template

from crm.accounts.models import User
from crm.accounts.tests.factories import UserFactory
from crm.core import transitions
from crm.core.concurrency import StaleEditError
from crm.core.transitions import Action, Workflow, can

pytestmark = pytest.mark.django_db


def _not_self(user_record, user):
    return "You cannot disable yourself." if user_record.pk == user.pk else None


@pytest.fixture
def workflow():
    """A workflow on users (a foundation model with a version): disable an active one."""
    flow = Workflow(
        User,
        [
            Action(
                "disable",
                (True,),
                False,
                permission="accounts.change_user",
                permission_message="You may not change users.",
                wrong_state=lambda record: f"{record.username} is already disabled.",
                guard=_not_self,
            ),
        ],
        state="is_active",
        missing_message="This user no longer exists.",
    )
    yield flow
    transitions._WORKFLOWS.pop(User)


@pytest.fixture
def admin():
    return UserFactory(username="admin", is_superuser=True)


def test_can_allows_an_action_from_its_source_state_with_the_permission(workflow, admin):
    target = UserFactory(username="alice")
    decision = can(admin, target, "disable")
    assert decision and decision.allowed and decision.reason == ""
    assert workflow.allowed_actions(admin, target) == {"disable"}


@pytest.mark.parametrize(
    ("case", "reason", "code"),
    [
        ("no permission", "You may not change users.", transitions.PERMISSION),
        ("wrong state", "alice is already disabled.", transitions.STATE),
        ("guard", "You cannot disable yourself.", transitions.GUARD),
    ],
)
def test_can_refuses_with_the_reason_and_its_kind(workflow, admin, case, reason, code):
    target = UserFactory(username="alice", is_active=case != "wrong state")
    user = {"no permission": UserFactory(username="bob"), "guard": target}.get(case, admin)
    if case == "guard":
        target.is_superuser = True
        target.save()
    decision = can(user, target, "disable")
    assert (bool(decision), decision.reason, decision.code) == (False, reason, code)
    assert workflow.allowed_actions(user, target) == set()


def test_perform_moves_the_state_runs_the_change_and_bumps_the_version(workflow, admin):
    target = UserFactory(username="alice")
    before = User.objects.get(pk=target.pk).version

    def change(locked):
        locked.position = "left the company"
        return ["position"]

    done = workflow.perform("disable", target, by=admin, change=change, expected_version=before)
    stored = User.objects.get(pk=target.pk)
    assert (stored.is_active, stored.position, stored.version) == (False, "left the company", before + 1)
    assert done.version == before + 1


def test_perform_asks_again_on_the_locked_row_not_the_callers_copy(workflow, admin):
    target = UserFactory(username="alice")
    User.objects.filter(pk=target.pk).update(is_active=False)  # someone else disabled it meanwhile
    assert target.is_active  # the caller's copy is stale
    with pytest.raises(ValidationError) as refused:
        workflow.perform("disable", target, by=admin)
    assert refused.value.messages == ["alice is already disabled."]
    assert User.objects.get(pk=target.pk).version == target.version


def test_perform_refuses_a_stale_version_and_changes_nothing(workflow, admin):
    target = UserFactory(username="alice")
    stored = User.objects.get(pk=target.pk).version
    with pytest.raises(StaleEditError):
        workflow.perform("disable", target, by=admin, expected_version=stored - 1)
    assert User.objects.get(pk=target.pk).is_active


def test_a_failing_change_leaves_the_record_as_it_was(workflow, admin):
    target = UserFactory(username="alice")

    def change(locked):
        raise ValidationError("No.")

    with pytest.raises(ValidationError):
        workflow.perform("disable", target, by=admin, change=change)
    stored = User.objects.get(pk=target.pk)
    assert (stored.is_active, stored.version) == (True, target.version)


def test_perform_on_a_deleted_record_says_it_no_longer_exists(workflow, admin):
    target = UserFactory(username="alice")
    User.objects.filter(pk=target.pk).delete()
    with pytest.raises(ValidationError) as refused:
        workflow.perform("disable", target, by=admin)
    assert refused.value.messages == ["This user no longer exists."]


def test_templates_ask_can_and_get_the_reason(workflow, admin, rf):
    target = UserFactory(username="alice", is_active=False)
    template = Template(
        '{% load transitions %}{% can target "disable" as ok %}{% if ok %}yes{% else %}{{ ok.reason }}{% endif %}'
    )
    request = rf.get("/")
    request.user = admin
    assert template.render(Context({"request": request, "target": target})) == "alice is already disabled."
    target.is_active = True
    assert template.render(Context({"request": request, "target": target})) == "yes"


# A template shows buttons by asking ``can``; it never decides on a status itself. ------------------

STATUS_COMPARISON = re.compile(r"""status\s*(==|!=)\s*["']|["']\s*(==|!=)\s*[\w.]*status\b""")


def _templates():
    root = Path(settings.BASE_DIR) / "crm"
    return sorted([*root.glob("templates/**/*.html"), *root.glob("*/templates/**/*.html")])


def test_no_template_compares_a_status_to_a_string():
    templates = _templates()
    assert templates
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
        for path in templates
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STATUS_COMPARISON.search(line)
    ]
    assert offenders == []
