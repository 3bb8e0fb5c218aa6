#!/usr/bin/env python
"""Response times of the customer list, customer search, the reports and the dashboard, next to
the time of each page's own SQL (issue 8, docs/performance.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_volume \\
        .venv/bin/python scripts/bench_pages.py [--runs 20] [--only customers]

Run it against a database filled by ``manage.py generate_volume_data`` (it reads the users that
command creates). For every page and two users — one who sees everything (the executive) and a
regional supervisor whose scope is a department with its sub-departments — it sends ``--runs``
GET requests through Django's test client after two warm-up requests and takes the median and
the 95th percentile. It records the SQL statements of one request (``CaptureQueriesContext``,
with their parameters), runs them again directly on a cursor in one transaction (every read,
savepoint and setting, in order; writes such as a session update left out), fetching every row,
and takes the median of their summed time over the same number of runs. After start-up it calls
``gc.freeze()``, as a preloading server would, so that a full garbage collection does not walk
all of Django's own objects in the middle of a timed request. The ratio page / SQL is what
Python, templates and the framework add on top of the database.

Targets (issue 8): list pages and search under 100 ms p95, every report under 1 s, and every page
within 1.5× of its own SQL. Nothing is written to the database but the two users' sessions.
"""

import argparse
import gc
import os
import re
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST_TARGET_MS = 100
REPORT_TARGET_MS = 1000
RATIO_TARGET = 1.5
WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    # Measure what production runs: no query log, no debug context.
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    warnings.filterwarnings("ignore", message="No directory at")  # collectstatic has not run: no matter here
    import django

    django.setup()


def pages():
    """(group, label, URL name, query string); the query strings use the reports' and filters' names."""
    from crm.devtools.volume import TRADE_NAME_1, TRADE_NAME_2
    from crm.dictionary.models import DictItem, DictType

    grade = DictItem.objects.of_type(DictType.CUSTOMER_GRADE).order_by("sort_order").values_list("pk", flat=True)
    region = DictItem.objects.of_type(DictType.REGION).order_by("sort_order").values_list("pk", flat=True)
    big_customers = grade[2] if len(grade) > 2 else ""
    north = region[1] if len(region) > 1 else ""
    fragment = TRADE_NAME_1[0] + TRADE_NAME_2[0] + "科技"  # 华达科技: a name fragment, as a user types it
    year = time.localtime().tm_year - 1
    return [
        ("list", "customers: first page", "customers:customer-list", ""),
        ("list", "customers: page 5000", "customers:customer-list", "page=5000"),
        ("list", "customers: grade filter", "customers:customer-list", f"grade={big_customers}"),
        ("list", "customers: region filter, page 500", "customers:customer-list", f"region={north}&page=500"),
        ("list", "customers: sorted by name, page 200", "customers:customer-list", "sort=name&page=200"),
        ("list", "customers: sorted by region (no index)", "customers:customer-list", "sort=region"),
        ("list", "customers: search, 4 characters", "customers:customer-list", f"q={fragment}"),
        ("list", "customers: search, 4 characters, page 3", "customers:customer-list", f"q={fragment}&page=3"),
        ("list", "customers: search, 2 characters", "customers:customer-list", f"q={fragment[:2]}"),
        ("list", "customers: search, number of a day", "customers:customer-list", f"q=KH{year}0315"),
        ("report", "dashboard", "reports:dashboard", ""),
        ("report", f"contribution {year}", "reports:contribution", f"year={year}"),
        ("report", f"contribution {year}, name, page 2", "reports:contribution", f"year={year}&name=科技&page=2"),
        ("report", "composition by grade", "reports:composition", "by=grade"),
        ("report", "composition by credit", "reports:composition", "by=credit"),
        ("report", "composition by satisfaction", "reports:composition", "by=satisfaction"),
        ("report", "composition by region", "reports:composition", "by=region"),
        ("report", f"service {year}", "reports:service", f"year={year}"),
        ("report", "churn", "reports:churn", ""),
        ("report", "churn, name, page 2", "reports:churn", "name=科技&page=2"),
    ]


def users():
    from crm.accounts.models import Role, User
    from crm.devtools.volume import USERNAME_PREFIX

    generated = User.objects.filter(username__startswith=USERNAME_PREFIX)
    everyone = generated.filter(roles__system_key=Role.Key.EXECUTIVE).order_by("username").first()
    region_head = (
        generated.filter(roles__system_key=Role.Key.SUPERVISOR, department__parent=None).order_by("username").first()
    )
    if everyone is None or region_head is None:
        raise SystemExit("No generated users: fill the database with manage.py generate_volume_data first.")
    return [("all", everyone), ("supervisor", region_head)]


class Recorder:
    """Collects (sql, params) of every statement a request runs."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def measure(client, url, runs, warmup=2):
    from django.db import DatabaseError, connection, transaction
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            return {"status": response.status_code}
    recorder = Recorder()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(recorder):
        client.get(url)
    page_times = []
    for _ in range(runs):
        begin = time.perf_counter()
        response = client.get(url)
        page_times.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    # Every statement but writes (a session touched, a last login), in order and in one
    # transaction, so savepoints and transaction-local settings act as they did in the page.
    reads = [(sql, params) for sql, params, many in recorder.statements if not many and not WRITES.match(sql)]
    sql_times = []
    for _ in range(runs):
        total = 0.0
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params in reads:
                begin = time.perf_counter()
                try:
                    cursor.execute(sql, params)
                    if cursor.description:
                        cursor.fetchall()
                except DatabaseError:
                    pass  # e.g. a count cancelled by its time budget; the page's next statement recovers
                total += time.perf_counter() - begin
        sql_times.append(total * 1000)
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
    return {
        "status": 200,
        "median": statistics.median(page_times),
        "p95": percentile(page_times, 0.95),
        "sql": statistics.median(sql_times),
        "queries": len(recorder.statements),
        "slowest": slowest,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page and user (default 20)")
    parser.add_argument("--only", default="", help="only pages whose label contains this text")
    parser.add_argument("--explain", action="store_true", help="print the slowest statement of each page")
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from crm.customers.models import Customer

    if connection.vendor != "postgresql":
        print("Warning: this benchmark is meant for PostgreSQL (set DATABASE_URL).", file=sys.stderr)
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0
    print(
        f"{Customer.objects.count():,} customers; {version}; {os.cpu_count()} CPU cores, load average {load:.1f}; "
        f"{args.runs} runs per page after 2 warm-up requests\n"
    )

    clients = []
    for label, user in users():
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        clients.append((label, user, client))

    print(
        f"Users: all = {clients[0][1].username} (executive, sees everything); supervisor = {clients[1][1].username} "
        f"(a region's head: the region's department and its sub-departments).\n"
        f"Targets: list pages p95 < {LIST_TARGET_MS} ms, reports p95 < {REPORT_TARGET_MS} ms, page ≤ {RATIO_TARGET}× "
        "its SQL.\n"
    )
    # A server process does its imports and start-up once; freezing what exists then keeps the
    # cyclic garbage collector from walking all of Django on every full collection (60-80 ms
    # pauses here otherwise), as gc.freeze() does in a preloading gunicorn.
    gc.collect()
    gc.freeze()
    header = (
        f"{'page':<42}{'user':<12}{'median ms':>10}{'p95 ms':>8}{'SQL ms':>8}{'page-SQL':>9}{'stmts':>6}"
        f"{'page/SQL':>9}  verdict"
    )
    print(header)
    print("-" * len(header))
    misses = []
    for group, label, name, query in pages():
        if args.only and args.only not in label:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            print(f"{label:<42}(page not available yet)")
            continue
        url = f"{url}?{query}" if query else url
        for user_label, _user, client in clients:
            result = measure(client, url, args.runs)
            if result["status"] != 200:
                print(f"{label:<42}{user_label:<12}   HTTP {result['status']}")
                continue
            ratio = result["median"] / result["sql"] if result["sql"] else float("inf")
            limit = LIST_TARGET_MS if group == "list" else REPORT_TARGET_MS
            missed = [name for name, bad in (("p95", result["p95"] >= limit), ("ratio", ratio > RATIO_TARGET)) if bad]
            if missed:
                misses.append((label, user_label))
            print(
                f"{label:<42}{user_label:<12}{result['median']:>10.1f}{result['p95']:>8.1f}{result['sql']:>8.1f}"
                f"{result['median'] - result['sql']:>9.1f}{result['queries']:>6}{ratio:>9.2f}  "
                + ("ok" if not missed else "missed " + " and ".join(missed))
            )
            if args.explain and result["slowest"]:
                print(f"    slowest ({result['slowest']['time']} s): {result['slowest']['sql'][:300]}")
    print()
    print("All pages within their targets." if not misses else f"{len(misses)} page/user pairs missed a target.")


if __name__ == "__main__":
    main()
