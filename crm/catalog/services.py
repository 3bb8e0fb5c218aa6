"""Importing sales-system data (R-DATA-4): the one path that writes products, stock and orders.

The import page, the ``import_salesdata`` command and the sales-sync API all call these
functions. Each import is recorded as an ``ImportRun``: an applied batch together with its data
in one transaction; a rejected batch with its row errors (and no data change at all).
"""

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.spreadsheets import check_row_count, read_table

from . import signals
from .importers import IMPORTERS, normalise_header
from .models import ImportRun

MAX_STORED_ERRORS = 50_000  # a rejected run keeps at most this many row errors for its report


def importer_for(kind):
    try:
        return IMPORTERS[kind]()
    except KeyError:
        raise ValidationError(
            _("Unknown import kind %(kind)s; use one of: %(kinds)s.") % {"kind": kind, "kinds": ", ".join(IMPORTERS)},
            code="kind",
        )


def import_file(*, kind, file, file_name, by=None, source=ImportRun.Source.PAGE, max_bytes=None):
    """Import a CSV or XLSX file. A problem with the file as a whole raises ValidationError."""
    importer = importer_for(kind)
    table = read_table(file, file_name, max_bytes=max_bytes)
    positions = importer.map_header(table.header)

    def rows():
        for number, cells in table.rows:
            yield (
                number,
                {key: cells[position] if position < len(cells) else None for key, position in positions.items()},
            )

    return _run(importer, rows(), positions.keys(), by=by, source=source, file_name=file_name)


def import_records(*, kind, records, by=None, source=ImportRun.Source.API):
    """Import a list of row objects (the sales-sync API); rows are numbered from 1."""
    importer = importer_for(kind)
    if not isinstance(records, list):
        raise ValidationError(_("Send a JSON list of rows."), code="invalid")
    check_row_count(len(records))
    names = importer.column_names()
    present, rows, not_objects = set(), [], []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            not_objects.append(number)
            continue
        row = {
            names[key]: value for key, value in ((normalise_header(k), v) for k, v in record.items()) if key in names
        }
        present.update(row)
        rows.append((number, row))
    if not_objects:
        raise ValidationError(
            _("Every row must be a JSON object; rows %(rows)s are not.")
            % {"rows": ", ".join(map(str, not_objects[:20]))},
            code="invalid",
        )
    missing = [column.key for column in importer.columns if column.required and column.key not in present]
    if records and missing:
        raise ValidationError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}, code="columns")
    return _run(importer, rows, present, by=by, source=source)


def _run(importer, rows, present, *, by, source, file_name=""):
    started = timezone.now()
    valid = importer.check(rows, present)
    run = ImportRun(
        kind=importer.kind,
        source=source,
        file_name=(file_name or "")[:255],
        row_count=importer.row_count,
        started_at=started,
        by=by if getattr(by, "is_authenticated", False) else None,
    )
    if not valid:
        run.status = ImportRun.Status.REJECTED
        run.error_count = len(importer.errors)
        run.errors = [error.as_list() for error in importer.errors[:MAX_STORED_ERRORS]]
        run.finished_at = timezone.now()
        run.save()
        return run
    try:
        with transaction.atomic():
            outcome = importer.apply()
            run.status = ImportRun.Status.APPLIED
            run.created, run.updated, run.unchanged = outcome.created, outcome.updated, outcome.unchanged
            run.details = outcome.details
            run.finished_at = timezone.now()
            run.save()
            signals.announce_orders_imported(customer_ids=outcome.new_order_customer_ids, run=run)
    except DatabaseError as error:
        # Something changed underneath the checks (e.g. a concurrent import); nothing was applied.
        raise ValidationError(
            _("The import failed and nothing was changed: %(error)s") % {"error": error}, code="database"
        ) from error
    return run
