"""Data scope (数据权限): whose records a user may see.

A user's scope resolves once per request to ``None`` (everything) or a frozenset of user ids;
``ScopedQuerySet.visible_to`` turns that into ``owner_id IN (...)``, which the owner index
serves at any table size. A user with several roles sees the union of their scopes.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import Department, Role

_CACHE_ATTR = "_crm_visible_owner_ids"
_UNSET = object()


def department_tree_ids(root_id):
    """Ids of a department and all departments below it."""
    if root_id is None:
        return set()
    children = {}
    for dept_id, parent_id in Department.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(dept_id)
    found, frontier = {root_id}, [root_id]
    while frontier:
        frontier = [child for parent in frontier for child in children.get(parent, []) if child not in found]
        found.update(frontier)
    return found


def subordinate_ids(user_id):
    """Ids of every user below ``user_id`` along the superior chain (any depth)."""
    User = get_user_model()
    found, frontier = set(), {user_id}
    while frontier:
        frontier = set(User.objects.filter(superior_id__in=frontier).values_list("id", flat=True)) - found - {user_id}
        found.update(frontier)
    return found


def _resolve(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    scopes = set(user.roles.values_list("data_scope", flat=True))
    if Role.DataScope.ALL in scopes:
        return None
    User = get_user_model()
    ids = {user.pk}
    if Role.DataScope.SUBORDINATES in scopes:
        ids |= subordinate_ids(user.pk)
    if Role.DataScope.DEPARTMENT_TREE in scopes:
        departments = department_tree_ids(user.department_id)
        ids |= set(User.objects.filter(department_id__in=departments).values_list("id", flat=True))
    elif Role.DataScope.DEPARTMENT in scopes and user.department_id:
        ids |= set(User.objects.filter(department_id=user.department_id).values_list("id", flat=True))
    return frozenset(ids)


def visible_owner_ids(user):
    """``None`` when the user sees every record, else the ids of the owners they may see."""
    cached = getattr(user, _CACHE_ATTR, _UNSET)
    if cached is _UNSET:
        cached = _resolve(user)
        if getattr(user, "is_authenticated", False):
            setattr(user, _CACHE_ATTR, cached)
    return cached


def users_visible_to(user, users=None):
    """The people whose records ``user`` may see, for pickers and filters: the scope as users."""
    users = get_user_model().objects.all() if users is None else users
    owner_ids = visible_owner_ids(user)
    return users if owner_ids is None else users.filter(pk__in=owner_ids)


def holders_of(permission):
    """Active users holding ``permission`` (``app_label.codename``) through a role, and active superusers."""
    User = get_user_model()
    app_label, codename = permission.split(".")
    holds = Q(roles__permissions__content_type__app_label=app_label, roles__permissions__codename=codename)
    ids = User.objects.filter(holds | Q(is_superuser=True), is_active=True).values("pk")
    return User.objects.filter(pk__in=ids)


def assignable_users(actor, permission):
    """The people ``actor`` may make responsible for a record: its owner, assignee or manager.

    Active users inside ``actor``'s data scope who hold ``permission``, the permission to keep or
    handle that kind of record. Pickers offer exactly these and services refuse anyone else, so a
    record never goes to someone outside the actor's team or to someone who could not work on it.
    ``actor`` None is the system itself (imports, the demo), which no scope limits.
    """
    users = holders_of(permission)
    return users if actor is None else users_visible_to(actor, users)


def is_assignable(actor, user, permission):
    return user is not None and assignable_users(actor, permission).filter(pk=user.pk).exists()


def departments_visible_to(user):
    """The departments ``user`` may look at as a whole (a dashboard subject, a department's target).

    All of them for a user who sees everything; otherwise those with members whose every member,
    sub-departments included, is in the user's scope: a department's figures then count only
    records the user may see, and its target is never set against a part of them.
    """
    owner_ids = visible_owner_ids(user)
    if owner_ids is None:
        return Department.objects.all()
    return Department.objects.filter(pk__in=departments_within(owner_ids))


def departments_within(owner_ids):
    """Ids of the departments whose members (sub-departments included) are all among ``owner_ids``."""
    User = get_user_model()
    members = {}  # department id → its own members' ids
    for user_id, department_id in User.objects.filter(department__isnull=False).values_list("pk", "department_id"):
        members.setdefault(department_id, set()).add(user_id)
    children = {}
    for department_id, parent_id in Department.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(department_id)

    def tree_members(department_id, seen):
        seen.add(department_id)
        found = set(members.get(department_id, ()))
        for child in children.get(department_id, []):
            if child not in seen:
                found |= tree_members(child, seen)
        return found

    inside = set()
    for department_id in {d for ids in children.values() for d in ids}:
        found = tree_members(department_id, set())
        if found and found <= owner_ids:
            inside.add(department_id)
    return inside


def forget_scope(user):
    """Drop the cached scope (after the user's roles, department or superior change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
