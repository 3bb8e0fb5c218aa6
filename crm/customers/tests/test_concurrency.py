"""Customer numbers under concurrent creation (real transactions; PostgreSQL only)."""

import datetime
import threading

import pytest
from django.db import connection, connections

from crm.customers import services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections"),
]


def test_concurrent_creations_never_share_a_number():
    day = datetime.date(2026, 7, 1)
    numbers, errors = [], []
    start = threading.Barrier(8)

    def take():
        try:
            start.wait()
            for _ in range(5):
                numbers.append(services.next_customer_number(day))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert max(numbers) == "KH202607010040"
