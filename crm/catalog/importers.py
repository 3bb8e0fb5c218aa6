"""Importers of sales-system data (R-DATA-4): one per kind, the same for files and for the API.

An importer reads rows (``{column: raw value}`` with the row's number), checks every cell and
every reference and collects row errors (row number, column, message). Only a batch without
a single error is applied: in one transaction, as an upsert by the sales system's keys
(``INSERT … ON CONFLICT (key) DO UPDATE`` through ``bulk_create(update_conflicts=True)``). Rows
equal to what is stored are not written at all, so importing the same data twice changes
nothing. A column missing from the file leaves that field of existing records untouched.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.core.spreadsheets import Formula

from . import signals
from .models import Order, OrderLine, Product, Stock

CHUNK = 500  # keys per IN (…) lookup; stays under SQLite's parameter limit
INVALID = object()  # a cell that failed its check (the row error is already recorded)
BATCH = 1000  # rows per INSERT statement


class CellError(Exception):
    pass


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    required: bool = True  # the column must be in the file; whether a cell may be empty is the cleaner's rule
    aliases: tuple = ()
    example: str = ""
    help: object = ""


@dataclass
class RowError:
    row: int
    column: str
    message: str
    value: str = ""

    def as_list(self):
        return [self.row, self.column, str(self.message), self.value]


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: dict = field(default_factory=dict)
    new_order_customer_ids: frozenset = frozenset()  # customers who received a new order


# Cell cleaners: each returns the value or raises CellError with a message for the user. --------


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _no_formula(value):
    if isinstance(value, Formula):
        raise CellError(
            _("The cell holds a formula (%(formula)s); formulas are not evaluated. Paste the value instead.")
            % {"formula": value.text}
        )


def clean_text(value, *, max_length, required=False):
    _no_formula(value)
    if _blank(value):
        if required:
            raise CellError(_("This value is required."))
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a key typed as a number in Excel comes back as 1001.0
    elif isinstance(value, datetime.datetime):
        value = value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    result = str(value).strip()
    if len(result) > max_length:
        raise CellError(
            _("At most %(max)d characters are allowed (this value has %(length)d).")
            % {"max": max_length, "length": len(result)}
        )
    return result


# Every numeric column of the import is far below this; a larger number is refused before any
# arithmetic, so exponents like 1e30 or 1e999999999 never reach quantize() or int().
NUMBER_CEILING = Decimal(10) ** 18
HUGE_EXPONENT = re.compile(r"\+?\d*\.?\d+[eE]\+?\d+")


def parse_number(value):
    """The import's one reading of a number cell: a finite ``Decimal`` below 10^18, or CellError.

    Accepts what spreadsheets and the sales system send (7500, 7500.00, "7,500.5", floats from
    XLSX, numbers or strings from JSON); refuses NaN, infinities and anything too large with the
    row error the import gives for any other bad number. -0 reads as 0.
    """
    _no_formula(value)
    if _blank(value):
        raise CellError(_("This value is required."))
    if isinstance(value, (bool, datetime.date, datetime.datetime)):
        raise CellError(_("Enter a number."))
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        if HUGE_EXPONENT.fullmatch(text):  # 1e9999999999999999999: beyond even Decimal's exponents
            raise CellError(_("The number is too large."))
        raise CellError(_("Enter a number."))
    if not number.is_finite():
        raise CellError(_("Enter a number."))
    if number.copy_abs() >= NUMBER_CEILING:
        raise CellError(_("The number is too large."))
    return number.copy_abs() if number.is_zero() else number


def clean_decimal(value, *, max_digits, places):
    number = parse_number(value)
    if number < 0:
        raise CellError(_("Must not be negative."))
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step, rounding="ROUND_DOWN"):
        raise CellError(_("At most %(places)d decimal places are allowed.") % {"places": places})
    if number >= Decimal(10) ** (max_digits - places):
        raise CellError(_("The number is too large."))
    return number.quantize(step)


def clean_count(value, *, maximum=2_147_483_647):
    number = parse_number(value)
    if number < 0:
        raise CellError(_("Must not be negative."))
    if number != number.to_integral_value():
        raise CellError(_("Enter a whole number."))
    if number > maximum:
        raise CellError(_("The number is too large."))
    return int(number)


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def clean_date(value):
    _no_formula(value)
    if _blank(value):
        raise CellError(_("This value is required."))
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if len(text) > 10 and text[10] in " T":
        text = text[:10]  # "2024-05-06 00:00:00" as spreadsheets write dates
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("Enter a date as YYYY-MM-DD."))


TRUE_WORDS = {"1", "true", "yes", "y", "t", "是", "有效", "启用", "在售"}
FALSE_WORDS = {"0", "false", "no", "n", "f", "否", "无效", "停用", "停售"}


def clean_flag(value):
    _no_formula(value)
    if _blank(value):
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("Enter 1 (active) or 0 (inactive)."))


# The sales system's words for an order's status, next to our own values.
STATUS_WORDS = {
    Order.Status.UNPAID: ("unpaid", "未回款", "未付款"),
    Order.Status.SHIPPED: ("shipped", "已发货"),
    Order.Status.PAID: ("paid", "已回款", "已付款"),
}
_STATUS_LOOKUP = {word.lower(): status for status, words in STATUS_WORDS.items() for word in words}


def clean_status(value):
    _no_formula(value)
    if _blank(value):
        raise CellError(_("This value is required."))
    status = _STATUS_LOOKUP.get(str(value).strip().lower())
    if status is None:
        raise CellError(
            _("Unknown status. Use one of: %(choices)s.")
            % {"choices": ", ".join(w for ws in STATUS_WORDS.values() for w in ws)}
        )
    return status


def _raw(value):
    if isinstance(value, Formula):
        return value.text
    return "" if value is None else str(value)[:200]


def _chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def fetch(queryset, field_name, keys, *fields):
    """``queryset.filter(field__in=keys).values(*fields)``, in chunks."""
    for chunk in _chunks(keys):
        yield from queryset.filter(**{f"{field_name}__in": chunk}).values(*fields)


def fetch_pairs(queryset, field_name, keys, value_field):
    """(key, value) pairs of the records whose ``field_name`` is in ``keys``."""
    for row in fetch(queryset, field_name, keys, field_name, value_field):
        yield row[field_name], row[value_field]


def upsert(model, records, existing, *, fields, unique_fields):
    """Write new and changed records in one ``INSERT … ON CONFLICT … DO UPDATE`` per batch.

    ``records`` and ``existing`` map a record's key to its field values; a record equal to the
    stored one on ``fields`` is skipped. Returns (created, updated, keys written).
    """
    created = updated = 0
    objects, written = [], []
    for key, values in records.items():
        stored = existing.get(key)
        if stored is None:
            created += 1
        elif all(stored[name] == values[name] for name in fields):
            continue
        else:
            updated += 1
        objects.append(model(**values))
        written.append(key)
    if objects:
        update_fields = list(fields)
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            update_fields.append("updated_at")
        model.objects.bulk_create(
            objects,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=unique_fields,
            update_fields=update_fields,
        )
    return created, updated, written


# Importers ---------------------------------------------------------------------------------------


class Importer:
    """Checks rows of one kind, then (only when every row is valid) applies them."""

    kind = ""
    label = ""
    columns: tuple = ()
    key_column = ""

    def __init__(self):
        self.errors: list[RowError] = []
        self.row_count = 0
        self.present: set = set()
        self.records = {}  # key -> (row number, record), for the kinds keyed by one column

    # Columns

    @classmethod
    def column_names(cls):
        """Every accepted header (key, alias), normalised, mapped to the column key."""
        names = {}
        for column in cls.columns:
            for name in (column.key, *column.aliases):
                names[normalise_header(name)] = column.key
        return names

    @classmethod
    def map_header(cls, header):
        """Column key -> position in the header; raises ValidationError for missing or repeated columns."""
        names = cls.column_names()
        positions, repeated = {}, []
        for position, title in enumerate(header):
            key = names.get(normalise_header(title))
            if key is None:
                continue
            if key in positions:
                repeated.append(str(title))
            positions[key] = position
        missing = [column for column in cls.columns if column.required and column.key not in positions]
        problems = []
        if missing:
            problems.append(
                _("Missing columns: %(columns)s.")
                % {"columns": ", ".join(f"{column.key} ({column.label})" for column in missing)}
            )
        if repeated:
            problems.append(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(repeated)})
        if problems:
            raise ValidationError(" ".join(problems), code="columns")
        return positions

    # Checking

    def error(self, row, column, message, value=None):
        self.errors.append(RowError(row, column, message, _raw(value)))

    def cell(self, row, data, column, cleaner, **options):
        """The cleaned value of one cell, or ``INVALID`` after recording the row error."""
        value = data.get(column)
        try:
            return cleaner(value, **options)
        except CellError as problem:
            self.error(row, column, str(problem), value)
            return INVALID

    def check(self, rows, present):
        """Check ``rows`` (iterable of ``(row number, {column: value})``); fills ``self.errors``."""
        self.present = set(present)
        first_row_of = {}
        for number, data in rows:
            self.row_count += 1
            record = self.clean_row(number, data)
            if record is None:
                continue
            key = self.key_of(record)
            if key in first_row_of:
                self.error(
                    number,
                    self.key_column,
                    _("Duplicate key: this row repeats row %(row)d.") % {"row": first_row_of[key]},
                    data.get(self.key_column),
                )
                continue
            first_row_of[key] = number
            self.add_record(number, key, record)
        if self.row_count == 0:
            raise ValidationError(_("There are no data rows to import."), code="empty")
        self.resolve()
        self.errors.sort(key=lambda e: (e.row, e.column))
        return not self.errors

    def clean_row(self, number, data):
        raise NotImplementedError

    def key_of(self, record):
        return record["external_key"]

    def add_record(self, number, key, record):
        self.records[key] = (number, record)

    def resolve(self):
        """Check references to other records (products, customers) in bulk."""

    def has(self, column):
        return column in self.present

    # Applying

    def apply(self):
        raise NotImplementedError


def normalise_header(title):
    return str(title or "").strip().lower().replace(" ", "_").lstrip("\ufeff")


def _valid(values):
    return all(value is not INVALID for value in values.values())


class ProductImporter(Importer):
    kind = "products"
    label = gettext_lazy("Products")
    key_column = "product_key"
    columns = (
        Column(
            "product_key",
            gettext_lazy("Product key"),
            aliases=("external_key", "产品编号", "产品代码"),
            example="P-0001",
            help=gettext_lazy("The product's key in the sales system; imports update the product with this key."),
        ),
        Column("name", gettext_lazy("Name"), aliases=("产品名称", "名称", "品名"), example="幸福牌电视机"),
        Column("model", gettext_lazy("Model"), required=False, aliases=("型号",), example="818 FFT"),
        Column(
            "batch", gettext_lazy("Grade/batch"), required=False, aliases=("等级/批次", "批次", "等级"), example="A级"
        ),
        Column("unit", gettext_lazy("Unit"), required=False, aliases=("单位",), example="台"),
        Column(
            "price",
            gettext_lazy("Price"),
            aliases=("单价", "价格"),
            example="7500.00",
            help=gettext_lazy("Not negative, at most 2 decimal places."),
        ),
        Column("remark", gettext_lazy("Remark"), required=False, aliases=("备注",)),
        Column(
            "active",
            gettext_lazy("Active"),
            required=False,
            aliases=("有效", "是否有效", "启用"),
            example="1",
            help=gettext_lazy("1 or 0 (also yes/no, 是/否); empty means active."),
        ),
    )
    # column -> (model field, cleaner, options)
    fields = {
        "name": ("name", clean_text, {"max_length": 100, "required": True}),
        "model": ("model", clean_text, {"max_length": 100}),
        "batch": ("batch", clean_text, {"max_length": 100}),
        "unit": ("unit", clean_text, {"max_length": 20}),
        "price": ("price", clean_decimal, {"max_digits": 14, "places": 2}),
        "remark": ("remark", clean_text, {"max_length": 500}),
        "active": ("active", clean_flag, {}),
    }

    def clean_row(self, number, data):
        record = {"external_key": self.cell(number, data, "product_key", clean_text, max_length=64, required=True)}
        for column, (name, cleaner, options) in self.fields.items():
            if self.has(column):
                record[name] = self.cell(number, data, column, cleaner, **options)
        return record if _valid(record) else None

    def update_fields(self):
        return [name for column, (name, _c, _o) in self.fields.items() if self.has(column)]

    def apply(self):
        names = self.update_fields()
        records = {key: record for key, (_row, record) in self.records.items()}
        existing = {
            row["external_key"]: row for row in fetch(Product.objects, "external_key", records, "external_key", *names)
        }
        created, updated, _written = upsert(Product, records, existing, fields=names, unique_fields=["external_key"])
        return Outcome(created, updated, len(records) - created - updated)


class StockImporter(Importer):
    kind = "stock"
    label = gettext_lazy("Stock")
    key_column = "stock_key"
    columns = (
        Column(
            "stock_key",
            gettext_lazy("Stock key"),
            aliases=("external_key", "库存编号"),
            example="S-0001",
            help=gettext_lazy("The stock row's key in the sales system."),
        ),
        Column(
            "product_key",
            gettext_lazy("Product key"),
            aliases=("产品编号", "产品代码"),
            example="P-0001",
            help=gettext_lazy("A product already imported."),
        ),
        Column("warehouse", gettext_lazy("Warehouse"), aliases=("仓库",), example="北京-西直门库"),
        Column("location", gettext_lazy("Location"), required=False, aliases=("货位",), example="EC-D2"),
        Column(
            "quantity",
            gettext_lazy("Quantity"),
            aliases=("件数", "数量"),
            example="120",
            help=gettext_lazy("A whole number, not negative."),
        ),
        Column("remark", gettext_lazy("Remark"), required=False, aliases=("备注",)),
    )

    def clean_row(self, number, data):
        record = {
            "external_key": self.cell(number, data, "stock_key", clean_text, max_length=64, required=True),
            "product_key": self.cell(number, data, "product_key", clean_text, max_length=64, required=True),
            "warehouse": self.cell(number, data, "warehouse", clean_text, max_length=100, required=True),
            "quantity": self.cell(number, data, "quantity", clean_count),
        }
        if self.has("location"):
            record["location"] = self.cell(number, data, "location", clean_text, max_length=50)
        if self.has("remark"):
            record["remark"] = self.cell(number, data, "remark", clean_text, max_length=500)
        return record if _valid(record) else None

    def resolve(self):
        keys = {record["product_key"] for _row, record in self.records.values()}
        products = dict(fetch_pairs(Product.objects, "external_key", keys, "id"))
        for number, record in self.records.values():
            key = record.pop("product_key")
            record["product_id"] = products.get(key)
            if record["product_id"] is None:
                self.error(number, "product_key", _("Unknown product key; import the product first."), key)

    def apply(self):
        names = ["product_id", "warehouse", "quantity"] + [c for c in ("location", "remark") if self.has(c)]
        records = {key: record for key, (_row, record) in self.records.items()}
        existing = {
            row["external_key"]: row for row in fetch(Stock.objects, "external_key", records, "external_key", *names)
        }
        created, updated, _written = upsert(Stock, records, existing, fields=names, unique_fields=["external_key"])
        return Outcome(created, updated, len(records) - created - updated)


class OrderImporter(Importer):
    """Orders with their lines, one row per line; the order's columns repeat on each of its lines.

    An order in the batch is complete: its lines replace the stored ones (a line no longer sent
    is removed). Data derived from orders follows in the same transaction (``orders_changed``); once
    the import committed, customers who received a new order are announced (``orders_imported``),
    which closes their open churn records (R-LOST-4).
    """

    kind = "orders"
    label = gettext_lazy("Orders")
    key_column = "line_no"
    columns = (
        Column(
            "order_key",
            gettext_lazy("Order key"),
            aliases=("订单主键",),
            example="O-2024-0001",
            help=gettext_lazy("The order's key in the sales system; repeated on each line of the order."),
        ),
        Column("order_number", gettext_lazy("Order number"), aliases=("订单编号", "订单号"), example="DD20240506001"),
        Column(
            "customer_number",
            gettext_lazy("Customer number"),
            aliases=("客户编号",),
            example="KH20240101001",
            help=gettext_lazy("The number of a customer in the CRM."),
        ),
        Column(
            "order_date",
            gettext_lazy("Order date"),
            aliases=("订单日期", "日期"),
            example="2024-05-06",
            help=gettext_lazy("YYYY-MM-DD (also YYYY/MM/DD)."),
        ),
        Column(
            "delivery_address",
            gettext_lazy("Delivery address"),
            required=False,
            aliases=("送货地址",),
            example="北京市海淀区西直门北大街 1 号",
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            aliases=("状态", "订单状态"),
            example="已发货",
            help=gettext_lazy("unpaid / shipped / paid (also 未回款 / 已发货 / 已回款)."),
        ),
        Column(
            "line_no",
            gettext_lazy("Line"),
            aliases=("行号", "序号"),
            example="1",
            help=gettext_lazy("The line's number within its order, 1, 2, …"),
        ),
        Column("product_key", gettext_lazy("Product key"), aliases=("产品编号", "产品代码"), example="P-0001"),
        Column(
            "quantity",
            gettext_lazy("Quantity"),
            aliases=("数量",),
            example="2",
            help=gettext_lazy("Not negative, at most 2 decimal places."),
        ),
        Column(
            "unit",
            gettext_lazy("Unit"),
            required=False,
            aliases=("单位",),
            example="台",
            help=gettext_lazy("Empty means the product's unit."),
        ),
        Column("unit_price", gettext_lazy("Unit price"), aliases=("单价",), example="7500.00"),
    )

    def __init__(self):
        super().__init__()
        self.orders = {}
        self.customers = {}

    def clean_row(self, number, data):
        order = {
            "external_key": self.cell(number, data, "order_key", clean_text, max_length=64, required=True),
            "order_number": self.cell(number, data, "order_number", clean_text, max_length=50, required=True),
            "customer_number": self.cell(number, data, "customer_number", clean_text, max_length=50, required=True),
            "order_date": self.cell(number, data, "order_date", clean_date),
            "status": self.cell(number, data, "status", clean_status),
        }
        if self.has("delivery_address"):
            order["delivery_address"] = self.cell(number, data, "delivery_address", clean_text, max_length=255)
        line = {
            "line_no": self.cell(number, data, "line_no", clean_count, maximum=1_000_000),
            "product_key": self.cell(number, data, "product_key", clean_text, max_length=64, required=True),
            "quantity": self.cell(number, data, "quantity", clean_decimal, max_digits=12, places=2),
            "unit": self.cell(number, data, "unit", clean_text, max_length=20) if self.has("unit") else "",
            "unit_price": self.cell(number, data, "unit_price", clean_decimal, max_digits=14, places=2),
        }
        if not (_valid(order) and _valid(line)):
            return None
        if line["quantity"] * line["unit_price"] >= Decimal(10) ** 12:
            self.error(
                number, "quantity", _("The line amount (quantity × unit price) is too large."), data.get("quantity")
            )
            return None
        return {"order": order, "line": line}

    def key_of(self, record):
        return record["order"]["external_key"], record["line"]["line_no"]

    def add_record(self, number, key, record):
        order = record["order"]
        entry = self.orders.get(order["external_key"])
        if entry is None:
            self.orders[order["external_key"]] = {"row": number, "order": order, "lines": {}}
            entry = self.orders[order["external_key"]]
        else:
            differing = [name for name in order if order[name] != entry["order"][name]]
            if differing:
                column = differing[0]
                self.error(
                    number,
                    column,
                    _(
                        "Differs from row %(row)d of the same order; "
                        "an order's columns must be the same on each of its lines."
                    )
                    % {"row": entry["row"]},
                    order[column],
                )
                return
        entry["lines"][record["line"]["line_no"]] = (number, record["line"])

    def resolve(self):
        from crm.customers.models import Customer

        numbers = {entry["order"]["customer_number"] for entry in self.orders.values()}
        for chunk in _chunks(numbers):
            for customer in Customer.objects.filter(number__in=chunk).only("id", "number", "owner_id"):
                self.customers[customer.number] = customer
        keys = {line["product_key"] for entry in self.orders.values() for _row, line in entry["lines"].values()}
        products = {
            row["external_key"]: row
            for row in fetch(Product.objects, "external_key", keys, "id", "external_key", "unit")
        }
        for entry in self.orders.values():
            order = entry["order"]
            customer_number = order.pop("customer_number")
            customer = self.customers.get(customer_number)
            if customer is None:
                self.error(entry["row"], "customer_number", _("Unknown customer number."), customer_number)
            order["customer_id"] = customer.pk if customer else None
            order["number"] = order.pop("order_number")
            for number, line in entry["lines"].values():
                product = products.get(line["product_key"])
                if product is None:
                    self.error(
                        number, "product_key", _("Unknown product key; import the product first."), line["product_key"]
                    )
                    continue
                line["product_id"] = product["id"]
                line["unit"] = line["unit"] or product["unit"]
                del line["product_key"]

    def apply(self):
        order_fields = ["number", "customer_id", "order_date", "status"]
        if self.has("delivery_address"):
            order_fields.append("delivery_address")
        orders = {key: entry["order"] for key, entry in self.orders.items()}
        existing = {
            row["external_key"]: row
            for row in fetch(Order.objects, "external_key", orders, "id", "external_key", *order_fields)
        }
        created, _updated, written = upsert(
            Order, orders, existing, fields=order_fields, unique_fields=["external_key"]
        )

        ids = {key: row["id"] for key, row in existing.items()}
        new_keys = [key for key in orders if key not in existing]
        ids.update(fetch_pairs(Order.objects, "external_key", new_keys, "id"))

        line_fields = ["product_id", "quantity", "unit", "unit_price"]
        lines = {}
        for key, entry in self.orders.items():
            for line_no, (_row, line) in entry["lines"].items():
                lines[ids[key], line_no] = {"order_id": ids[key], "line_no": line_no, **line}
        stored = {
            (row["order_id"], row["line_no"]): row
            for row in fetch(
                OrderLine.objects, "order_id", [ids[key] for key in existing], "id", "order_id", "line_no", *line_fields
            )
        }
        lines_created, lines_updated, lines_written = upsert(
            OrderLine, lines, stored, fields=line_fields, unique_fields=["order", "line_no"]
        )
        stale = {key: row for key, row in stored.items() if key not in lines}
        for chunk in _chunks([row["id"] for row in stale.values()]):
            OrderLine.objects.filter(id__in=chunk).delete()

        for chunk in _chunks(list(ids.values())):
            Order.objects.filter(id__in=chunk).refresh_amounts()
        # Customers an order moved from count too: data derived from their orders loses it.
        moved_from = {row["customer_id"] for row in existing.values()}
        signals.orders_changed.send(
            sender=Order, customer_ids=moved_from | {order["customer_id"] for order in orders.values()}
        )

        existing_ids = {ids[key] for key in existing}
        changed = (
            {ids[key] for key in written}
            | {order_id for order_id, _no in lines_written}
            | {order_id for order_id, _no in stale}
        )
        updated = len(changed & existing_ids)
        return Outcome(
            created,
            updated,
            len(orders) - created - updated,
            details={
                "lines_created": lines_created,
                "lines_updated": lines_updated,
                "lines_deleted": len(stale),
            },
            new_order_customer_ids=frozenset(orders[key]["customer_id"] for key in new_keys),
        )


IMPORTERS = {importer.kind: importer for importer in (ProductImporter, StockImporter, OrderImporter)}
