"""Load the demo company once: every app with a ``demo.py`` adds its part, in app order.

Running it again changes nothing (each part checks what exists) and prints the logins. The demo
users share a published password, so the command refuses to run in production unless told
``--allow-in-production`` (a throw-away demo installation); a real installation's first user
comes from ``manage.py create_administrator``.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-in-production",
            action="store_true",
            help="Load the demo even with CRM_ENV=production (its users' password is published).",
        )

    def handle(self, *args, allow_in_production=False, **options):
        if settings.PRODUCTION and not allow_in_production:
            raise CommandError(
                _(
                    "seed_demo refuses to run in production: its users, administrator included, have "
                    "the published demo password. Create the first administrator with "
                    "'manage.py create_administrator' instead, or pass --allow-in-production for a "
                    "throw-away demo installation."
                )
            )
        with transaction.atomic():
            for config in apps.get_app_configs():
                if not config.name.startswith("crm."):
                    continue
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(self.stdout)
        from crm.accounts.demo import print_logins

        print_logins(self.stdout)
