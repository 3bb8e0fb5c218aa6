"""State changes: one declarative workflow per model, asked the same way everywhere.

A ``Workflow`` lists a model's actions; each ``Action`` names the states it starts from, the
state it leads to, the permission it needs and a guard (a function of the record and the user
that returns the reason for refusing, or None). Pages, templates, the API and the services all
ask ``can(user, obj, action)`` and get the same ``Decision`` — allowed, or the reason why not.
``Workflow.perform`` locks the row, asks again on the locked row (so a concurrent change is
seen), runs the change, moves the state and saves it with the next version.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .concurrency import bump, check_version, lock_row

# Why an action was refused: the user lacks the permission, the record is in the wrong state,
# or the action's guard said no. Callers map them to HTTP codes (403 for a permission).
PERMISSION, STATE, GUARD = "permission", "state", "guard"


class Decision:
    """Allowed or not; when not, ``reason`` (worked out only when read) and ``code``."""

    __slots__ = ("allowed", "_reason", "code")

    def __init__(self, allowed, reason="", code=""):
        self.allowed, self._reason, self.code = allowed, reason, code

    def __bool__(self):
        return self.allowed

    def __repr__(self):
        return f"Decision({self.allowed!r}, {self.reason!r}, {self.code!r})"

    @property
    def reason(self):
        if callable(self._reason):
            self._reason = self._reason()
        return str(self._reason)

    def raise_if_refused(self):
        if not self.allowed:
            raise ValidationError(self.reason, code=self.code)


ALLOWED = Decision(True)


def _message(value, obj):
    """A reason given as text, or as a function of the record (called only when read)."""
    return (lambda: value(obj)) if callable(value) else value


@dataclass(frozen=True)
class Action:
    """One thing that can happen to a record.

    ``sources``: the states it starts from (empty: any); ``target``: the state it leads to
    (None: unchanged); ``permission`` with ``permission_message``: what the user needs and
    what a user without it is told; ``wrong_state``: the reason (text, or a function of the
    record) when the record is not in a source state; ``guard(obj, user)``: any further rule,
    returning the reason for refusing or None. ``fields``: fields the change writes besides the
    state (saved with it).
    """

    name: str
    sources: tuple = ()
    target: Any = None
    permission: str | None = None
    permission_message: Any = ""
    wrong_state: Any = ""
    guard: Callable | None = None
    fields: tuple = field(default=())

    def decide(self, user, obj, state):
        if self.permission and (user is None or not user.has_perm(self.permission)):
            return Decision(False, _message(self.permission_message, obj), PERMISSION)
        if self.sources and getattr(obj, state) not in self.sources:
            return Decision(False, _message(self.wrong_state, obj), STATE)
        reason = self.guard(obj, user) if self.guard else None
        if reason:
            return Decision(False, reason, GUARD)
        return ALLOWED


def check_guard(check):
    """A guard from a ``check_*(obj, user)`` function that raises ``ValidationError``."""

    def guard(obj, user):
        try:
            check(obj, user)
        except ValidationError as error:
            return " ".join(error.messages)
        return None

    return guard


_WORKFLOWS = {}


class Workflow:
    """The actions of one model, keyed by name; registered so ``can`` finds it by the record."""

    def __init__(self, model, actions, *, state="status", missing_message=None):
        self.model = model
        self.state = state
        self.missing_message = missing_message
        self.actions = {a.name: a for a in actions}
        _WORKFLOWS[model] = self

    def action(self, name):
        try:
            return self.actions[name]
        except KeyError:
            raise LookupError(f"{self.model.__name__} has no action {name!r}") from None

    def can(self, user, obj, name):
        return self.action(name).decide(user, obj, self.state)

    def allowed_actions(self, user, obj):
        """The names of the actions ``user`` may take on ``obj`` now (for templates)."""
        return {name for name, action in self.actions.items() if action.decide(user, obj, self.state)}

    def lock(self, obj):
        return lock_row(obj, missing_message=self.missing_message)

    def perform(self, name, obj, *, by, change=None, expected_version=None):
        """Take action ``name`` on ``obj`` for ``by``; returns the locked, saved record.

        In one transaction: lock the row, ask ``can`` on the locked row (refused: a
        ``ValidationError`` with the reason), check ``expected_version`` when given, run
        ``change(locked)`` (which may raise, and may return more fields it wrote), move to the
        target state and save with the next version.
        """
        action = self.action(name)
        with transaction.atomic():
            locked = self.lock(obj)
            action.decide(by, locked, self.state).raise_if_refused()
            if expected_version is not None:
                check_version(locked.version, expected_version)
            changed = (change(locked) if change else None) or ()
            if action.target is not None:
                setattr(locked, self.state, action.target)
            bump(locked, {self.state, *action.fields, *changed})
        return locked


def workflow_for(obj):
    for model in type(obj).__mro__:
        if model in _WORKFLOWS:
            return _WORKFLOWS[model]
    raise LookupError(f"No workflow for {type(obj).__name__}")


def can(user, obj, action):
    """Whether ``user`` may take ``action`` on ``obj`` now: a ``Decision`` with the reason."""
    return workflow_for(obj).can(user, obj, action)
