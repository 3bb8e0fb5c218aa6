"""Signals other modules follow without the customers module knowing them."""

from django.dispatch import Signal

# Sent inside the transfer's transaction with ``owner_ids``: every previous and the new owner.
# The order rollups per owner (crm.reports.rollups) follow the customers to their new owner.
customers_transferred = Signal()
