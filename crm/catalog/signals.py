"""Events the catalog publishes about orders; other apps subscribe without the catalog knowing them.

Two kinds, for two guarantees:

- ``orders_changed`` is sent **synchronously inside** the transaction that wrote orders (the
  import, the demo), with ``customer_ids``: every customer an order moved from or to. Receivers
  keep data derived from orders (the reports' rollups) in the same transaction: should one fail,
  the whole import rolls back, so derived data never disagrees with the orders.
- ``orders_imported`` is sent **after the import committed** (``transaction.on_commit``), with
  ``customer_ids``: the customers who received a new order. Receivers react to the business fact
  (customers closes their open churn warnings, R-LOST-4) and may return a dict of figures that
  the import run records in its ``details``; a failing receiver no longer undoes the import (it
  is logged).
"""

import logging

from django.db import transaction
from django.dispatch import Signal

orders_changed = Signal()
orders_imported = Signal()

logger = logging.getLogger(__name__)


def announce_orders_imported(*, customer_ids, run=None):
    """Send ``orders_imported`` (on commit: call this inside the import's transaction).

    Each receiver's dict answer is added to ``run.details`` (e.g. ``churn_closed``).
    """
    customer_ids = frozenset(customer_ids)
    if not customer_ids:
        return

    def send():
        details = {}
        for receiver, answer in orders_imported.send_robust(sender=orders_imported, customer_ids=customer_ids):
            if isinstance(answer, Exception):
                logger.error("orders_imported receiver %r failed", receiver, exc_info=answer)
            elif isinstance(answer, dict):
                details.update(answer)
        if run is not None and run.pk and details:
            run.details = {**run.details, **details}
            type(run).objects.filter(pk=run.pk).update(details=run.details)

    transaction.on_commit(send)
