"""Indexes for the customer list at a million customers (docs/performance.md).

- ``cst_created_idx``: the list's default order, newest first, with the columns its filters and
  the data scope test, so PostgreSQL pages through it with an index-only scan.
- On PostgreSQL only, a trigram index (pg_trgm) for the list's search box, which looks for the
  text anywhere in the number, name, phone or address (``UPPER(column) LIKE UPPER('%text%')``):
  without it every search reads the whole table. SQLite has no such index; it keeps scanning.
"""

from django.db import migrations, models

SEARCH_COLUMNS = ("number", "name", "phone", "address")
SEARCH_INDEX = "cst_customer_search_trgm"


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    columns = ", ".join(f"UPPER({column}::text) gin_trgm_ops" for column in SEARCH_COLUMNS)
    # pg_trgm is a trusted extension: the database owner may create it without being superuser.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} ON cst_customer USING gin ({columns})")


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["created_at", "id"], include=("status", "owner", "region", "grade"), name="cst_created_idx"
            ),
        ),
        # Schema, not data: a flush between tests keeps it, so tests need not run it again.
        migrations.RunPython(create_search_index, drop_search_index, hints={"schema_only": True}),
    ]
