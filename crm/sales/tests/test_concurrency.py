"""Opportunity transitions under concurrent requests (real transactions; PostgreSQL only)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role
from crm.core.concurrency import STALE_MESSAGE
from crm.sales import services
from crm.sales.models import Opportunity

from .factories import developing

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections"),
]


def test_of_two_concurrent_reassignments_from_one_version_exactly_one_wins(team):
    opportunity = developing(team.rep, by=team.boss)
    third = user_with_role(Role.Key.ACCOUNT_MANAGER, username="third", department=team.department)
    version = opportunity.version
    done, refused = [], []
    start = threading.Barrier(2)

    def reassign(to):
        try:
            translation.activate("en")
            start.wait()
            stale_copy = Opportunity.objects.get(pk=opportunity.pk)
            done.append(services.reassign_opportunity(stale_copy, to=to, by=team.boss, expected_version=version))
        except ValidationError as error:
            refused.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reassign, args=(to,)) for to in (team.peer, third)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert len(done) == 1 and refused == [str(STALE_MESSAGE)]
    assert (stored.owner, stored.version) == (done[0].owner, version + 1)


def test_two_concurrent_failures_close_the_opportunity_once(team):
    opportunity = developing(team.rep)
    outcomes = []
    start = threading.Barrier(2)

    def fail():
        try:
            translation.activate("en")
            start.wait()
            services.fail_opportunity(Opportunity.objects.get(pk=opportunity.pk), by=team.rep, reason="预算取消")
            outcomes.append("closed")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fail) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [
        "This opportunity is closed (“Failed”); its plan and history are read-only.",
        "closed",
    ]
    assert Opportunity.objects.get(pk=opportunity.pk).version == opportunity.version + 1
