"""Middleware for every request: how long a sign-in lasts, and what browsers may keep."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers

SIGNED_IN_AT = "crm_signed_in_at"
LAST_SEEN_AT = "crm_last_seen_at"
# The last activity is written at most this often, so a busy user does not save the session on
# every request; the idle timeout is exact to within this many seconds.
LAST_SEEN_RESOLUTION = 60


def start_session_clock(sender, request, user, **kwargs):
    """``user_logged_in``: a new sign-in starts both clocks, even in a session that had one before."""
    if hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[LAST_SEEN_AT] = int(time.time())


class SessionTimeoutMiddleware:
    """Ends a signed-in session SESSION_COOKIE_AGE seconds after sign-in however busy the user is,
    and CRM_SESSION_IDLE_SECONDS after the user's last request.

    Django's own expiry moves forward whenever the session is saved, so the sign-in time is kept
    in the session and checked here. The request then goes on signed out: a page redirects to the
    sign-in page, the API answers 401.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request):
        session, now = request.session, int(time.time())
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        last_seen_at = session.get(LAST_SEEN_AT, now)
        if now - signed_in_at > settings.SESSION_COOKIE_AGE or now - last_seen_at > settings.CRM_SESSION_IDLE_SECONDS:
            logout(request)
        elif LAST_SEEN_AT not in session or now - last_seen_at >= LAST_SEEN_RESOLUTION:
            session[LAST_SEEN_AT] = now


class NoStoreMiddleware:
    """Tells browsers and proxies not to keep a copy of what only a signed-in user may see:
    every page answered to a signed-in user, every API answer and every file download (exports).
    Static files are served before this middleware (whitenoise) and keep their long cache life."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.is_private(request, response):
            add_never_cache_headers(response)  # no-store, private (and no-cache, max-age=0)
        return response

    @staticmethod
    def is_private(request, response):
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return False
        user = getattr(request, "user", None)
        return (
            request.path_info.startswith("/api/")
            or (user is not None and user.is_authenticated)
            or response.get("Content-Disposition", "").startswith("attachment")
        )
