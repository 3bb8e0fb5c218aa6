from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class RoleBackend(ModelBackend):
    """Sign in with username or mobile number; permissions come from the user's roles."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        users = get_user_model()._default_manager
        # A username wins over a mobile number, so the owner of that username can always sign in.
        user = users.filter(username=username).first() or users.filter(mobile=username).first()
        if user is None:
            get_user_model()().set_password(password)  # same cost as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def _get_group_permissions(self, user_obj):
        return Permission.objects.filter(role__users=user_obj)
