"""Build a large data set for performance work; see ``crm.devtools.volume.py`` and docs/performance.md."""

import time

from django.core.management.base import BaseCommand, CommandError

from crm.customers.models import Customer
from crm.devtools.volume import PASSWORD, USERNAME_PREFIX, VolumeBuilder, counts_for


class Command(BaseCommand):
    help = (
        "Generate volume data: at --scale 1, 1,000,000 customers, 3,000,000 contacts, 10,000,000 order "
        "lines, 200,000 opportunities and 500,000 service requests over 100 users in 10 departments."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Fraction of the full data set, e.g. 0.001 (users and departments stay as they are).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Add the data even though the database already has customers."
        )

    def handle(self, *args, scale, force, **options):
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if not force and Customer.objects.exists():
            raise CommandError(
                "The database already has customers. Volume data is meant for an empty database of its own; "
                "use --force to add it anyway."
            )
        counts = counts_for(scale)
        self.stdout.write(
            f"Generating volume data at scale {scale:g}: {counts['customers']:,} customers, "
            f"{counts['orders']:,} orders, {counts['opportunities']:,} opportunities, "
            f"{counts['service_requests']:,} service requests.\n"
        )
        begin = time.perf_counter()
        builder = VolumeBuilder(scale=scale, stdout=self.stdout)
        try:
            builder.build()
        except ValueError as error:
            raise CommandError(str(error))
        seconds = time.perf_counter() - begin
        self.stdout.write("\nRows per table:\n")
        for table, count in builder.table_counts():
            self.stdout.write(f"  {table:<24}{count:>14,}\n")
        self.stdout.write(
            f"\nDone in {seconds:.0f} s. Users {USERNAME_PREFIX}001…{USERNAME_PREFIX}100 "
            f"(password {PASSWORD}); {builder.start} to {builder.today}.\n"
        )
