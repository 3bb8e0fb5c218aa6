"""Create a user with the default administrator role and a password the operator chooses.

The way to the first administrator of a real installation (``seed_demo`` refuses production):

    manage.py create_administrator                       # asks for the username and password
    CRM_ADMIN_PASSWORD=… manage.py create_administrator --username zhaomin --name 赵敏 \\
        --department 信息技术部 --password-from-env CRM_ADMIN_PASSWORD --noinput

The password passes the same validators as every other password (AUTH_PASSWORD_VALIDATORS).
"""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.accounts import services
from crm.accounts.models import Department, Role


class Command(BaseCommand):
    help = "Create a user holding the administrator role, with a password you choose."

    def add_arguments(self, parser):
        parser.add_argument("--username", help="The new administrator's username (asked for if missing).")
        parser.add_argument("--name", default="", help="The new administrator's full name.")
        parser.add_argument(
            "--department",
            help="The department the administrator belongs to, by name; created at the top of the "
            "organisation if there is none of that name (default: Head office).",
        )
        parser.add_argument(
            "--password-from-env",
            metavar="VARIABLE",
            help="Read the password from this environment variable instead of asking for it.",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Never ask; fail instead."
        )

    def handle(
        self, *args, username=None, name="", department=None, password_from_env=None, interactive=True, **options
    ):
        username = (username or "").strip() or self.ask(_("Username: "), interactive)
        password = self.password(password_from_env, interactive)
        role = Role.objects.filter(system_key=Role.Key.ADMINISTRATOR).first()
        if role is None:
            raise CommandError(_("The administrator role is missing: run 'manage.py migrate' first."))
        department = (department or "").strip() or _("Head office")
        try:
            with transaction.atomic():
                user = services.create_user(
                    by=None,
                    username=username,
                    name=name,
                    password=password,
                    department=self.department(department),
                    roles=[role],
                )
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        self.stdout.write(_("Created the administrator %(username)s.") % {"username": user.username})

    @staticmethod
    def department(name):
        existing = Department.objects.filter(name=name).order_by("parent_id", "pk").first()
        return existing or services.create_department(name=name)

    def ask(self, prompt, interactive):
        if not interactive:
            raise CommandError(_("Give --username when not asking."))
        return input(prompt).strip()

    def password(self, variable, interactive):
        if variable:
            password = os.environ.get(variable, "")
            if not password:
                raise CommandError(_("The environment variable %(name)s is empty or not set.") % {"name": variable})
            return password
        if not interactive:
            raise CommandError(_("Give --password-from-env when not asking."))
        password = getpass.getpass(_("Password: "))
        if password != getpass.getpass(_("Password (again): ")):
            raise CommandError(_("The two passwords differ."))
        return password
