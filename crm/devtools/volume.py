# ruff: noqa: S608 - the SQL here is built from integers and the fixed word lists below, never from input
"""A large, realistic data set for performance work (``manage.py generate_volume_data``).

At scale 1: 100 users in 10 departments, 1,000,000 customers, about 3,000,000 contacts,
1,000,000 interaction records, churn records, 300 products, about 10,000,000 order lines in
3,333,333 orders, 200,000 opportunities, 500,000 service requests with their rounds, and monthly
sales targets, spread over the last three years up to today.

The big tables are written set-based, one ``INSERT … SELECT`` each, so the database builds the
rows itself. Every value of row ``g`` is a pure function of ``g`` (an integer hash, the same on
PostgreSQL and SQLite), which makes the data reproducible and lets one table derive what it needs
of another (an order's customer, that customer's creation day, manager and churn history)
without reading it back. Orders are picked day first, with more business in later months, then a
customer among those existing that day; lost customers stop ordering on the day they were lost
and customers with an open churn warning stopped half a year ago. Each order's stored amount is
the sum of its lines as the database computed them.

Small tables (departments, users, roles, products, targets) go through the ORM.
"""

import datetime
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from crm.accounts.models import Department, Role, User
from crm.catalog.models import Order, OrderLine, Product
from crm.customers.models import Activity, ChurnMeasure, ChurnRecord, Contact, Customer, CustomerNumberCounter
from crm.dictionary.models import DictItem, DictType
from crm.reports import rollups
from crm.reports.models import CustomerYearSales, OwnerMonthSales, SalesTarget
from crm.sales.models import Opportunity, PipelineStage
from crm.service.models import ServiceRequest, ServiceRound

FULL_SCALE = {
    "customers": 1_000_000,
    "order_lines": 10_000_000,
    "opportunities": 200_000,
    "service_requests": 500_000,
}
PRODUCTS = 300
YEARS = 3
PASSWORD = "crm-volume-2026"
USERNAME_PREFIX = "vu"

# Two regions, each a parent department with four sub-departments: 10 departments.
DEPARTMENTS = [
    ("华北大区", None),
    ("华南大区", None),
    ("北京销售一部", "华北大区"),
    ("北京销售二部", "华北大区"),
    ("天津销售部", "华北大区"),
    ("沈阳销售部", "华北大区"),
    ("广州销售部", "华南大区"),
    ("深圳销售部", "华南大区"),
    ("武汉销售部", "华南大区"),
    ("成都销售部", "华南大区"),
]
USERS_PER_DEPARTMENT = 10

# (city, telephone area code, region dictionary value)
CITIES = [
    ("北京", "010", "beijing"),
    ("北京", "010", "beijing"),
    ("北京", "010", "beijing"),
    ("天津", "022", "north"),
    ("石家庄", "0311", "north"),
    ("太原", "0351", "north"),
    ("呼和浩特", "0471", "north"),
    ("保定", "0312", "north"),
    ("唐山", "0315", "north"),
    ("武汉", "027", "central_south"),
    ("长沙", "0731", "central_south"),
    ("广州", "020", "central_south"),
    ("深圳", "0755", "central_south"),
    ("郑州", "0371", "central_south"),
    ("南宁", "0771", "central_south"),
    ("珠海", "0756", "central_south"),
    ("沈阳", "024", "northeast"),
    ("大连", "0411", "northeast"),
    ("长春", "0431", "northeast"),
    ("哈尔滨", "0451", "northeast"),
    ("成都", "028", "west"),
    ("重庆", "023", "west"),
    ("西安", "029", "west"),
    ("昆明", "0871", "west"),
    ("兰州", "0931", "west"),
    ("贵阳", "0851", "west"),
]
TRADE_NAME_1 = "华中东金宏恒鑫瑞泰盛天新长汇博永德龙信安"
TRADE_NAME_2 = "达通远兴源发丰科创联力海峰诚成邦润和美嘉"
INDUSTRIES = ["科技", "贸易", "机械", "电子", "医药", "建材", "食品", "物流", "化工", "能源", "软件", "设备", "实业"]
COMPANY_FORMS = ["有限公司", "有限公司", "有限责任公司", "股份有限公司", "集团有限公司"]
DISTRICTS = ["海淀", "朝阳", "高新", "开发", "经济技术开发", "滨海新", "天河", "南山", "武昌", "锦江", "雁塔", "和平"]
ROADS = ["中关村大街", "建设路", "人民路", "解放路", "科技园路", "长江路", "黄河路", "中山路", "工业大道", "创业路"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN_NAMES = "伟芳娜敏静磊洋勇军杰涛明超霞平刚丽强"
POSITIONS = ["总经理", "采购经理", "技术总监", "财务主管", "行政经理", "设备科长", "副总经理", "采购专员"]
BANKS = ["中国工商银行", "中国建设银行", "中国银行", "中国农业银行", "招商银行", "交通银行"]
PLACES = ["客户公司会议室", "我司展厅", "电话", "视频会议", "行业展会", "客户工厂车间"]
ACTIVITY_SUMMARIES = ["产品介绍与需求了解", "报价方案沟通", "售后回访", "合同条款商谈", "年度合作规划", "技术交流"]
PRODUCT_KINDS = [
    "工业控制器",
    "伺服电机",
    "变频器",
    "压力传感器",
    "PLC模块",
    "触摸屏",
    "减速机",
    "液压泵",
    "空压机",
    "数控系统",
    "工业相机",
    "温控仪表",
]
UNITS = ["台", "件", "套", "箱", "个"]
OPPORTUNITY_SUMMARIES = ["设备采购意向", "年度框架协议", "生产线改造", "备品备件采购", "系统升级项目", "新厂房配套"]
SERVICE_SUMMARIES = ["产品使用咨询", "交货期咨询", "发票问题", "设备故障投诉", "改进包装建议", "售后响应慢投诉"]
LOST_REASONS = ["客户转向竞争对手采购。", "价格谈不拢，客户暂停合作。", "客户经营困难，停止采购。"]

# Customer kinds: what the churn history of a customer is (see _profile).
NORMAL, LOST, WARNED, DELETED, CLOSED = 0, 1, 2, 3, 4
HASH_PRIME = 2147483647  # 2**31 - 1
HASH_MULTIPLIER = 3141592653  # above 2**31, so PostgreSQL types the arithmetic as bigint


def counts_for(scale):
    customers = max(5, round(FULL_SCALE["customers"] * scale))
    return {
        "customers": customers,
        "orders": max(5, round(FULL_SCALE["order_lines"] * scale / 3)),
        "opportunities": max(5, round(FULL_SCALE["opportunities"] * scale)),
        "service_requests": max(5, round(FULL_SCALE["service_requests"] * scale)),
    }


def h(value, salt):
    """A pseudo-random non-negative integer below 2**31 from an integer SQL expression.

    Integer arithmetic only, so PostgreSQL and SQLite compute the same value; squaring breaks
    the linear pattern a single multiplication would leave between neighbouring rows.
    """
    x = f"((({value}) + {salt}) * {HASH_MULTIPLIER} % {HASH_PRIME})"
    return f"({x} * {x} % {HASH_PRIME})"


def quote(text):
    return "'" + str(text).replace("'", "''") + "'"


def pick(index, options):
    """The option at ``index`` (an SQL expression below len(options))."""
    if len(set(options)) == 1:
        return quote(options[0]) if isinstance(options[0], str) else str(options[0])
    branches = " ".join(
        f"WHEN {n} THEN {quote(option) if isinstance(option, str) else ('NULL' if option is None else option)}"
        for n, option in enumerate(options)
    )
    return f"(CASE {index} {branches} END)"


def pick_hashed(value, salt, options):
    return pick(f"{h(value, salt)} % {len(options)}", options)


def chars(value, salt, alphabet):
    """One character of ``alphabet``, chosen by hash."""
    return f"substr({quote(alphabet)}, CAST(1 + {h(value, salt)} % {len(alphabet)} AS integer), 1)"


class Dialect:
    """The few SQL spellings that differ between PostgreSQL and SQLite."""

    def __init__(self, start, epoch0):
        self.pg = connection.vendor == "postgresql"
        self.start = start.isoformat()
        self.epoch0 = epoch0
        # An optimisation fence: PostgreSQL computes a layer once instead of inlining it.
        self.fence = " OFFSET 0" if self.pg else ""

    def with_series(self, rows):
        """Prefix of a statement reading ``s(g)``, g = 1 … rows."""
        if self.pg:
            return ""
        return f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {rows}) "

    def series(self, rows):
        return f"generate_series(1::bigint, {rows}) AS s(g)" if self.pg else "s"

    def day(self, offset):
        """The date ``offset`` days after the first day of the data."""
        if self.pg:
            return f"(DATE '{self.start}' + CAST({offset} AS integer))"
        return f"date('{self.start}', '+' || ({offset}) || ' days')"

    def ymd(self, offset):
        if self.pg:
            return f"to_char({self.day(offset)}, 'YYYYMMDD')"
        return f"strftime('%Y%m%d', {self.day(offset)})"

    def timestamp(self, offset, seconds):
        """A moment ``seconds`` after local midnight of day ``offset``."""
        epoch = f"({self.epoch0} + ({offset}) * 86400 + ({seconds}))"
        return f"to_timestamp({epoch})" if self.pg else f"datetime({epoch}, 'unixepoch')"

    def plus_days(self, column, days):
        if self.pg:
            return f"({column} + ({days}) * INTERVAL '1 day')"
        return f"datetime({column}, '+' || ({days}) || ' days')"

    def date_plus(self, column, days):
        if self.pg:
            return f"({column} + {days})"
        return f"date({column}, '+' || ({days}) || ' days')"

    def floor_sqrt_scaled(self, scale, g, count):
        """floor(scale · √((g − ½) / count)) as an integer."""
        if self.pg:
            return f"CAST(floor({scale} * sqrt((CAST({g} AS double precision) - 0.5) / {count})) AS bigint)"
        return f"CAST({scale} * sqrt(({g} - 0.5) / {count}.0) AS INTEGER)"

    def pad(self, value, width):
        return f"lpad(CAST({value} AS text), {width}, '0')" if self.pg else f"printf('%0{width}d', {value})"

    def text(self, value):
        return f"CAST({value} AS text)" if self.pg else f"CAST({value} AS TEXT)"

    def greatest(self, a, b):
        return f"GREATEST({a}, {b})" if self.pg else f"MAX({a}, {b})"

    def least(self, a, b):
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"


NUMBERS_1_TO_5 = "(SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5)"


class VolumeBuilder:
    def __init__(self, *, scale=1.0, today=None, stdout=None):
        self.scale = scale
        self.counts = counts_for(scale)
        self.today = today or timezone.localdate()
        try:
            self.start = self.today.replace(year=self.today.year - YEARS) + datetime.timedelta(days=1)
        except ValueError:  # 29 February
            self.start = self.today.replace(year=self.today.year - YEARS, day=28) + datetime.timedelta(days=1)
        self.days = (self.today - self.start).days + 1
        zone = ZoneInfo(settings.TIME_ZONE)
        epoch0 = int(datetime.datetime.combine(self.start, datetime.time(), tzinfo=zone).timestamp())
        self.sql = Dialect(self.start, epoch0)
        self.stdout = stdout

    # Output ----------------------------------------------------------------------------------

    def say(self, text):
        if self.stdout is not None:
            self.stdout.write(text)
            self.stdout.flush()

    def timed(self, label, function, *args):
        begin = time.perf_counter()
        result = function(*args)
        seconds = time.perf_counter() - begin
        self.say(f"  {label:<44}{seconds:8.1f} s\n")
        return result

    def execute(self, statement, params=None):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.rowcount

    def scalar(self, statement):
        with connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchone()[0]

    # The whole build -------------------------------------------------------------------------

    def build(self):
        customers_per_day = -(-self.counts["customers"] // self.days)
        if customers_per_day > 9999:
            raise ValueError("More than 9,999 customers a day do not fit the customer number; use a smaller scale.")
        with transaction.atomic():
            if self.sql.pg:
                self.execute("SET LOCAL work_mem = '256MB'")  # aggregates over millions of lines
            skip_triggers = self.pg_may_skip_triggers()
            if skip_triggers:
                # Superuser on PostgreSQL: skip the per-row foreign-key triggers (the rows are
                # built valid) and check every foreign key set-based at the end instead.
                self.execute("SET session_replication_role = replica")
            # An error rolls back the whole build, these settings included.
            self.timed("departments, users, roles", self.organisation)
            self.timed("products", self.products)
            self.lookups()
            self.bases = {
                model: model.objects.aggregate(m=Max("pk"))["m"] or 0
                for model in (Customer, Order, ChurnRecord, ServiceRequest, ServiceRound, Opportunity)
            }
            self.timed("customers", self.customers)
            self.timed("contacts", self.contacts)
            self.timed("interaction records", self.activities)
            self.timed("churn records and measures", self.churn)
            self.timed("order lines", self.order_lines)
            self.timed("orders (amount = Σ lines)", self.orders)
            self.timed("order rollups (per customer-year, owner-month)", rollups.rebuild_all)
            self.timed("last order date of churn records", self.churn_last_orders)
            self.timed("opportunities", self.opportunities)
            self.timed("service requests", self.service_requests)
            self.timed("service rounds", self.service_rounds)
            self.timed("monthly sales targets", self.targets)
            self.timed("sequences", self.reset_sequences)
            if skip_triggers:
                self.timed("foreign keys checked", self.check_foreign_keys)
                self.execute("SET session_replication_role = DEFAULT")
            self.drop_lookups()
        self.timed("VACUUM ANALYZE" if self.sql.pg else "ANALYZE", self.analyze)

    def pg_may_skip_triggers(self):
        if not self.sql.pg:
            return False
        return bool(self.scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))

    # Organisation ----------------------------------------------------------------------------

    def organisation(self):
        departments = {}
        for order, (name, parent) in enumerate(DEPARTMENTS):
            departments[name], _ = Department.objects.get_or_create(
                name=name, parent=departments.get(parent), defaults={"sort_order": order}
            )
        roles = {role.system_key: role for role in Role.objects.exclude(system_key=None)}
        password = make_password(PASSWORD)
        users, supervisors = [], {}
        n = 0
        for department_name, _parent in DEPARTMENTS:
            department = departments[department_name]
            for slot in range(USERS_PER_DEPARTMENT):
                n += 1
                if slot == 0:
                    key, position = Role.Key.SUPERVISOR, "销售经理" if department.parent_id else "大区总监"
                elif department_name == "华北大区" and slot == 1:
                    key, position = Role.Key.EXECUTIVE, "总经理"
                elif department_name == "华南大区" and slot == 1:
                    key, position = Role.Key.ADMINISTRATOR, "系统管理员"
                else:
                    key, position = Role.Key.ACCOUNT_MANAGER, "客户经理"
                users.append((n, department, key, position))
        existing = {u.username: u for u in User.objects.filter(username__startswith=USERNAME_PREFIX)}
        created = []
        for n, department, _key, position in users:
            username = f"{USERNAME_PREFIX}{n:03d}"
            if username in existing:
                continue
            created.append(
                User(
                    username=username,
                    name=SURNAMES[n % len(SURNAMES)] + GIVEN_NAMES[n * 7 % len(GIVEN_NAMES)] + GIVEN_NAMES[n % 5],
                    mobile=f"1390000{n:04d}",
                    email=f"{username}@example.com",
                    department=department,
                    position=position,
                    gender="M" if n % 2 else "F",
                    password=password,
                )
            )
        User.objects.bulk_create(created)
        by_name = {u.username: u for u in User.objects.filter(username__startswith=USERNAME_PREFIX)}
        through = User.roles.through
        links, self.managers = [], []
        for n, department, key, _position in users:
            user = by_name[f"{USERNAME_PREFIX}{n:03d}"]
            if user.username not in existing:
                links.append(through(user_id=user.pk, role_id=roles[key].pk))
            if key == Role.Key.SUPERVISOR:
                supervisors[department.pk] = user
        through.objects.bulk_create(links, ignore_conflicts=True)
        # Superiors: a manager reports to the department's supervisor, a sub-department's
        # supervisor to the region's.
        updates = []
        for n, department, key, _position in users:
            user = by_name[f"{USERNAME_PREFIX}{n:03d}"]
            if key == Role.Key.SUPERVISOR:
                superior = supervisors.get(department.parent_id)
            elif key == Role.Key.ACCOUNT_MANAGER:
                superior = supervisors[department.pk]
            else:
                superior = None
            if user.superior_id != (superior.pk if superior else None):
                user.superior = superior
                updates.append(user)
            if key == Role.Key.ACCOUNT_MANAGER:
                self.managers.append((user.pk, superior.pk, department.pk))
        User.objects.bulk_update(updates, ["superior"])
        self.sales_users = [
            by_name[f"{USERNAME_PREFIX}{n:03d}"]
            for n, _d, key, _p in users
            if key in (Role.Key.SUPERVISOR, Role.Key.ACCOUNT_MANAGER)
        ]
        self.departments = list(departments.values())

    def products(self):
        kinds = PRODUCT_KINDS
        Product.objects.bulk_create(
            [
                Product(
                    external_key=f"VOL-P{k:04d}",
                    name=kinds[k % len(kinds)],
                    model=f"{chr(65 + k % 26)}{100 + k}",
                    batch=f"{2024 + k % 3}批" if k % 4 == 0 else "",
                    unit=UNITS[k % len(UNITS)],
                    price=10 * (5 + k * 7919 % 500),
                )
                for k in range(PRODUCTS)
            ],
            ignore_conflicts=True,
        )
        self.product_rows = list(
            Product.objects.filter(external_key__startswith="VOL-P")
            .order_by("external_key")
            .values_list("pk", "price", "unit")
        )

    def lookups(self):
        """Small temporary tables the big statements join: managers and products by index."""
        self.execute("CREATE TEMPORARY TABLE gen_manager (k integer PRIMARY KEY, user_id bigint, superior_id bigint)")
        self.execute(
            "CREATE TEMPORARY TABLE gen_product (k integer PRIMARY KEY, product_id bigint, price bigint, unit text)"
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO gen_manager (k, user_id, superior_id) VALUES (%s, %s, %s)",
                [(k, user, superior) for k, (user, superior, _dept) in enumerate(self.managers)],
            )
            cursor.executemany(
                "INSERT INTO gen_product (k, product_id, price, unit) VALUES (%s, %s, %s, %s)",
                [(k, pk, int(price), unit) for k, (pk, price, unit) in enumerate(self.product_rows)],
            )

        def ids(dict_type):
            return list(DictItem.objects.of_type(dict_type).order_by("sort_order", "id").values_list("pk", flat=True))

        self.grades = ids(DictType.CUSTOMER_GRADE)
        regions = dict(DictItem.objects.of_type(DictType.REGION).values_list("value", "pk"))
        fallback = sorted(regions.values()) or [None]
        self.city_regions = [
            regions.get(value, fallback[n % len(fallback)]) for n, (_c, _a, value) in enumerate(CITIES)
        ]
        self.follow_up_methods = ids(DictType.FOLLOW_UP_METHOD) or [None]
        self.churn_reasons = ids(DictType.CHURN_REASON) or [None]
        self.sources = ids(DictType.OPPORTUNITY_SOURCE) or [None]
        self.service_types = ids(DictType.SERVICE_TYPE)
        if not self.service_types:
            raise ValueError("The dictionary has no service types; run migrate first.")
        self.stages = list(PipelineStage.objects.filter(is_active=True).order_by("sort_order", "id"))

    def drop_lookups(self):
        self.execute("DROP TABLE gen_manager")
        self.execute("DROP TABLE gen_product")

    # Shared expressions ----------------------------------------------------------------------

    def first_of_day(self, day):
        """Index (0-based) of the first customer created on ``day``."""
        c, d = self.counts["customers"], self.days
        return f"(({day}) * {c} + {d - 1}) / {d}"

    def customers_by_day(self, day):
        """How many customers exist at the end of ``day``."""
        return self.first_of_day(f"({day}) + 1")

    def profile(self, inner):
        """Columns of customer ``c`` from ``inner`` (which yields at least ``c``), computed once:

        cd   the day it was created (customers are numbered in order of creation);
        oi   its manager (index into gen_manager);
        kind NORMAL, LOST (lost on day ld), WARNED (open warning, no order for half a year),
             DELETED or CLOSED (a warning that a new order closed);
        ed   the last day it may have orders, interactions or requests.
        """
        c, d, sql = self.counts["customers"], self.days, self.sql
        managers = len(self.managers)
        old = d - 201  # customers older than this can have a churn history
        p1 = (
            f"SELECT p0.*, (c - 1) * {d} / {c} AS cd, {h('c', 7)} % 1000 AS cls, {h('c', 3)} % {managers} AS oi "
            f"FROM ({inner}) p0{sql.fence}"
        )
        p2 = (
            f"SELECT p1.*, CASE WHEN cls < 30 AND cd <= {old} THEN {LOST} "
            f"WHEN cls < 50 AND cd <= {old} THEN {WARNED} WHEN cls >= 50 AND cls < 55 THEN {DELETED} "
            f"WHEN cls >= 55 AND cls < 75 AND cd <= {old} THEN {CLOSED} ELSE {NORMAL} END AS kind "
            f"FROM ({p1}) p1{sql.fence}"
        )
        p3 = (
            f"SELECT p2.*, CASE WHEN kind = {LOST} THEN cd + 30 + {h('c', 8)} % {sql.greatest(f'{d - 61} - cd', 1)} "
            f"END AS ld FROM ({p2}) p2{sql.fence}"
        )
        return (
            f"SELECT p3.*, CASE kind WHEN {LOST} THEN ld WHEN {WARNED} THEN {d - 182} ELSE {d - 1} END AS ed "
            f"FROM ({p3}) p3{sql.fence}"
        )

    def customer_name(self, c):
        city = pick_hashed(c, 101, [name for name, _a, _r in CITIES])
        return (
            f"{city} || {chars(c, 102, TRADE_NAME_1)} || {chars(c, 103, TRADE_NAME_2)} || "
            f"{pick_hashed(c, 104, INDUSTRIES)} || {pick_hashed(c, 105, COMPANY_FORMS)}"
        )

    def customer_address(self, c):
        city = pick_hashed(c, 101, [name for name, _a, _r in CITIES])
        return (
            f"{city} || '市' || {pick_hashed(c, 111, DISTRICTS)} || '区' || {pick_hashed(c, 112, ROADS)} || "
            f"{self.sql.text(f'1 + {h(c, 113)} % 500')} || '号'"
        )

    def person_name(self, value, salt):
        return (
            f"{chars(value, salt, SURNAMES)} || {chars(value, salt + 1, GIVEN_NAMES)} || "
            f"(CASE WHEN {h(value, salt + 2)} % 2 = 0 THEN {chars(value, salt + 3, GIVEN_NAMES)} ELSE '' END)"
        )

    def phone(self, c, salt):
        area = pick_hashed(c, 101, [code for _n, code, _r in CITIES])
        return f"{area} || '-' || {self.sql.text(f'60000000 + {h(c, salt)} % 30000000')}"

    def mobile(self, value, salt):
        second = pick_hashed(value, salt, ["3", "5", "8"])
        return f"'1' || {second} || {self.digits(value, salt + 1, 9)}"

    def growing_day(self, g, count):
        """The day of row ``g`` of ``count``: rows follow each other in time, and there are more
        of them each day as the business grows (the density rises linearly: day = D·√(g/count))."""
        return self.sql.floor_sqrt_scaled(self.days, g, count)

    def clamp_to_customer(self, day):
        """``day`` moved into the customer's active span [cd, ed] of the enclosing profile."""
        return f"(CASE WHEN {day} > ed THEN cd + ({day} - cd) % (ed - cd + 1) ELSE {day} END)"

    def analyze_table(self, model):
        """Fresh statistics, so the statements that read this table next get a sensible plan."""
        if self.sql.pg:
            self.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def insert(self, model, values, source, rows):
        """``INSERT INTO model (…) SELECT values FROM source``; ``rows`` sizes the SQLite series."""
        fields = {
            f.name: f for f in model._meta.concrete_fields if not f.primary_key and not getattr(f, "generated", False)
        }
        missing = [name for name in fields if name not in values]
        if missing:
            raise ValueError(f"{model.__name__}: no value for {', '.join(missing)}")
        columns, expressions = [], []
        for name, expression in values.items():
            columns.append(connection.ops.quote_name(model._meta.pk.column if name == "id" else fields[name].column))
            expressions.append(expression)
        statement = (
            f"{self.sql.with_series(rows)}INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608 - integers and fixed words only
            f"({', '.join(columns)}) SELECT {', '.join(expressions)} FROM {source}"
        )
        written = self.execute(statement)
        self.analyze_table(model)
        return written

    def digits(self, value, salt, width):
        """``width`` pseudo-random decimal digits (width up to 9)."""
        return self.sql.pad(f"{h(value, salt)} % {10**width}", width)

    def timestamp(self, day, salt, value="g"):
        """A moment in office hours (08:00–18:00) on ``day``."""
        return self.sql.timestamp(day, f"28800 + {h(value, salt)} % 36000")

    # Customers and what hangs off them --------------------------------------------------------

    def customers(self):
        c, sql = self.counts["customers"], self.sql
        base = self.bases[Customer]
        created = self.timestamp("p.cd", 120, "p.c")
        grade = f"{h('p.c', 121)} % 100"
        grades = (self.grades + [None] * 5)[:5]
        grade_case = (
            f"(CASE WHEN {grade} < 2 THEN NULL WHEN {grade} < 50 THEN {grades[0] or 'NULL'} "
            f"WHEN {grade} < 75 THEN {grades[1] or 'NULL'} WHEN {grade} < 90 THEN {grades[2] or 'NULL'} "
            f"WHEN {grade} < 97 THEN {grades[3] or 'NULL'} ELSE {grades[4] or 'NULL'} END)"
        )
        rating = f"(CASE WHEN p.c > {c - c // 50} THEN NULL ELSE 1 + ({h('p.c', 122)} % 100) / 20 END)"
        credit = f"(CASE WHEN p.c > {c - c // 50} THEN NULL ELSE 1 + ({h('p.c', 123)} % 100) / 20 END)"
        seq = f"COALESCE(n.last, 0) + p.c - {self.first_of_day('p.cd')}"
        values = {
            "id": f"{base} + p.c",
            "created_at": created,
            "updated_at": created,
            "version": "1",
            "number": f"'KH' || {sql.ymd('p.cd')} || {sql.pad(seq, 4)}",
            "name": self.customer_name("p.c"),
            "region": pick_hashed("p.c", 101, self.city_regions),
            "grade": grade_case,
            "satisfaction": rating,
            "credit": credit,
            "address": self.customer_address("p.c"),
            "post_code": sql.pad(f"100000 + {h('p.c', 124)} % 750000", 6),
            "phone": self.phone("p.c", 125),
            "fax": f"(CASE WHEN {h('p.c', 126)} % 3 = 0 THEN '' ELSE {self.phone('p.c', 127)} END)",
            "website": f"'www.c' || {sql.text('p.c')} || '.example.com'",
            "licence_number": f"'91' || {self.digits('p.c', 128, 8)} || {self.digits('p.c', 129, 8)}",
            "legal_representative": self.person_name("p.c", 130),
            "registered_capital": pick_hashed("p.c", 134, [100, 200, 500, 1000, 3000, 5000]),
            "annual_turnover": f"(1 + {h('p.c', 135)} % 2000) * 10000",
            "bank": pick_hashed("p.c", 136, BANKS),
            "bank_account": f"'6222' || {self.digits('p.c', 137, 9)} || {self.digits('p.c', 138, 3)}",
            "local_tax_number": f"'DS' || {self.digits('p.c', 139, 9)} || {self.digits('p.c', 141, 3)}",
            "national_tax_number": f"'GS' || {self.digits('p.c', 140, 9)} || {self.digits('p.c', 142, 3)}",
            "status": f"(CASE p.kind WHEN {LOST} THEN 'lost' WHEN {DELETED} THEN 'deleted' ELSE 'normal' END)",
            "created_by": "m.user_id",
            "owner": "m.user_id",
        }
        profile = self.profile(f"SELECT g AS c FROM {sql.series(c)}")
        source = (
            f"({profile}) p JOIN gen_manager m ON m.k = p.oi "
            f"LEFT JOIN {CustomerNumberCounter._meta.db_table} n ON n.day = {sql.day('p.cd')}"
        )
        self.insert(Customer, values, source, c)
        self.update_number_counters()

    def update_number_counters(self):
        c, d = self.counts["customers"], self.days
        stored = dict(CustomerNumberCounter.objects.values_list("day", "last"))
        rows = []
        for k in range(d):
            made = (((k + 1) * c + d - 1) // d) - ((k * c + d - 1) // d)
            if made:
                day = self.start + datetime.timedelta(days=k)
                rows.append(CustomerNumberCounter(day=day, last=stored.get(day, 0) + made))
        CustomerNumberCounter.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["day"], update_fields=["last"], batch_size=500
        )

    def contacts(self):
        c, sql = self.counts["customers"], self.sql
        base = self.bases[Customer]
        value = "(p.c * 8 + n.k)"
        created = self.timestamp("p.cd", 150, value)
        values = {
            "created_at": created,
            "updated_at": created,
            "version": "1",
            "name": self.person_name(value, 151),
            "gender": pick_hashed(value, 155, ["male", "female"]),
            "position": pick_hashed(value, 156, POSITIONS),
            "office_phone": self.phone("p.c", 157),
            "mobile": self.mobile(value, 158),
            "remark": "''",
            "owner": "m.user_id",
            "customer": f"{base} + p.c",
        }
        # 1 to 5 contacts, 3 on average: (3c mod 5) runs through 0…4 over any five customers.
        profile = self.profile(f"SELECT g AS c FROM {sql.series(c)}")
        source = f"({profile}) p JOIN gen_manager m ON m.k = p.oi JOIN {NUMBERS_1_TO_5} n ON n.k <= 1 + (p.c * 3) % 5"
        self.insert(Contact, values, source, c)

    def activities(self):
        c, sql, d = self.counts["customers"], self.sql, self.days
        base = self.bases[Customer]
        day = f"(p.cd + {h('p.c', 160)} % (p.ed - p.cd + 1))"
        created = self.timestamp(day, 161, "p.c")
        upcoming = f"(p.kind = {NORMAL} AND {h('p.c', 162)} % 10 = 0)"
        next_day = f"{d - 1} + {h('p.c', 166)} % 30"
        values = {
            "created_at": created,
            "updated_at": created,
            "version": "1",
            "customer": f"{base} + p.c",
            "date": sql.day(day),
            "place": pick_hashed("p.c", 163, PLACES),
            "summary": pick_hashed("p.c", 164, ACTIVITY_SUMMARIES),
            "details": "''",
            "remark": "''",
            "follow_up_method": pick_hashed("p.c", 165, self.follow_up_methods),
            "next_contact_date": f"(CASE WHEN {upcoming} THEN {sql.day(next_day)} END)",
            "created_by": "m.user_id",
        }
        profile = self.profile(f"SELECT g AS c FROM {sql.series(c)}")
        self.insert(Activity, values, f"({profile}) p JOIN gen_manager m ON m.k = p.oi", c)

    def churn(self):
        c, sql, d = self.counts["customers"], self.sql, self.days
        base = self.bases[Customer]
        warned_on = (
            f"(CASE p.kind WHEN {LOST} THEN p.ld - 30 + {h('p.c', 170)} % 20 "
            f"WHEN {WARNED} THEN {d - 1} - {h('p.c', 171)} % 60 "
            f"ELSE p.cd + 180 + {h('p.c', 172)} % ({d - 191} - p.cd) END)"
        )
        closed_on = f"{warned_on} + 1 + {h('p.c', 175)} % 10"
        values = {
            "created_at": self.timestamp(warned_on, 173, "p.c"),
            "updated_at": self.timestamp(warned_on, 173, "p.c"),
            "version": "1",
            "customer": f"{base} + p.c",
            "last_order_date": "NULL",  # filled once the orders exist
            "status": (
                f"(CASE p.kind WHEN {LOST} THEN 'lost' WHEN {CLOSED} THEN 'closed' "
                f"ELSE (CASE WHEN {h('p.c', 174)} % 10 < 7 THEN 'warning' ELSE 'postponed' END) END)"
            ),
            "created_date": sql.day(warned_on),
            "lost_date": f"(CASE WHEN p.kind = {LOST} THEN {sql.day('p.ld')} END)",
            "closed_date": f"(CASE WHEN p.kind = {CLOSED} THEN {sql.day(closed_on)} END)",
            "reason_category": f"(CASE WHEN p.kind = {LOST} THEN {pick_hashed('p.c', 176, self.churn_reasons)} END)",
            "reason": f"(CASE WHEN p.kind = {LOST} THEN {pick_hashed('p.c', 177, LOST_REASONS)} ELSE '' END)",
            "confirmed_by": f"(CASE WHEN p.kind = {LOST} THEN m.user_id END)",
        }
        profile = self.profile(f"SELECT g AS c FROM {sql.series(c)}")
        source = f"({profile}) p JOIN gen_manager m ON m.k = p.oi WHERE p.kind IN ({LOST}, {WARNED}, {CLOSED})"
        self.insert(ChurnRecord, values, source, c)
        base_churn = self.bases[ChurnRecord]
        churn = connection.ops.quote_name(ChurnRecord._meta.db_table)
        customer = connection.ops.quote_name(Customer._meta.db_table)
        measure = ChurnMeasure._meta
        moment = sql.plus_days("r.created_at", 3)
        self.execute(
            f"INSERT INTO {measure.db_table} (created_at, updated_at, churn_record_id, date, text, created_by_id) "  # noqa: S608
            f"SELECT {moment}, {moment}, r.id, {sql.date_plus('r.created_date', 3)}, "
            f"'由客户经理上门拜访，提供新品试用与优惠。', cu.owner_id FROM {churn} r "
            f"JOIN {customer} cu ON cu.id = r.customer_id WHERE r.id > {base_churn} AND r.status = 'postponed'"
        )

    # Orders ----------------------------------------------------------------------------------

    def order_lines(self):
        orders = self.counts["orders"]
        base = self.bases[Order]
        product = f"{h('(s.g * 8 + n.k)', 200)} % {len(self.product_rows)}"
        values = {
            "order": f"{base} + s.g",
            "line_no": "n.k",
            "product": "gp.product_id",
            "quantity": f"1 + {h('(s.g * 8 + n.k)', 201)} % 5",
            "unit": "gp.unit",
            "unit_price": "gp.price",
        }
        # 1 to 5 lines, 3 on average (see contacts).
        source = (
            f"{self.sql.series(orders)} JOIN {NUMBERS_1_TO_5} n ON n.k <= 1 + (s.g * 3) % 5 "
            f"JOIN gen_product gp ON gp.k = {product}"
        )
        self.insert(OrderLine, values, source, orders)

    def orders(self):
        orders, sql, d = self.counts["orders"], self.sql, self.days
        base, base_customer = self.bases[Order], self.bases[Customer]
        day = self.clamp_to_customer("p.day0")
        profile = self.dated_customers(orders, 211)
        status = (
            f"(CASE WHEN {day} >= {d - 30} THEN {pick_hashed('p.g', 214, ['unpaid', 'shipped', 'paid'])} "
            f"WHEN {h('p.g', 215)} % 20 = 0 THEN 'unpaid' WHEN {h('p.g', 215)} % 20 = 1 THEN 'shipped' ELSE 'paid' END)"
        )
        created = self.timestamp(day, 216, "p.g")
        values = {
            "id": f"{base} + p.g",
            "created_at": created,
            "updated_at": created,
            "external_key": f"'VOL-SO' || {sql.pad(f'{base} + p.g', 10)}",
            "number": f"'DD' || {sql.ymd(day)} || {sql.pad('p.g', 8)}",
            "customer": f"{base_customer} + p.c",
            "order_date": sql.day(day),
            "delivery_address": self.customer_address("p.c"),
            "status": status,
            "amount": "t.total",
        }
        line = connection.ops.quote_name(OrderLine._meta.db_table)
        totals = f"SELECT order_id, SUM(amount) AS total FROM {line} WHERE order_id > {base} GROUP BY order_id"  # noqa: S608
        self.insert(Order, values, f"({profile}) p JOIN ({totals}) t ON t.order_id = {base} + p.g", orders)

    def churn_last_orders(self):
        churn = connection.ops.quote_name(ChurnRecord._meta.db_table)
        order = connection.ops.quote_name(Order._meta.db_table)
        base = self.bases[ChurnRecord]
        self.execute(
            f"UPDATE {churn} SET last_order_date = x.last FROM (SELECT o.customer_id, MAX(o.order_date) AS last "  # noqa: S608
            f"FROM {order} o WHERE o.customer_id IN (SELECT customer_id FROM {churn} WHERE id > {base}) "
            f"GROUP BY o.customer_id) x WHERE {churn}.customer_id = x.customer_id AND {churn}.id > {base}"
        )

    # Opportunities and service ---------------------------------------------------------------

    def with_status(self, profile, salt, table):
        """Adds ``day`` (the record's day, within its customer's active span), ``age`` (days before
        today) and ``st``, an index into the statuses of ``table``: a list of (maximum age,
        [per mille per status]) rows, the first row whose maximum age is not exceeded applies.
        Recent records are still being worked on; older ones are mostly done, as in a real desk.
        """
        d = self.days
        dated = f"SELECT p.*, {self.clamp_to_customer('p.day0')} AS day FROM ({profile}) p{self.sql.fence}"
        roll = f"{h('q.g', salt)} % 1000"
        rows = []
        for max_age, percents in table:
            branches, total = [], 0
            for index, percent in enumerate(percents):
                total += percent
                if percent:
                    branches.append(f"WHEN {roll} < {total} THEN {index}")
            rows.append(
                f"WHEN {d - 1} - q.day <= {max_age} THEN (CASE {' '.join(branches)} ELSE {len(percents) - 1} END)"
            )
        return f"SELECT q.*, {d - 1} - q.day AS age, (CASE {' '.join(rows)} END) AS st FROM ({dated}) q{self.sql.fence}"

    def dated_customers(self, count, salt):
        """Rows g = 1…count, each on a day (growing business, later rows on later days) and for a
        customer that existed that day."""
        inner = (
            f"SELECT g, day0, 1 + {h('g', salt)} % {self.customers_by_day('day0')} AS c FROM "
            f"(SELECT g, {self.growing_day('g', count)} AS day0 FROM {self.sql.series(count)}{self.sql.fence}) o0"
        )
        return self.profile(inner)

    def opportunities(self):
        count, sql, d = self.counts["opportunities"], self.sql, self.days
        base_customer = self.bases[Customer]
        statuses = ["unassigned", "developing", "succeeded", "failed"]
        table = [(2, [600, 400, 0, 0]), (180, [2, 600, 248, 150]), (d, [0, 50, 550, 400])]
        source = self.with_status(self.dated_customers(count, 320), 301, table)
        status = pick("p.st", statuses)
        stages = self.stages
        weights = [40, 30, 20, 10]
        if stages:
            roll = f"{h('p.g', 302)} % 100"
            branches, total = [], 0
            for stage, weight in zip(stages, weights + [0] * len(stages), strict=False):
                total += weight
                if weight:
                    branches.append(f"WHEN {roll} < {total} THEN {stage.pk}")
            open_stage = f"(CASE {' '.join(branches)} ELSE {stages[-1].pk} END)" if branches else str(stages[0].pk)
            win_rates = " ".join(f"WHEN {stage.pk} THEN {stage.win_rate}" for stage in stages)
            stage = f"(CASE p.st WHEN 0 THEN NULL WHEN 2 THEN {stages[-1].pk} ELSE {open_stage} END)"
            probability = f"(CASE {stage} {win_rates} ELSE 10 END)"
        else:
            stage, probability = "NULL", f"(10 + {h('p.g', 303)} % 80)"
        closed_day = sql.least(f"p.day + 30 + {h('p.g', 304)} % 90", d - 1)
        assigned = self.timestamp(sql.least("p.day + 1", d - 1), 305, "p.g")
        created = self.timestamp("p.day", 306, "p.g")
        values = {
            "created_at": created,
            "updated_at": created,
            "version": "1",
            "source": pick_hashed("p.g", 307, self.sources),
            "owner": "(CASE WHEN p.st = 0 THEN NULL ELSE m.user_id END)",
            "created_by": "m.user_id",
            "customer_name": self.customer_name("p.c"),
            "probability": probability,
            "summary": pick_hashed("p.g", 308, OPPORTUNITY_SUMMARIES),
            "contact": self.person_name("p.g", 309),
            "contact_phone": self.mobile("p.g", 313),
            "description": "'客户有采购意向，需要进一步沟通需求与报价。'",
            "status": status,
            "customer": f"(CASE WHEN p.st > 0 AND {h('p.g', 315)} % 5 > 0 THEN {base_customer} + p.c END)",
            "assigned_at": f"(CASE WHEN p.st > 0 THEN {assigned} END)",
            "assigned_by": "(CASE WHEN p.st > 0 THEN m.superior_id END)",
            "stage": stage,
            "expected_amount": f"(1 + {h('p.g', 316)} % 200) * 5000",
            "expected_close_date": sql.day(f"p.day + 30 + {h('p.g', 317)} % 150"),
            "closed_at": f"(CASE WHEN p.st >= 2 THEN {self.timestamp(closed_day, 318, 'p.g')} END)",
            "close_reason": "(CASE WHEN p.st = 3 THEN '客户选择了其他供应商。' ELSE '' END)",
        }
        self.insert(Opportunity, values, f"({source}) p JOIN gen_manager m ON m.k = p.oi", count)

    SERVICE_STATUSES = ["new", "assigned", "handled", "archived"]

    def service_rounds_of(self, g):
        """How many rounds request ``g`` (status code ``st``) has had: archived after one round or
        after a poor first one; handled waiting for feedback (now and then after a poor round);
        assigned again after a poor round now and then; new none."""
        again = f"{h(g, 420)} % 100"
        return (
            f"(CASE st WHEN 3 THEN 1 + (CASE WHEN {again} < 15 THEN 1 ELSE 0 END) "
            f"WHEN 2 THEN 1 + (CASE WHEN {again} < 10 THEN 1 ELSE 0 END) "
            f"WHEN 1 THEN (CASE WHEN {again} < 20 THEN 1 ELSE 0 END) ELSE 0 END)"
        )

    def service_requests(self):
        count, sql, d = self.counts["service_requests"], self.sql, self.days
        base, base_customer = self.bases[ServiceRequest], self.bases[Customer]
        table = [(1, [400, 300, 200, 100]), (13, [20, 100, 200, 680]), (d, [0, 0, 10, 990])]
        source = self.with_status(self.dated_customers(count, 410), 401, table)
        rounds = f"SELECT r.*, {self.service_rounds_of('r.g')} AS rounds FROM ({source}) r{sql.fence}"
        created = self.timestamp("p.day", 402, "p.g")
        assigned = self.timestamp(sql.least("p.day + 1", d - 1), 406, "p.g")
        values = {
            "id": f"{base} + p.g",
            "created_at": created,
            "updated_at": created,
            "version": "1",
            "customer": f"{base_customer} + p.c",
            "service_type": pick_hashed("p.g", 403, self.service_types),
            "summary": pick_hashed("p.g", 404, SERVICE_SUMMARIES),
            "details": "'客户来电反映的问题，详见摘要。'",
            "status": pick("p.st", self.SERVICE_STATUSES),
            "created_by": "m.user_id",
            "assignee": (
                f"(CASE WHEN p.st = 0 THEN NULL WHEN {h('p.g', 405)} % 5 = 0 THEN m2.user_id ELSE m.user_id END)"
            ),
            "assigned_by": "(CASE WHEN p.st = 0 THEN NULL ELSE m.superior_id END)",
            "assigned_at": f"(CASE WHEN p.st = 0 THEN NULL ELSE {assigned} END)",
            # Rounds get ids base + 2(g - 1) + number (at most two a request), so the latest is known.
            "latest_round": f"(CASE WHEN p.rounds > 0 THEN {self.bases[ServiceRound]} + 2 * (p.g - 1) + p.rounds END)",
            "archived_at": (
                f"(CASE WHEN p.st = 3 THEN {self.timestamp(sql.least('p.day + 3', d - 1), 407, 'p.g')} END)"
            ),
        }
        source = (
            f"({rounds}) p JOIN gen_manager m ON m.k = p.oi "
            f"JOIN gen_manager m2 ON m2.k = {h('p.g', 412)} % {len(self.managers)}"
        )
        self.insert(ServiceRequest, values, source, count)

    def service_rounds(self):
        sql = self.sql
        base, base_round = self.bases[ServiceRequest], self.bases[ServiceRound]
        request = connection.ops.quote_name(ServiceRequest._meta.db_table)
        codes = " ".join(f"WHEN '{status}' THEN {n}" for n, status in enumerate(self.SERVICE_STATUSES))
        with_rounds = (
            f"SELECT r.*, {self.service_rounds_of(f'r.id - {base}')} AS rounds FROM "
            f"(SELECT x.*, (CASE x.status {codes} END) AS st FROM {request} x WHERE x.id > {base}) r"
        )
        last = "n.k = r.rounds"
        handled_at = sql.plus_days("r.assigned_at", "n.k")
        feedback_at = sql.plus_days("r.assigned_at", "n.k + 1")
        has_feedback = f"NOT (r.status = 'handled' AND {last})"
        good = f"(r.status = 'archived' AND {last})"
        values = {
            "id": f"{base_round} + 2 * (r.id - {base} - 1) + n.k",
            "created_at": handled_at,
            "updated_at": handled_at,
            "request": "r.id",
            "number": "n.k",
            "handling": "'已联系客户并处理。'",
            "handled_by": "r.assignee_id",
            "handled_at": handled_at,
            "result": (
                f"(CASE WHEN {has_feedback} THEN (CASE WHEN {good} THEN '客户满意。' "
                "ELSE '客户不满意，需再次处理。' END) ELSE '' END)"
            ),
            "satisfaction": (
                f"(CASE WHEN NOT {has_feedback} THEN NULL WHEN {good} THEN 3 + {h('r.id * 4 + n.k', 421)} % 3 "
                f"ELSE 1 + {h('r.id * 4 + n.k', 422)} % 2 END)"
            ),
            "feedback_by": f"(CASE WHEN {has_feedback} THEN r.created_by_id END)",
            "feedback_at": f"(CASE WHEN {has_feedback} THEN {feedback_at} END)",
        }
        self.insert(ServiceRound, values, f"({with_rounds}) r JOIN {NUMBERS_1_TO_5} n ON n.k <= r.rounds", 1)

    # Targets ---------------------------------------------------------------------------------

    def targets(self):
        """A target per sales user and department per month, near what the data actually sold."""
        orders = Order.objects.filter(pk__gt=self.bases[Order])
        total = orders.aggregate(s=Sum("amount"))["s"] or 0
        months = []
        month = self.start.replace(day=1)
        while month <= self.today:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        by_month = {
            row["m"].strftime("%Y-%m"): row["s"]
            for row in orders.annotate(m=TruncMonth("order_date")).values("m").annotate(s=Sum("amount")).order_by()
        }
        if not by_month and total:
            by_month = {m.strftime("%Y-%m"): total / len(months) for m in months}
        sellers = max(len(self.managers), 1)
        members = {}
        for user in self.sales_users:
            members[user.department_id] = members.get(user.department_id, 0) + 1
        for department in self.departments:
            if department.parent_id is None:
                members[department.pk] = sum(
                    members.get(d.pk, 0) for d in self.departments if d.parent_id == department.pk
                ) + members.get(department.pk, 0)
        rows = []
        for n, month in enumerate(months):
            sold = float(by_month.get(month.strftime("%Y-%m"), 0) or 0)
            per_seller = sold / sellers
            for user in self.sales_users:
                factor = 0.8 + ((user.pk * 31 + n * 17) % 50) / 100
                rows.append(SalesTarget(user=user, month=month, amount=round(per_seller * factor, -3)))
            for department in self.departments:
                factor = 0.9 + ((department.pk * 13 + n * 7) % 30) / 100
                amount = round(per_seller * members.get(department.pk, 1) * factor, -3)
                rows.append(SalesTarget(department=department, month=month, amount=amount))
        SalesTarget.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)

    # Finishing -------------------------------------------------------------------------------

    def reset_sequences(self):
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [Customer, Order, ServiceRequest, ServiceRound]
            ):
                cursor.execute(statement)

    def check_foreign_keys(self):
        """Every foreign key of the tables written set-based points at an existing row."""
        models = [
            Customer,
            Contact,
            Activity,
            ChurnRecord,
            ChurnMeasure,
            Order,
            OrderLine,
            CustomerYearSales,
            OwnerMonthSales,
            Opportunity,
            ServiceRequest,
            ServiceRound,
        ]
        quote_name = connection.ops.quote_name
        problems = []
        for model in models:
            for field in model._meta.concrete_fields:
                if not field.is_relation:
                    continue
                target = field.related_model._meta
                orphans = self.scalar(
                    f"SELECT COUNT(*) FROM {quote_name(model._meta.db_table)} x WHERE x.{quote_name(field.column)} "  # noqa: S608
                    f"IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {quote_name(target.db_table)} y "
                    f"WHERE y.{quote_name(target.pk.column)} = x.{quote_name(field.column)})"
                )
                if orphans:
                    problems.append(f"{model._meta.db_table}.{field.column}: {orphans}")
        if problems:
            raise ValueError("Rows point at missing records: " + "; ".join(problems))

    def analyze(self):
        if self.sql.pg and not connection.in_atomic_block:
            # Also sets the visibility map, as autovacuum would later: index-only scans need it.
            self.execute("VACUUM (ANALYZE)")
        else:
            self.execute("ANALYZE")

    def table_counts(self):
        models = [
            Department,
            User,
            Customer,
            Contact,
            Activity,
            ChurnRecord,
            ChurnMeasure,
            Product,
            Order,
            OrderLine,
            CustomerYearSales,
            OwnerMonthSales,
            Opportunity,
            ServiceRequest,
            ServiceRound,
            SalesTarget,
        ]
        return [(model._meta.db_table, model.objects.count()) for model in models]
