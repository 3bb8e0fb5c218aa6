"""``manage.py import_salesdata KIND FILE``: the file import of the page, for scripts and cron.

Exits with status 1 when the file is rejected (nothing imported); ``--errors FILE`` writes the
row-error report as CSV.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from crm.catalog import services
from crm.catalog.importers import IMPORTERS
from crm.catalog.models import ImportRun
from crm.core.spreadsheets import csv_bytes

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Import products, stock or orders from a CSV or XLSX file exported by the sales system."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(IMPORTERS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--errors", type=Path, help="Write the row-error report (CSV) to this file.")

    def handle(self, *args, kind, file, errors=None, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            with file.open("rb") as handle:
                run = services.import_file(kind=kind, file=handle, file_name=file.name, source=ImportRun.Source.COMMAND)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        if run.status == ImportRun.Status.APPLIED:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{run.row_count} rows applied: {run.created} new, {run.updated} updated, "
                    f"{run.unchanged} unchanged." + (f" {run.details}" if run.details else "")
                )
            )
            return
        for row, column, message, value in run.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"row {row}, {column}: {message}" + (f" [{value}]" if value else ""))
        if run.error_count > SHOWN_ERRORS:
            self.stderr.write(f"… and {run.error_count - SHOWN_ERRORS} more.")
        if errors:
            errors.write_bytes(csv_bytes(["row", "column", "message", "value"], run.errors))
            self.stderr.write(f"Error report written to {errors}.")
        raise CommandError(f"Rejected: {run.error_count} errors in {run.row_count} rows; nothing was imported.")
