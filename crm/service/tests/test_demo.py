import io

import pytest
from django.db.models import Count

from crm.accounts import demo as accounts_demo
from crm.customers.models import Customer
from crm.customers.tests.factories import CustomerFactory
from crm.service import demo
from crm.service.models import ServiceRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_company():
    accounts_demo.seed(io.StringIO())
    from crm.accounts.models import User

    for index, username in enumerate(["liqiang", "wangfang", "sunli", "liqiang", "wangfang"]):
        CustomerFactory(owner=User.objects.get(username=username), number=f"KH20260101{index:04d}")


def test_demo_seeds_requests_in_every_status_once(demo_company):
    demo.seed(io.StringIO())
    counts = dict(ServiceRequest.objects.values_list("status").annotate(n=Count("id")))
    assert set(counts) == set(ServiceRequest.Status.values)
    assert sum(counts.values()) == len(demo.SAMPLES)
    two_rounds = ServiceRequest.objects.annotate(n=Count("rounds")).get(n=2)
    assert two_rounds.status == ServiceRequest.Status.ARCHIVED
    assert list(two_rounds.rounds.order_by("number").values_list("satisfaction", flat=True)) == [2, 4]
    # Spread in time, rounds after their request.
    assert ServiceRequest.objects.values("created_at__date").distinct().count() > 10
    for request in ServiceRequest.objects.exclude(latest_round=None).select_related("latest_round"):
        assert request.latest_round.handled_at > request.created_at

    demo.seed(io.StringIO())
    assert ServiceRequest.objects.count() == len(demo.SAMPLES)  # idempotent


def test_demo_seeds_nothing_without_customers():
    accounts_demo.seed(io.StringIO())
    assert not Customer.objects.exists()
    demo.seed(io.StringIO())
    assert not ServiceRequest.objects.exists()
