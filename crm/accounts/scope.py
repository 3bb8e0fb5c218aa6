"""Data scope (数据权限): whose records a user may see.

A user's scope resolves once per request to ``None`` (everything) or a frozenset of user ids;
``ScopedQuerySet.visible_to`` turns that into ``owner_id IN (...)``, which the owner index
serves at any table size. A user with several roles sees the union of their scopes.
"""

from django.contrib.auth import get_user_model

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


def forget_scope(user):
    """Drop the cached scope (after the user's roles, department or superior change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
