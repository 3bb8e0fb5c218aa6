"""Who made a change, for the operation log (操作记录)."""

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.utils.functional import SimpleLazyObject


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's middleware, with the actor read when a change is saved.

    The stock middleware reads ``request.user`` as the request arrives, before the REST
    framework has authenticated an API call by its token, so such changes were logged without
    an actor. DRF sets the user it authenticates on the Django request, so reading it later
    finds the right one.
    """

    @staticmethod
    def _get_actor(request):
        return SimpleLazyObject(lambda: BaseAuditlogMiddleware._get_actor(request))
