#!/usr/bin/env python
"""Benchmark of the order import (R-DATA-4) on SQLite and PostgreSQL, next to PostgreSQL COPY.

    .venv/bin/python scripts/bench_import.py [--rows 100000] [--skip-postgres]

Writes a CSV of order lines (one row per line, order columns repeated), then for each database
starts a fresh process with an empty database (a temporary SQLite file; on PostgreSQL the
database ``--pg-database`` on the server of DATABASE_URL, created and dropped by this script),
creates the customers and products the file needs and imports the file twice through
``crm.catalog.services.import_file``: once into empty tables, once more (nothing changes).
Finally it loads the same file with ``COPY`` into a bare table on PostgreSQL and prints rows per
second for each, and the importer's speed as a fraction of COPY's.
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HEADER = [
    "order_key",
    "order_number",
    "customer_number",
    "order_date",
    "delivery_address",
    "status",
    "line_no",
    "product_key",
    "quantity",
    "unit",
    "unit_price",
]
STATUSES = ["已回款", "已发货", "未回款"]


def customers_for(rows):
    return max(rows // 50, 10)


def products_for(rows):
    return 200


def write_csv(path, rows):
    rng = random.Random(42)  # noqa: S311 - reproducible benchmark data
    customers, products = customers_for(rows), products_for(rows)
    start = date(2023, 1, 1)
    written, order = 0, 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        while written < rows:
            order += 1
            day = start + timedelta(days=rng.randint(0, 3 * 365))
            head = [
                f"SO{order:07d}",
                f"DD{day:%Y%m%d}{order:07d}",
                f"KHBENCH{rng.randint(1, customers):06d}",
                day.isoformat(),
                f"北京市海淀区中关村大街{rng.randint(1, 200)}号",
                rng.choice(STATUSES),
            ]
            for line_no in range(1, min(rng.randint(1, 8), rows - written) + 1):
                product = rng.randint(1, products)
                writer.writerow(
                    [*head, line_no, f"BP{product:04d}", rng.randint(1, 50), "台", f"{product * 37 % 20000 + 36}.00"]
                )
                written += 1
    return order


# Child: one database ---------------------------------------------------------------------------


def run_child(csv_path, rows):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from crm.accounts.models import User
    from crm.catalog import importers, services, tables
    from crm.catalog.models import ImportRun, Product
    from crm.customers.models import Customer

    owner = User.objects.create(username="bench", name="基准")
    Customer.objects.bulk_create(
        [
            Customer(number=f"KHBENCH{n:06d}", name=f"基准客户{n}", owner=owner, created_by=owner)
            for n in range(1, customers_for(rows) + 1)
        ],
        batch_size=1000,
    )
    Product.objects.bulk_create(
        [
            Product(external_key=f"BP{n:04d}", name=f"基准产品{n}", unit="台", price=n * 37 % 20000 + 36)
            for n in range(1, products_for(rows) + 1)
        ]
    )

    phases = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            begin = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0) + time.perf_counter() - begin

        return wrapper

    services.read_table = timed("read", tables.read_table)
    importers.OrderImporter.check = timed("check", importers.OrderImporter.check)
    importers.OrderImporter.apply = timed("apply", importers.OrderImporter.apply)

    results = {"vendor": connection.vendor}
    for label in ("first", "second"):
        phases.clear()
        begin = time.perf_counter()
        with csv_path.open("rb") as handle:
            run = services.import_file(
                kind="orders",
                file=handle,
                file_name=csv_path.name,
                source=ImportRun.Source.COMMAND,
                max_bytes=1 << 40,
            )
        seconds = time.perf_counter() - begin
        if run.status != ImportRun.Status.APPLIED:
            raise SystemExit(f"import rejected: {run.errors[:5]}")
        results[label] = {
            "seconds": seconds,
            "rows_per_second": run.row_count / seconds,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "details": run.details,
            "phases": {name: round(value, 2) for name, value in phases.items()},
        }
    print(json.dumps(results))


def child(database_url, csv_path, rows, var_dir):
    env = dict(os.environ, CRM_VAR_DIR=str(var_dir), LOG_LEVEL="ERROR")
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    output = subprocess.run(  # noqa: S603 - runs this very script
        [sys.executable, __file__, "--child", str(csv_path), "--rows", str(rows)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


# PostgreSQL ---------------------------------------------------------------------------------------


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url, name):
    import psycopg
    from psycopg import sql

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url, name):
    import psycopg
    from psycopg import sql

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def copy_rows_per_second(url, csv_path, rows):
    """COPY of the same file into a bare table with the file's columns, typed, no indexes."""
    import psycopg

    with psycopg.connect(url) as connection:
        connection.execute(
            """CREATE TABLE bench_copy (
                order_key text, order_number text, customer_number text, order_date date,
                delivery_address text, status text, line_no integer, product_key text,
                quantity numeric(12, 2), unit text, unit_price numeric(14, 2))"""
        )
        connection.commit()
        begin = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            csv_path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        connection.commit()
        seconds = time.perf_counter() - begin
        count = connection.execute("SELECT count(*) FROM bench_copy").fetchone()[0]
        assert count == rows, count
    return rows / seconds, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg-database", default="crm_bench_import", help="created and dropped by this script")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(args.child, args.rows)

    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as workdir:
        workdir = Path(workdir)
        csv_path = workdir / "orders.csv"
        orders = write_csv(csv_path, args.rows)
        size = csv_path.stat().st_size / 1024 / 1024
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0
        print(
            f"{args.rows:,} order lines in {orders:,} orders, {size:.1f} MB CSV; "
            f"{os.cpu_count()} CPU cores, load average {load:.1f}"
        )

        results = {"SQLite": child(None, csv_path, args.rows, workdir)}
        copy = None
        if not args.skip_postgres:
            pg_url = with_database(database_url, args.pg_database)
            recreate_database(database_url, args.pg_database)
            try:
                results["PostgreSQL"] = child(pg_url, csv_path, args.rows, workdir)
                copy = copy_rows_per_second(pg_url, csv_path, args.rows)
            finally:
                drop_database(database_url, args.pg_database)

    print()
    print(f"{'':36}{'seconds':>9}{'rows/s':>10}   read / check / apply (s)")
    for name, result in results.items():
        for label, title in (("first", "import, empty tables"), ("second", "same file again")):
            run = result[label]
            phases = run["phases"]
            print(
                f"{name + ' ' + title:36}{run['seconds']:9.1f}{run['rows_per_second']:10,.0f}   "
                f"{phases.get('read', 0):.1f} / {phases.get('check', 0):.1f} / {phases.get('apply', 0):.1f}"
                + (f"   {run['created']} created, {run['unchanged']} unchanged" if label == "first" else "")
            )
    if copy:
        copy_rate, copy_seconds = copy
        print(f"{'PostgreSQL COPY, bare table':36}{copy_seconds:9.2f}{copy_rate:10,.0f}")
        for name, result in results.items():
            ratio = result["first"]["rows_per_second"] / copy_rate
            print(f"{name} importer / PostgreSQL COPY: {ratio:.3f} (COPY is {1 / ratio:.0f}× faster)")


if __name__ == "__main__":
    main()
