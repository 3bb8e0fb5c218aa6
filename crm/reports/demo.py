"""Demo sales targets, so the dashboard's performance panel has something to measure against."""

from decimal import Decimal

from django.utils import timezone

from crm.accounts.models import Department, Role, User

from .models import SalesTarget

MONTHLY_TARGET = Decimal("150000")  # per account manager; the demo's sales are about this size


def seed(stdout):
    if SalesTarget.objects.exists():
        stdout.write("Sales targets: already present.")
        return
    this_year = timezone.localdate().year
    months = [
        timezone.localdate().replace(year=year, month=m, day=1)
        for year in (this_year - 1, this_year)
        for m in range(1, 13)
    ]
    managers = list(User.objects.filter(is_active=True, roles__system_key=Role.Key.ACCOUNT_MANAGER).distinct())
    targets = [SalesTarget(user=user, month=month, amount=MONTHLY_TARGET) for user in managers for month in months]
    teams = Department.objects.filter(pk__in={u.department_id for u in managers})
    for department in teams:
        members = sum(1 for u in managers if u.department_id == department.pk)
        targets += [
            SalesTarget(department=department, month=month, amount=MONTHLY_TARGET * members) for month in months
        ]
    SalesTarget.objects.bulk_create(targets)
    stdout.write(
        f"Sales targets: {len(targets)} monthly targets for {len(managers)} account managers and their departments."
    )
