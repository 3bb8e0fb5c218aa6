"""Demo sales-system data: products, stock in three warehouses, three years of orders.

Products and stock go through the importers (the same checks and upsert as a real import).
Orders are written directly as history: they predate any churn warning of the demo, so they
must not close one, which importing them as new orders would do (R-LOST-4). About a quarter
of the customers (those with an open churn record first) get no order in the last six months.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from . import signals
from .importers import ProductImporter, StockImporter
from .models import Order, OrderLine, Product

# key, name, model, batch, unit, price
PRODUCTS = [
    ("P0001", "幸福牌电视机", "818 FFT", "A级", "台", "7500"),
    ("P0002", "幸福牌收音机", "天语007", "", "台", "36"),
    ("P0003", "海龙笔记本电脑", "i60", "", "台", "9800"),
    ("P0004", "海龙笔记本电脑", "i61", "", "台", "16800"),
    ("P0005", "幸福牌电视机", "818 FFT", "B级", "台", "6900"),
    ("P0006", "幸福牌洗衣机", "XQB60", "2025批", "台", "2300"),
    ("P0007", "幸福牌冰箱", "BCD-201", "2025批", "台", "3200"),
    ("P0008", "幸福牌空调", "KFR-35GW", "", "台", "3600"),
    ("P0009", "海龙台式电脑", "D30", "", "台", "5600"),
    ("P0010", "海龙显示器", "M24", "", "台", "1200"),
    ("P0011", "海龙激光打印机", "P10", "", "台", "1800"),
    ("P0012", "海龙投影仪", "V5", "", "台", "4500"),
    ("P0013", "海龙服务器", "S200", "", "台", "28000"),
    ("P0014", "海龙键鼠套装", "K1", "", "套", "120"),
]
WAREHOUSES = [("北京-西直门库", "EC"), ("上海-浦东库", "PD"), ("广州-白云库", "BY")]
ADDRESSES = [
    "北京市海淀区西直门北大街 32 号",
    "上海市浦东新区张江路 88 号",
    "广州市白云区机场路 1 号",
    "天津市河西区友谊路 5 号",
]


def _load(importer, rows):
    present = set(rows[0])
    if not importer.check(list(enumerate(rows, start=1)), present):
        raise RuntimeError(f"demo {importer.kind} rejected: {importer.errors[:3]}")
    return importer.apply()


def seed(stdout):
    _load(
        ProductImporter(),
        [{"product_key": k, "name": n, "model": m, "batch": b, "unit": u, "price": p} for k, n, m, b, u, p in PRODUCTS],
    )
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data
    stock = []
    for index, (key, *_rest) in enumerate(PRODUCTS):
        for warehouse_no, (warehouse, code) in enumerate(WAREHOUSES):
            if (index + warehouse_no) % 3 == 2:
                continue
            stock.append(
                {
                    "stock_key": f"S-{key}-{code}",
                    "product_key": key,
                    "warehouse": warehouse,
                    "location": f"{code}-{chr(65 + index % 6)}{1 + warehouse_no + index % 4}",
                    "quantity": rng.randint(0, 400),
                }
            )
    _load(StockImporter(), stock)
    created = _seed_orders(stdout)
    stdout.write(f"Catalog: {len(PRODUCTS)} products, {len(stock)} stock rows, {created} orders.\n")


def _silent_customers(customers):
    """A quarter of the customers, those with an open churn record first."""
    try:
        from crm.customers.models import ChurnRecord

        churning = set(
            ChurnRecord.objects.filter(status__in=ChurnRecord.OPEN_STATUSES).values_list("customer_id", flat=True)
        )
    except ImportError:
        churning = set()
    wanted = max(len(customers) // 4, len(churning & {c.pk for c in customers}))
    ordered = sorted(customers, key=lambda c: (c.pk not in churning, c.pk % 4 != 3, c.pk))
    return {c.pk for c in ordered[:wanted]}


def _seed_orders(stdout):
    from crm.customers.models import Customer

    # Seeded once: customers added later (e.g. by the sales demo, which runs after this one) get
    # no invented history, so running the seed again changes nothing.
    if Order.objects.filter(external_key__startswith="DEMO-").exists():
        return 0
    customers = list(Customer.objects.order_by("pk"))
    if not customers:
        return 0
    silent = _silent_customers(customers)
    products = list(Product.objects.order_by("external_key"))
    today = timezone.localdate()
    orders, lines = [], []
    for customer in customers:
        rng = random.Random(f"orders-{customer.number}")  # noqa: S311 - reproducible demo data
        count = rng.randint(3, 10)
        if customer.pk in silent:
            ages = [rng.randint(200, 3 * 365) for _ in range(count)]
        else:
            ages = [rng.randint(5, 150)] + [rng.randint(5, 3 * 365) for _ in range(count - 1)]
        for seq, age in enumerate(sorted(ages, reverse=True), start=1):
            date = today - datetime.timedelta(days=age)
            number = f"DD{date:%Y%m%d}{customer.pk % 1000:03d}{seq:02d}"
            status = Order.Status.PAID if age > 60 else rng.choice([Order.Status.SHIPPED, Order.Status.UNPAID])
            order = Order(
                external_key=f"DEMO-{customer.number}-{seq:02d}",
                number=number,
                customer=customer,
                order_date=date,
                delivery_address=rng.choice(ADDRESSES),
                status=status,
            )
            orders.append(order)
            for line_no, product in enumerate(rng.sample(products, rng.randint(1, 4)), start=1):
                lines.append(
                    (
                        order,
                        OrderLine(
                            line_no=line_no,
                            product=product,
                            quantity=Decimal(rng.choice([1, 2, 3, 5, 10, 20])),
                            unit=product.unit,
                            unit_price=product.price,
                        ),
                    )
                )
    Order.objects.bulk_create(orders, batch_size=500)
    ids = dict(Order.objects.filter(external_key__startswith="DEMO-").values_list("external_key", "id"))
    for order, line in lines:
        line.order_id = ids[order.external_key]
    OrderLine.objects.bulk_create([line for _order, line in lines], batch_size=1000)
    Order.objects.filter(external_key__startswith="DEMO-").refresh_amounts()
    signals.orders_changed.send(sender=Order, customer_ids={customer.pk for customer in customers})
    return len(orders)
