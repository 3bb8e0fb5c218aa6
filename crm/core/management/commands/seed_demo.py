"""Load the demo company once: every app with a ``demo.py`` adds its part, in app order.

Running it again changes nothing (each part checks what exists) and prints the logins.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
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
