"""Factories for customers and their records; other apps' tests import these."""

import datetime

import factory
from django.utils import timezone

from crm.accounts.tests.factories import UserFactory
from crm.customers.models import Activity, ChurnRecord, Contact, Customer
from crm.dictionary.models import DictItem, DictType


def dict_item(dict_type, value=None):
    """A seeded dictionary item of ``dict_type`` (the first one unless ``value`` names another)."""
    items = DictItem.objects.filter(dict_type=dict_type).order_by("sort_order", "id")
    return items.get(value=value) if value else items.first()


class CustomerFactory(factory.django.DjangoModelFactory):
    """A complete customer in status normal (every field the edit form requires is filled)."""

    class Meta:
        model = Customer

    number = factory.Sequence(lambda n: f"KH20990101{n:04d}")
    name = factory.Sequence(lambda n: f"测试客户{n}有限公司")
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")
    region = factory.LazyFunction(lambda: dict_item(DictType.REGION))
    grade = factory.LazyFunction(lambda: dict_item(DictType.CUSTOMER_GRADE))
    satisfaction = 4
    credit = 3
    address = "北京市海淀区中关村大街1号"
    post_code = "100080"
    phone = "010-88886666"
    fax = "010-88886667"
    website = "https://example.com"
    legal_representative = "王建国"
    bank = "中国工商银行北京分行"
    bank_account = "0200001234567890"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    owner = factory.SelfAttribute("customer.owner")
    name = factory.Sequence(lambda n: f"联系人{n}")
    gender = Contact.Gender.MALE
    position = "采购经理"
    office_phone = "010-66668888"


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    customer = factory.SubFactory(CustomerFactory)
    date = factory.LazyFunction(timezone.localdate)
    place = "客户办公室"
    summary = factory.Sequence(lambda n: f"拜访沟通{n}")


class ChurnRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChurnRecord

    customer = factory.SubFactory(CustomerFactory)
    created_date = factory.LazyFunction(timezone.localdate)
    last_order_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=300))
    status = ChurnRecord.Status.WARNING


def set_created(customer, day):
    """Move a customer's creation back to ``day`` (auto_now_add cannot be set on create)."""
    created = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    Customer.objects.filter(pk=customer.pk).update(created_at=created)
    customer.refresh_from_db()
    return customer
