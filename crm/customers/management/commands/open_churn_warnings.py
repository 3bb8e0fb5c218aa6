import datetime

from django.core.management.base import BaseCommand, CommandError

from crm.customers import services


class Command(BaseCommand):
    help = (
        "Open a churn warning for every normal customer whose last order is older than CRM_CHURN_MONTHS "
        "(default 6) months, or who never ordered and was created that long ago. Running it again opens nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Check as of this day (YYYY-MM-DD) instead of today.")
        parser.add_argument("--months", type=int, help="Months without an order (default: CRM_CHURN_MONTHS).")

    def handle(self, *args, date=None, months=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Not a date (YYYY-MM-DD): {date}")
        if months is not None and months < 1:
            raise CommandError("--months must be at least 1.")
        opened = services.open_churn_warnings(today=today, months=months)
        self.stdout.write(f"Opened {len(opened)} churn warning(s).")
        for record in opened:
            self.stdout.write(f"  {record.customer.number} {record.customer.name}")
