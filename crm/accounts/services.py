"""Every change to users, departments and roles. Each function runs in one transaction and
raises ``ValidationError`` (with a message for the user) when a rule forbids the change."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from crm.core import menu
from crm.core.concurrency import save_versioned

from .models import ADMINISTRATION_PERMISSIONS, Department, Role, User
from .scope import department_tree_ids, forget_scope

# The default roles: name (stored once, editable later), data scope, description.
DEFAULT_ROLES = {
    Role.Key.ADMINISTRATOR: ("系统管理员", Role.DataScope.ALL, "用户、部门、角色与权限、数据字典、系统设置"),
    Role.Key.SUPERVISOR: ("销售主管", Role.DataScope.DEPARTMENT_TREE, "分配销售机会与服务，制定开发计划，查看全部报表"),
    Role.Key.ACCOUNT_MANAGER: (
        "客户经理",
        Role.DataScope.SELF,
        "维护自己的客户、联系人与交往记录，开发销售机会，处理服务",
    ),
    Role.Key.EXECUTIVE: ("高管", Role.DataScope.ALL, "查看全部报表与仪表盘"),
}


def _permissions(codes):
    """Permission objects for "app_label.codename" codes (unknown codes are ignored)."""
    query = Q(pk__in=[])
    for code in codes:
        app_label, codename = code.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def permission_code(permission):
    return f"{permission.content_type.app_label}.{permission.codename}"


@transaction.atomic
def sync_default_roles():
    """Create the default roles and grant them what each app's menu grants by default.

    A grant is applied once: a permission the administrator later removes stays removed.
    """
    for key, (name, scope, description) in DEFAULT_ROLES.items():
        role = Role.objects.filter(system_key=key).first()
        if role is None:
            if Role.objects.filter(name=name).exists():
                name = f"{name} ({key})"
            role = Role.objects.create(system_key=key, name=name, data_scope=scope, description=description)
        wanted = menu.DEFAULT_GRANTS.get(key, set()) - set(role.seeded_permissions)
        if not wanted:
            continue
        found = list(_permissions(wanted).select_related("content_type"))
        role.permissions.add(*found)
        role.seeded_permissions = sorted(set(role.seeded_permissions) | {permission_code(p) for p in found})
        role.save(update_fields=["seeded_permissions"])


def sync_default_roles_on_migrate(sender, using="default", **kwargs):
    if using == "default":
        sync_default_roles()


# Departments ---------------------------------------------------------------------------------


def _check_department_parent(department, parent):
    if parent is None or department.pk is None:
        return
    if parent.pk in department_tree_ids(department.pk):
        raise ValidationError({"parent": _("A department cannot be moved under itself or one of its sub-departments.")})


def _check_department_name(name, parent, exclude_pk=None):
    clash = Department.objects.filter(name=name, parent=parent).exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": _("A department with this name already exists at this level.")})


@transaction.atomic
def create_department(*, name, parent=None, sort_order=0, by=None):
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    _check_department_name(name, parent)
    return Department.objects.create(name=name, parent=parent, sort_order=sort_order)


@transaction.atomic
def update_department(department, *, expected_version, name, parent=None, sort_order=0, by=None):
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    _check_department_parent(department, parent)
    _check_department_name(name, parent, exclude_pk=department.pk)
    department.name, department.parent, department.sort_order = name, parent, sort_order
    return save_versioned(department, expected_version=expected_version)


@transaction.atomic
def delete_department(department, *, by=None):
    Department.objects.select_for_update().filter(pk=department.pk).first()
    if department.children.exists():
        raise ValidationError(_("This department has sub-departments. Move or delete them first."))
    count = department.users.count()
    if count:
        raise ValidationError(
            _("This department still has %(count)d user(s). Move them to another department first.") % {"count": count}
        )
    department.delete()


# Who may grant what ---------------------------------------------------------------------------

SCOPE_ORDER = list(Role.DataScope.values)  # narrowest first


def _is_administrator(user):
    return user is None or (user.is_active and user.is_administrator)


def _widest_scope(user):
    scopes = [SCOPE_ORDER.index(role.data_scope) for role in user.roles.all()]
    return max(scopes, default=-1)


def _role_codes(role):
    codes = role.permissions.values_list("content_type__app_label", "codename")
    return {f"{app}.{codename}" for app, codename in codes}


def _exceeds(by, codes=(), data_scope=None):
    """Whether permissions ``codes`` or ``data_scope`` go beyond what ``by`` holds."""
    if _is_administrator(by):
        return False
    if not set(codes) <= by.get_all_permissions():
        return True
    return data_scope is not None and SCOPE_ORDER.index(data_scope) > _widest_scope(by)


def can_grant(by, role):
    """A role is grantable by ``by`` when it carries no permission and no data scope wider than
    ``by``'s own; only administrators grant the administrator role. ``by=None`` is the system
    itself (migrations, management commands)."""
    if role.system_key == Role.Key.ADMINISTRATOR:
        return _is_administrator(by)
    return not _exceeds(by, _role_codes(role), role.data_scope)


def grantable_roles(by):
    """The roles ``by`` may give to a user: what the user form's role picker offers."""
    return [role for role in Role.objects.order_by("id") if can_grant(by, role)]


def _check_roles_grantable(by, roles, held=()):
    """Refuse giving a role ``by`` may not grant; roles the user already ``held`` may stay."""
    held_ids = {role.pk for role in held}
    refused = [role for role in roles if role.pk not in held_ids and not can_grant(by, role)]
    if refused:
        raise ValidationError(
            {
                "roles": _(
                    "You cannot grant the role %(role)s: it carries permissions or a data scope you do not hold."
                )
                % {"role": refused[0].name}
            }
        )


def _check_may_manage(by, user):
    """Only administrators change, enable, disable or reset the password of an administrator."""
    if user.is_administrator and not _is_administrator(by):
        raise ValidationError(_("Only an administrator can change an administrator's account."))


# Users ---------------------------------------------------------------------------------------


def _administrator_q():
    return Q(is_superuser=True) | Q(roles__system_key=Role.Key.ADMINISTRATOR)


def _ensure_an_administrator_remains(user, *, active, roles):
    """Refuse a change that would leave no active administrator."""
    was_admin = user.is_active and User.objects.filter(_administrator_q(), pk=user.pk).exists()
    stays_admin = active and (user.is_superuser or any(r.system_key == Role.Key.ADMINISTRATOR for r in roles))
    if was_admin and not stays_admin:
        # One lock for every such change: two administrators disabling each other at the same
        # moment would otherwise each still see the other as active.
        Role.objects.select_for_update().filter(system_key=Role.Key.ADMINISTRATOR).first()
        others = User.objects.filter(_administrator_q(), is_active=True).exclude(pk=user.pk).exists()
        if not others:
            raise ValidationError(_("This is the last active administrator. Make another user an administrator first."))


def _check_superior(user, superior):
    if superior is None:
        return
    if user.pk is not None:
        seen, current = set(), superior
        while current is not None and current.pk not in seen:
            if current.pk == user.pk:
                raise ValidationError(
                    {"superior": _("A user cannot report to themselves or to their own subordinate.")}
                )
            seen.add(current.pk)
            current = current.superior
    if not superior.is_active:
        raise ValidationError({"superior": _("The superior must be an active user.")})


def _check_unique(field, value, exclude_pk=None, message=None, error_field=None):
    if value and User.objects.filter(**{field: value}).exclude(pk=exclude_pk).exists():
        raise ValidationError({error_field or field: message})


def _check_user_fields(*, username, mobile, department, exclude_pk=None):
    errors = {}
    if not username:
        errors["username"] = _("Enter a username.")
    if department is None:
        errors["department"] = _("Choose a department.")
    if errors:
        raise ValidationError(errors)
    _check_unique("username", username, exclude_pk, _("This username is already taken."))
    _check_unique("mobile", mobile, exclude_pk, _("This mobile number is already used by another user."))
    # Users sign in with either, so one user's username must not be another user's mobile number.
    _check_unique("mobile", username, exclude_pk, _("This username is another user's mobile number."), "username")
    _check_unique("username", mobile, exclude_pk, _("This mobile number is another user's username."), "mobile")


@transaction.atomic
def create_user(
    *,
    by,
    username,
    password,
    name="",
    mobile=None,
    email="",
    department=None,
    superior=None,
    position="",
    gender="",
    roles=(),
    is_active=True,
):
    username = (username or "").strip()
    mobile = (mobile or "").strip() or None
    _check_user_fields(username=username, mobile=mobile, department=department)
    user = User(
        username=username,
        name=name,
        mobile=mobile,
        email=email,
        department=department,
        superior=superior,
        position=position,
        gender=gender,
        is_active=is_active,
    )
    _check_superior(user, superior)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    roles = list(roles)
    _check_roles_grantable(by, roles)
    user.set_password(password)
    user.save()
    user.roles.set(roles)
    return user


USER_EDIT_FIELDS = ["username", "name", "mobile", "email", "department", "superior", "position", "gender"]


@transaction.atomic
def update_user(
    user,
    *,
    by,
    expected_version,
    username,
    name="",
    mobile=None,
    email="",
    department=None,
    superior=None,
    position="",
    gender="",
    roles=(),
):
    username = (username or "").strip()
    mobile = (mobile or "").strip() or None
    _check_user_fields(username=username, mobile=mobile, department=department, exclude_pk=user.pk)
    _check_may_manage(by, user)
    _check_superior(user, superior)
    roles = list(roles)
    _check_roles_grantable(by, roles, held=user.roles.all())
    _ensure_an_administrator_remains(user, active=user.is_active, roles=roles)
    user.username, user.name, user.mobile, user.email = username, name, mobile, email
    user.department, user.superior, user.position, user.gender = department, superior, position, gender
    # Only the edited fields: the password, active flag and language change without a new version.
    save_versioned(user, expected_version=expected_version, update_fields=USER_EDIT_FIELDS)
    user.roles.set(roles)
    forget_scope(user)
    return user


@transaction.atomic
def set_user_active(user, *, active, by):
    if not active and user.pk == by.pk:
        raise ValidationError(_("You cannot disable your own account."))
    _check_may_manage(by, user)
    if not active:
        _ensure_an_administrator_remains(user, active=False, roles=list(user.roles.all()))
    User.objects.select_for_update().filter(pk=user.pk).first()
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        # Enabling the account again must not bring back the API access it had.
        revoke_api_tokens(user)
    return user


@transaction.atomic
def reset_password(user, *, password, by):
    """An administrator's (or user manager's) reset of another user's password.

    Setting someone's password is signing in as them, so it needs the right to manage them and,
    for anyone but an administrator, that they hold nothing ``by`` could not grant.
    """
    _check_may_manage(by, user)
    if by is not None and user.pk != by.pk:
        _check_roles_grantable(by, user.roles.all())
    return change_password(user, password=password)


@transaction.atomic
def change_password(user, *, password):
    """Set a new password (validated); it ends the API access the old one gave."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    revoke_api_tokens(user)
    return user


def revoke_api_tokens(user):
    """A new password ends the API access the old one gave (sessions end by themselves)."""
    Token.objects.filter(user=user).delete()


def api_token_expiry(token):
    """When ``token`` stops working (``API_TOKEN_MAX_AGE_DAYS`` after it was made), or None."""
    days = settings.API_TOKEN_MAX_AGE_DAYS
    return token.created + timedelta(days=days) if days else None


def api_token_expired(token):
    expiry = api_token_expiry(token)
    return expiry is not None and expiry <= timezone.now()


@transaction.atomic
def issue_api_token(user):
    """The user's API token (DRF's one token per user), a new one in place of an expired one."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and api_token_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def api_tokens_of(user):
    return Token.objects.filter(user=user)


@transaction.atomic
def set_language(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


# Roles ---------------------------------------------------------------------------------------


def _check_role(name, permissions, exclude_pk=None):
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if Role.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": _("A role with this name already exists.")})
    offered = set(menu.all_permission_codes())
    unknown = [p for p in permissions if permission_code(p) not in offered]
    if unknown:
        raise ValidationError(
            {"permissions": _("Unknown permission: %(code)s") % {"code": permission_code(unknown[0])}}
        )
    return name


def _check_role_grant(by, role, permissions, data_scope):
    """Editing a role follows the grant rule: no permission ``by`` does not hold is added, its
    scope is not widened beyond ``by``'s, and only administrators edit the administrator role,
    whose permissions never fall below what administration needs."""
    if role.system_key == Role.Key.ADMINISTRATOR:
        if not _is_administrator(by):
            raise ValidationError(_("Only an administrator can change the administrator role."))
        missing = sorted(ADMINISTRATION_PERMISSIONS - {permission_code(p) for p in permissions})
        if missing:
            raise ValidationError(
                {"permissions": _("The administrator role must keep the permission %(code)s.") % {"code": missing[0]}}
            )
    # Compared with the stored role: a page's form has already written its input onto ``role``.
    stored = Role.objects.filter(pk=role.pk).first() if role.pk else None
    held = _role_codes(stored) if stored else set()
    added = {permission_code(p) for p in permissions} - held
    if _exceeds(by, added):
        raise ValidationError({"permissions": _("You cannot give a role a permission you do not hold.")})
    widened = stored is None or SCOPE_ORDER.index(data_scope) > SCOPE_ORDER.index(stored.data_scope)
    if widened and _exceeds(by, data_scope=data_scope):
        raise ValidationError({"data_scope": _("You cannot give a role a data scope wider than your own.")})


@transaction.atomic
def create_role(*, name, description="", data_scope=Role.DataScope.SELF, permissions=(), by=None):
    permissions = list(permissions)
    name = _check_role(name, permissions)
    _check_role_grant(by, Role(data_scope=data_scope), permissions, data_scope)
    role = Role.objects.create(name=name, description=description, data_scope=data_scope)
    role.permissions.set(permissions)
    return role


@transaction.atomic
def update_role(
    role, *, expected_version, name, description="", data_scope=Role.DataScope.SELF, permissions=(), by=None
):
    permissions = list(permissions)
    name = _check_role(name, permissions, exclude_pk=role.pk)
    _check_role_grant(by, role, permissions, data_scope)
    role.name = name
    role.description, role.data_scope = description, data_scope
    save_versioned(role, expected_version=expected_version)
    role.permissions.set(permissions)
    return role


@transaction.atomic
def delete_role(role, *, by=None):
    if role.is_system:
        raise ValidationError(_("Default roles cannot be deleted."))
    count = role.users.count()
    if count:
        raise ValidationError(
            _("%(count)d user(s) still hold this role. Remove it from them first.") % {"count": count}
        )
    role.delete()
