from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "crm.core"
    verbose_name = _("Core")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import menu, middleware

        menu.autodiscover()
        user_logged_in.connect(middleware.start_session_clock, dispatch_uid="crm-session-clock")
