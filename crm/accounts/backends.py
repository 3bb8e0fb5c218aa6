from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.utils.translation import gettext as _


def find_user(login):
    """The account a sign-in string names: a username, else a mobile number.

    A username wins over a mobile number, so the owner of that username can always sign in.
    """
    if not login:
        return None
    users = get_user_model()._default_manager
    return users.filter(username=login).first() or users.filter(mobile=login).first()


def lockout_username(request, credentials=None):
    """``AXES_USERNAME_CALLABLE``: failed sign-ins count against the account, whichever of its
    username or mobile number was typed; an unknown string counts as itself."""
    data = credentials if credentials is not None else getattr(request, "data", None) or request.POST
    login = data.get(settings.AXES_USERNAME_FORM_FIELD) if hasattr(data, "get") else None
    login = str(login) if login is not None else None
    user = find_user(login)
    return user.username if user is not None else login


def lockout_message():
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many failed sign-in attempts. This account is locked for %(minutes)d minutes.") % {"minutes": minutes}


class RoleBackend(ModelBackend):
    """Sign in with username or mobile number; permissions come from the user's roles."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = find_user(username)
        if user is None:
            get_user_model()().set_password(password)  # same cost as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def _get_group_permissions(self, user_obj):
        return Permission.objects.filter(role__users=user_obj)
