"""Optimistic concurrency: a stale edit is refused, nothing is silently overwritten (Q-4)."""

import threading

import pytest
from django.db import connection, transaction

from crm.accounts.models import Department
from crm.core.concurrency import StaleEditError, save_versioned


@pytest.fixture
def department(db):
    return Department.objects.create(name="Sales")


def test_save_bumps_the_version(department):
    department.name = "Sales North"
    with transaction.atomic():
        save_versioned(department, expected_version=1)
    department.refresh_from_db()
    assert (department.name, department.version) == ("Sales North", 2)


def test_save_from_an_old_version_is_refused_and_changes_nothing(department):
    other = Department.objects.get(pk=department.pk)
    other.name = "First"
    save_versioned(other, expected_version=1)

    department.name = "Second"
    with pytest.raises(StaleEditError) as error:
        save_versioned(department, expected_version=1)
    assert error.value.code == "stale"
    department.refresh_from_db()
    assert (department.name, department.version) == ("First", 2)


@pytest.mark.parametrize("version", [None, "", "abc", "2"])
def test_missing_garbled_or_future_version_is_refused(department, version):
    with pytest.raises(StaleEditError):
        save_versioned(department, expected_version=version)


def test_version_sent_as_text_from_a_form_is_accepted(department):
    save_versioned(department, expected_version="1")
    assert Department.objects.get(pk=department.pk).version == 2


def test_record_deleted_meanwhile_is_refused(department):
    Department.objects.filter(pk=department.pk).delete()
    with pytest.raises(StaleEditError):
        save_versioned(department, expected_version=1)


def test_update_fields_also_save_version_and_timestamp(department):
    before = department.updated_at
    Department.objects.filter(pk=department.pk).update(sort_order=9)
    department.name = "Renamed"
    save_versioned(department, expected_version=1, update_fields=["name"])
    department.refresh_from_db()
    assert department.name == "Renamed"
    assert department.version == 2
    assert department.updated_at > before
    assert department.sort_order == 9  # fields not named are left as stored


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_concurrent_saves_from_one_version_let_exactly_one_win():
    department = Department.objects.create(name="Sales")
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def edit(name):
        copy = Department.objects.get(pk=department.pk)
        copy.name = name
        barrier.wait()
        try:
            with transaction.atomic():
                save_versioned(copy, expected_version=1)
            outcomes.append("saved")
        except StaleEditError:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", "stale"]
    assert Department.objects.get(pk=department.pk).version == 2
