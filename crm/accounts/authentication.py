"""API token authentication that refuses tokens older than ``API_TOKEN_MAX_AGE_DAYS``."""

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from . import services


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if services.api_token_expired(token):
            raise AuthenticationFailed(_("This API token has expired. Request a new one."), code="token_expired")
        return user, token
