import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.accounts.models import Role
from crm.accounts.tests.factories import UserFactory, user_with_role
from crm.customers import services
from crm.customers.models import ChurnRecord, Contact, Customer, CustomerNumberCounter
from crm.dictionary.models import DictType

from .factories import ActivityFactory, ChurnRecordFactory, ContactFactory, CustomerFactory, dict_item

pytestmark = pytest.mark.django_db


def complete_fields(**overrides):
    fields = {
        "name": "北京华信科技有限公司",
        "region": dict_item(DictType.REGION),
        "grade": dict_item(DictType.CUSTOMER_GRADE),
        "satisfaction": 4,
        "credit": 5,
        "address": "北京市朝阳区建国路88号",
        "post_code": "100022",
        "phone": "010-65001234",
        "fax": "010-65001235",
        "website": "www.huaxin.example.com",
        "legal_representative": "刘华",
        "bank": "招商银行北京分行",
        "bank_account": "110901234567",
        "registered_capital": Decimal("500.00"),
    }
    return fields | overrides


# Creating ------------------------------------------------------------------------------------


def test_create_customer_numbers_follow_the_daily_counter(account_manager):
    today = timezone.localdate()
    first = services.create_customer(by=account_manager, **complete_fields())
    second = services.create_customer(by=account_manager, **complete_fields(name="上海明远贸易有限公司"))
    assert first.number == f"KH{today:%Y%m%d}0001"
    assert second.number == f"KH{today:%Y%m%d}0002"
    assert CustomerNumberCounter.objects.get(day=today).last == 2
    assert first.owner == account_manager and first.created_by == account_manager
    assert first.status == Customer.Status.NORMAL


def test_number_counter_starts_again_each_day_and_ignores_deleted_rows():
    day = datetime.date(2026, 3, 1)
    assert services.next_customer_number(day) == "KH202603010001"
    # A customer removed from the table must not make the next number collide (no count()+1).
    Customer.objects.all().delete()
    assert services.next_customer_number(day) == "KH202603010002"
    assert services.next_customer_number(day + datetime.timedelta(days=1)) == "KH202603020001"


def test_create_customer_requires_the_edit_forms_fields(account_manager):
    with pytest.raises(ValidationError) as error:
        services.create_customer(by=account_manager, name="  ", phone="010-1")
    missing = set(error.value.message_dict)
    assert {"name", "region", "grade", "satisfaction", "credit", "address", "bank", "bank_account"} <= missing
    assert "phone" not in missing
    assert not Customer.objects.exists()


def test_incomplete_customer_from_another_module_lists_what_is_missing(account_manager):
    customer = services.create_customer(by=account_manager, require_complete=False, name="深圳新锐电子有限公司")
    missing = [name for name, _label in services.missing_fields(customer)]
    assert missing == [
        "region",
        "grade",
        "satisfaction",
        "credit",
        "address",
        "post_code",
        "phone",
        "fax",
        "website",
        "legal_representative",
        "bank",
        "bank_account",
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("satisfaction", 6),
        ("credit", 0),
        ("registered_capital", "abc"),
        ("annual_turnover", Decimal("-1")),
        ("name", "x" * 101),
    ],
)
def test_create_customer_refuses_bad_values(account_manager, field, value):
    with pytest.raises(ValidationError) as error:
        services.create_customer(by=account_manager, **complete_fields(**{field: value}))
    assert field in error.value.message_dict
    assert not Customer.objects.exists()


def test_region_must_come_from_the_region_dictionary(account_manager):
    with pytest.raises(ValidationError) as error:
        services.create_customer(by=account_manager, **complete_fields(region=dict_item(DictType.CUSTOMER_GRADE)))
    assert "region" in error.value.message_dict


def test_manager_must_be_an_active_user(account_manager):
    disabled = UserFactory(is_active=False)
    with pytest.raises(ValidationError) as error:
        services.create_customer(by=account_manager, **complete_fields(owner=disabled))
    assert "owner" in error.value.message_dict
    assert not Customer.objects.exists()


# Editing and deleting -------------------------------------------------------------------------


def test_update_customer_saves_and_bumps_the_version(account_manager):
    customer = CustomerFactory(owner=account_manager)
    services.update_customer(customer, by=account_manager, expected_version=1, **complete_fields(name="新名称有限公司"))
    customer.refresh_from_db()
    assert customer.name == "新名称有限公司" and customer.version == 2


def test_stale_edit_is_refused_and_changes_nothing(account_manager):
    customer = CustomerFactory(owner=account_manager, name="原名称")
    first = Customer.objects.get(pk=customer.pk)
    second = Customer.objects.get(pk=customer.pk)
    services.update_customer(first, by=account_manager, expected_version=1, **complete_fields(name="第一次保存"))
    with pytest.raises(ValidationError) as error:
        services.update_customer(second, by=account_manager, expected_version=1, **complete_fields(name="第二次保存"))
    assert error.value.code == "stale"
    customer.refresh_from_db()
    assert customer.name == "第一次保存" and customer.version == 2


@pytest.mark.parametrize("status", [Customer.Status.LOST, Customer.Status.DELETED])
def test_only_normal_customers_can_be_edited(account_manager, status):
    customer = CustomerFactory(owner=account_manager, status=status, name="旧名称")
    with pytest.raises(ValidationError, match="Only customers in status normal"):
        services.update_customer(customer, by=account_manager, expected_version=1, **complete_fields(name="新名称"))
    customer.refresh_from_db()
    assert customer.name == "旧名称"


def test_changing_the_manager_in_the_edit_form_needs_the_transfer_permission(account_manager):
    role = Role.objects.create(name="只能编辑", data_scope=Role.DataScope.ALL)
    role.permissions.set(
        Role.objects.get(system_key=Role.Key.ACCOUNT_MANAGER).permissions.exclude(codename="transfer_customer")
    )
    editor = UserFactory(roles=[role])
    customer = CustomerFactory(owner=account_manager)
    with pytest.raises(ValidationError) as error:
        services.update_customer(customer, by=editor, expected_version=1, **complete_fields(owner=editor))
    assert "owner" in error.value.message_dict
    customer.refresh_from_db()
    assert customer.owner == account_manager


def test_delete_is_soft_closes_open_churn_and_cannot_repeat(account_manager):
    customer = CustomerFactory(owner=account_manager)
    contact = ContactFactory(customer=customer)
    record = ChurnRecordFactory(customer=customer)
    services.delete_customer(customer, by=account_manager)
    customer.refresh_from_db()
    record.refresh_from_db()
    assert customer.status == Customer.Status.DELETED
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert record.status == ChurnRecord.Status.CLOSED
    with pytest.raises(ValidationError, match="already been deleted"):
        services.delete_customer(customer, by=account_manager)


# Transfer --------------------------------------------------------------------------------------


def test_transfer_moves_customers_and_optionally_their_contacts(supervisor):
    old = UserFactory(department=supervisor.department)
    new = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    with_contacts = CustomerFactory(owner=old)
    without_contacts = CustomerFactory(owner=old)
    moved_contact = ContactFactory(customer=with_contacts)
    kept_contact = ContactFactory(customer=without_contacts)

    services.transfer_customers(customers=[with_contacts], to=new, by=supervisor, with_contacts=True)
    services.transfer_customers(customers=[without_contacts], to=new, by=supervisor)

    for obj in (with_contacts, without_contacts, moved_contact, kept_contact):
        obj.refresh_from_db()
    assert with_contacts.owner == new and without_contacts.owner == new
    assert with_contacts.version == 2
    assert moved_contact.owner == new
    assert kept_contact.owner == old
    entry = LogEntry.objects.get_for_object(with_contacts).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert "owner" in entry.changes_dict


def test_transfer_to_a_disabled_user_is_refused_and_changes_nothing(supervisor):
    owner = UserFactory(department=supervisor.department)
    disabled = UserFactory(department=supervisor.department, is_active=False)
    customers = CustomerFactory.create_batch(2, owner=owner)
    with pytest.raises(ValidationError) as error:
        services.transfer_customers(customers=customers, to=disabled, by=supervisor)
    assert "disabled" in error.value.message_dict["to"][0]
    assert set(Customer.objects.values_list("owner", flat=True)) == {owner.pk}


def test_transfer_refuses_customers_outside_the_callers_scope(account_manager):
    mine = CustomerFactory(owner=account_manager)
    foreign = CustomerFactory()
    target = UserFactory()
    with pytest.raises(ValidationError):
        services.transfer_customers(customers=[mine, foreign], to=target, by=account_manager)
    mine.refresh_from_db()
    assert mine.owner == account_manager


def test_deleted_customers_are_not_transferred(account_manager):
    deleted = CustomerFactory(owner=account_manager, status=Customer.Status.DELETED)
    with pytest.raises(ValidationError):
        services.transfer_customers(customers=[deleted], to=UserFactory(), by=account_manager)


# Contacts and interaction records -------------------------------------------------------------


def test_contact_requires_name_gender_position_and_office_phone(account_manager):
    customer = CustomerFactory(owner=account_manager)
    with pytest.raises(ValidationError) as error:
        services.create_contact(customer=customer, by=account_manager, name="", gender="", position="", office_phone="")
    assert set(error.value.message_dict) == {"name", "gender", "position", "office_phone"}
    contact = services.create_contact(
        customer=customer, by=account_manager, name="张三", gender="male", position="经理", office_phone="010-1"
    )
    assert contact.owner == account_manager


def test_records_of_a_deleted_customer_cannot_change(account_manager):
    customer = CustomerFactory(owner=account_manager, status=Customer.Status.DELETED)
    with pytest.raises(ValidationError, match="deleted"):
        services.create_contact(
            customer=customer, by=account_manager, name="张三", gender="male", position="经理", office_phone="1"
        )
    activity = ActivityFactory(customer=customer)
    with pytest.raises(ValidationError, match="deleted"):
        services.delete_activity(activity, by=account_manager)


def test_stale_contact_edit_is_refused(account_manager):
    contact = ContactFactory(customer=CustomerFactory(owner=account_manager), name="原名")
    fields = {"name": "新名", "gender": "male", "position": "经理", "office_phone": "1", "mobile": "", "remark": ""}
    services.update_contact(contact, by=account_manager, expected_version=1, **fields)
    with pytest.raises(ValidationError):
        services.update_contact(contact, by=account_manager, expected_version=1, **(fields | {"name": "又改"}))
    contact.refresh_from_db()
    assert contact.name == "新名"


def test_next_contact_cannot_precede_the_interaction(account_manager):
    customer = CustomerFactory(owner=account_manager)
    day = datetime.date(2026, 5, 10)
    with pytest.raises(ValidationError) as error:
        services.create_activity(
            customer=customer,
            by=account_manager,
            date=day,
            place="电话",
            summary="回访",
            next_contact_date=day - datetime.timedelta(days=1),
        )
    assert "next_contact_date" in error.value.message_dict
    activity = services.create_activity(
        customer=customer,
        by=account_manager,
        date=day,
        place="电话",
        summary="回访",
        follow_up_method=dict_item(DictType.FOLLOW_UP_METHOD),
        next_contact_date=day,
    )
    assert activity.created_by == account_manager


def test_activity_requires_date_place_and_summary(account_manager):
    customer = CustomerFactory(owner=account_manager)
    with pytest.raises(ValidationError) as error:
        services.create_activity(customer=customer, by=account_manager, date=None, place="", summary="")
    assert set(error.value.message_dict) == {"date", "place", "summary"}


def test_follow_up_method_must_be_a_follow_up_method(account_manager):
    with pytest.raises(ValidationError) as error:
        services.create_activity(
            customer=CustomerFactory(owner=account_manager),
            by=account_manager,
            date=datetime.date(2026, 5, 10),
            place="电话",
            summary="回访",
            follow_up_method=dict_item(DictType.REGION),
        )
    assert "follow_up_method" in error.value.message_dict


def test_executive_role_cannot_transfer(executive):
    assert not executive.has_perm("customers.transfer_customer")
    manager = user_with_role(Role.Key.ACCOUNT_MANAGER)
    with pytest.raises(ValidationError):
        services.transfer_customers(customers=[CustomerFactory(owner=manager)], to=manager, by=executive)
