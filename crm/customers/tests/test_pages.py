import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import Role
from crm.accounts.tests.factories import UserFactory, user_with_role
from crm.customers.models import Activity, ChurnRecord, Contact, Customer
from crm.dictionary.models import DictType

from .factories import ActivityFactory, ChurnRecordFactory, ContactFactory, CustomerFactory, dict_item

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def form_data(manager, **overrides):
    data = {
        "name": "北京华信科技有限公司",
        "owner": manager.pk,
        "region": dict_item(DictType.REGION).pk,
        "grade": dict_item(DictType.CUSTOMER_GRADE).pk,
        "satisfaction": "4",
        "credit": "5",
        "address": "北京市朝阳区建国路88号",
        "post_code": "100022",
        "phone": "010-65001234",
        "fax": "010-65001235",
        "website": "www.huaxin.example.com",
        "legal_representative": "刘华",
        "bank": "招商银行北京分行",
        "bank_account": "110901234567",
        "registered_capital": "500",
    }
    return data | overrides


def edit_data(customer, **overrides):
    return form_data(customer.owner, version=customer.version, **overrides)


# Customers ---------------------------------------------------------------------------------------


def test_create_customer_page_saves_and_confirms(client_for, account_manager):
    client = client_for(account_manager)
    page = client.get(reverse("customers:customer-create"))
    assert page.status_code == 200 and 'class="text-danger"' in page.content.decode()  # required marks
    response = client.post(reverse("customers:customer-create"), form_data(account_manager), follow=True)
    customer = Customer.objects.get()
    assert response.redirect_chain[-1][0] == reverse("customers:customer-detail", args=[customer.pk])
    body = response.content.decode()
    assert f"created with number {customer.number}" in body
    assert "★★★★☆" in body  # satisfaction as stars


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "", "bank": ""}, "name", "This field is required."),
        ({"satisfaction": "6"}, "satisfaction", "Select a valid choice."),
        ({"registered_capital": "abc"}, "registered_capital", "Enter a number."),
        ({"region": "GRADE_AS_REGION"}, "region", "Select a valid choice."),
    ],
)
def test_create_customer_page_refuses_bad_input(client_for, account_manager, overrides, field, message):
    if overrides.get("region") == "GRADE_AS_REGION":
        overrides = {"region": dict_item(DictType.CUSTOMER_GRADE).pk}
    response = client_for(account_manager).post(
        reverse("customers:customer-create"), form_data(account_manager, **overrides)
    )
    assert response.status_code == 400
    assert any(error.startswith(message) for error in response.context["form"].errors[field])
    assert not Customer.objects.exists()


def test_disabled_users_are_not_offered_as_manager(client_for, account_manager):
    disabled = UserFactory(is_active=False, name="已停用的人")
    client = client_for(account_manager)
    assert "已停用的人" not in client.get(reverse("customers:customer-create")).content.decode()
    response = client.post(reverse("customers:customer-create"), form_data(account_manager, owner=disabled.pk))
    assert response.status_code == 400 and "owner" in response.context["form"].errors


def test_edit_page_saves_and_refuses_a_stale_version(client_for, account_manager):
    customer = CustomerFactory(owner=account_manager, name="旧名称")
    client = client_for(account_manager)
    url = reverse("customers:customer-edit", args=[customer.pk])
    assert client.post(url, edit_data(customer, name="新名称")).status_code == 302
    response = client.post(url, edit_data(customer, name="过期的修改"))  # still version 1
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "新名称" and customer.version == 2


def test_a_lost_customer_cannot_be_edited(client_for, account_manager):
    customer = CustomerFactory(owner=account_manager, status=Customer.Status.LOST, name="流失客户")
    client = client_for(account_manager)
    response = client.post(reverse("customers:customer-edit", args=[customer.pk]), edit_data(customer, name="改名"))
    assert response.status_code == 400
    assert "Only customers in status normal can be changed" in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "流失客户"
    detail = client.get(reverse("customers:customer-detail", args=[customer.pk])).content.decode()
    assert 'id="edit"' not in detail and "can no longer be edited" in detail


def test_detail_page_says_what_is_missing(client_for, account_manager):
    customer = CustomerFactory(owner=account_manager, fax="", bank_account="")
    body = client_for(account_manager).get(reverse("customers:customer-detail", args=[customer.pk])).content.decode()
    assert 'id="completeness"' in body and "Fax" in body and "Bank account" in body
    complete = CustomerFactory(owner=account_manager)
    body = client_for(account_manager).get(reverse("customers:customer-detail", args=[complete.pk])).content.decode()
    assert 'id="completeness"' not in body


def test_detail_page_tabs_load(client_for, account_manager):
    customer = CustomerFactory(owner=account_manager)
    ContactFactory(customer=customer, name="王经理")
    ActivityFactory(customer=customer, summary="季度回访")
    ChurnRecordFactory(customer=customer)
    client = client_for(account_manager)
    body = client.get(reverse("customers:customer-detail", args=[customer.pk])).content.decode()
    for key in ("info", "contacts", "activities", "orders", "churn", "log"):
        assert f'id="tab-{key}"' in body
    assert "王经理" in client.get(reverse("customers:contact-tab", args=[customer.pk]), headers=HTMX).content.decode()
    tab = client.get(reverse("customers:activity-tab", args=[customer.pk]), headers=HTMX).content.decode()
    assert "季度回访" in tab
    assert "No orders." in client.get(reverse("customers:order-tab", args=[customer.pk]), headers=HTMX).content.decode()
    assert "Postpone" in client.get(reverse("customers:churn-tab", args=[customer.pk]), headers=HTMX).content.decode()
    log = client.get(reverse("audit:record-log", args=["customers.customer", customer.pk]), headers=HTMX)
    assert log.status_code == 200


def test_a_tab_opened_directly_leads_to_the_customer_page(client_for, account_manager):
    customer = CustomerFactory(owner=account_manager)
    response = client_for(account_manager).get(reverse("customers:contact-tab", args=[customer.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-detail", args=[customer.pk]) + "#tab-contacts"


def test_delete_asks_first_then_soft_deletes(client_for, account_manager):
    customer = CustomerFactory(owner=account_manager, name="待删除客户")
    client = client_for(account_manager)
    url = reverse("customers:customer-delete", args=[customer.pk])
    page = client.get(url).content.decode()
    assert "Delete the customer 待删除客户" in page
    customer.refresh_from_db()
    assert customer.status == Customer.Status.NORMAL
    response = client.post(url, follow=True)
    assert "Customer deleted." in response.content.decode()
    customer.refresh_from_db()
    assert customer.status == Customer.Status.DELETED
    listing = client.get(reverse("customers:customer-list")).content.decode()
    assert "待删除客户" not in listing
    listing = client.get(reverse("customers:customer-list"), {"status": "deleted"}).content.decode()
    assert "待删除客户" in listing


def test_list_filters(client_for, account_manager):
    north = dict_item(DictType.REGION, "north")
    CustomerFactory(owner=account_manager, name="华北客户", region=north, number="KH202601010001")
    CustomerFactory(owner=account_manager, name="北京客户", region=dict_item(DictType.REGION, "beijing"))
    client = client_for(account_manager)
    body = client.get(reverse("customers:customer-list"), {"region": north.pk}, headers=HTMX).content.decode()
    assert "华北客户" in body and "北京客户" not in body
    body = client.get(reverse("customers:customer-list"), {"number": "202601010001"}).content.decode()
    assert "华北客户" in body and "北京客户" not in body
    body = client.get(reverse("customers:customer-list"), {"q": "北京客"}).content.decode()
    assert "北京客户" in body and "华北客户" not in body


def test_customer_list_query_count_is_constant(client_for, supervisor, django_assert_max_num_queries):
    members = [user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department) for _ in range(3)]
    client = client_for(supervisor)
    url = reverse("customers:customer-list")
    CustomerFactory(owner=members[0])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(40):
        CustomerFactory(owner=members[index % 3], region=dict_item(DictType.REGION, "west"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"page_size": 50})
    assert response.context["page"].paginator.count == 41


def test_churn_and_follow_up_lists_query_count_is_constant(client_for, account_manager, django_assert_max_num_queries):
    client = client_for(account_manager)
    today = timezone.localdate()
    ChurnRecordFactory(customer__owner=account_manager)
    ActivityFactory(customer__owner=account_manager, next_contact_date=today)
    counts = {}
    for url in (reverse("customers:churn-list"), reverse("customers:follow-ups")):
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)
    for _ in range(15):
        ChurnRecordFactory(customer__owner=account_manager)
        ActivityFactory(
            customer__owner=account_manager, next_contact_date=today, follow_up_method=dict_item("跟进方式")
        )
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            response = client.get(url)
        assert response.context["page"].paginator.count == 16


# Contacts and interaction records ----------------------------------------------------------------


def test_contacts_are_added_edited_and_deleted_from_the_customer(client_for, account_manager):
    customer = CustomerFactory(owner=account_manager)
    client = client_for(account_manager)
    response = client.post(
        reverse("customers:contact-create", args=[customer.pk]),
        {"name": "李经理", "gender": "female", "position": "采购部经理", "office_phone": "010-1234"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#tab-contacts")
    contact = Contact.objects.get()
    response = client.post(
        reverse("customers:contact-edit", args=[customer.pk, contact.pk]),
        {"name": "李经理", "gender": "female", "position": "副总", "office_phone": "010-1234", "version": 1},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.position == "副总"
    client.post(reverse("customers:contact-delete", args=[customer.pk, contact.pk]))
    assert not Contact.objects.exists()


def test_contact_without_office_phone_is_refused(client_for, account_manager):
    customer = CustomerFactory(owner=account_manager)
    response = client_for(account_manager).post(
        reverse("customers:contact-create", args=[customer.pk]), {"name": "李经理", "gender": "female", "position": "x"}
    )
    assert response.status_code == 400 and "office_phone" in response.context["form"].errors
    assert not Contact.objects.exists()


def test_contact_of_another_customer_is_not_found_under_this_one(client_for, account_manager):
    first = CustomerFactory(owner=account_manager)
    contact = ContactFactory(customer=CustomerFactory(owner=account_manager))
    url = reverse("customers:contact-edit", args=[first.pk, contact.pk])
    assert client_for(account_manager).get(url).status_code == 404


def test_interaction_records_with_next_contact_show_in_my_follow_ups(client_for, account_manager):
    customer = CustomerFactory(owner=account_manager, name="跟进客户")
    client = client_for(account_manager)
    today = timezone.localdate()
    response = client.post(
        reverse("customers:activity-create", args=[customer.pk]),
        {
            "date": today.isoformat(),
            "place": "客户公司",
            "summary": "产品演示",
            "follow_up_method": dict_item(DictType.FOLLOW_UP_METHOD, "visit").pk,
            "next_contact_date": (today + datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#tab-activities")
    ActivityFactory(customer=customer, summary="过去的计划", next_contact_date=today - datetime.timedelta(days=1))
    body = client.get(reverse("customers:follow-ups")).content.decode()
    assert "产品演示" in body and "过去的计划" not in body
    activity = Activity.objects.get(summary="产品演示")
    assert activity.created_by == account_manager


def test_follow_ups_default_to_my_customers(client_for, supervisor):
    member = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    ActivityFactory(customer__owner=member, summary="组员的计划", next_contact_date=timezone.localdate())
    client = client_for(supervisor)
    assert "组员的计划" not in client.get(reverse("customers:follow-ups")).content.decode()
    assert "组员的计划" in client.get(reverse("customers:follow-ups"), {"whose": "all"}).content.decode()


# Transfer ----------------------------------------------------------------------------------------


def test_transfer_page_moves_the_selected_customers(client_for, supervisor):
    old = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    new = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department, name="新经理")
    customers = CustomerFactory.create_batch(2, owner=old)
    ContactFactory(customer=customers[0])
    client = client_for(supervisor)
    ids = [c.pk for c in customers]
    page = client.get(reverse("customers:customer-transfer"), {"ids": ids}).content.decode()
    assert customers[0].name in page and customers[1].name in page
    response = client.post(
        reverse("customers:customer-transfer"), {"ids": ids, "to": new.pk, "with_contacts": "on"}, follow=True
    )
    assert "2 customers transferred to 新经理." in response.content.decode()
    assert set(Customer.objects.values_list("owner", flat=True)) == {new.pk}
    assert Contact.objects.get().owner == new


def test_transfer_to_a_disabled_user_is_refused_on_the_page(client_for, supervisor):
    old = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    disabled = UserFactory(department=supervisor.department, is_active=False)
    customer = CustomerFactory(owner=old)
    response = client_for(supervisor).post(
        reverse("customers:customer-transfer"), {"ids": [customer.pk], "to": disabled.pk}
    )
    assert response.status_code == 400 and "to" in response.context["form"].errors
    customer.refresh_from_db()
    assert customer.owner == old and customer.version == 1


# Churn -------------------------------------------------------------------------------------------


def test_postpone_page_shows_earlier_measures_and_appends(client_for, account_manager):
    record = ChurnRecordFactory(customer__owner=account_manager)
    record.measures.create(date=datetime.date(2026, 1, 5), text="第一次电话回访")
    client = client_for(account_manager)
    url = reverse("customers:churn-postpone", args=[record.pk])
    assert "第一次电话回访" in client.get(url).content.decode()
    response = client.post(url, {"measure": ""})
    assert response.status_code == 400
    response = client.post(url, {"measure": "上门拜访并给予优惠"}, follow=True)
    assert "postponed" in response.content.decode()
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.POSTPONED and record.measures.count() == 2


def test_confirm_lost_page_requires_a_reason(client_for, account_manager):
    record = ChurnRecordFactory(customer__owner=account_manager)
    client = client_for(account_manager)
    url = reverse("customers:churn-confirm", args=[record.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.WARNING
    client.post(url, {"reason": "公司倒闭", "reason_category": dict_item(DictType.CHURN_REASON, "business_failure").pk})
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.LOST
    assert Customer.objects.get(pk=record.customer_id).status == Customer.Status.LOST
    listing = client.get(reverse("customers:churn-list"), {"status": "lost"}).content.decode()
    assert record.customer.name in listing and timezone.localdate().isoformat() in listing


def test_a_manager_in_scope_who_is_not_the_customers_manager_gets_a_clear_refusal(client_for):
    boss = user_with_role(Role.Key.ACCOUNT_MANAGER)
    # The account manager role sees only its own records; a second role widens it to the team.
    team_role = Role.objects.create(name="团队经理", data_scope=Role.DataScope.SUBORDINATES)
    boss.roles.add(team_role)
    member = user_with_role(Role.Key.ACCOUNT_MANAGER, superior=boss)
    record = ChurnRecordFactory(customer__owner=member)
    client = client_for(boss)
    url = reverse("customers:churn-postpone", args=[record.pk])
    page = client.get(url).content.decode()
    assert "Only the customer's manager" in page and 'id="submit"' not in page
    response = client.post(url, {"measure": "越权的措施"})
    assert response.status_code == 400 and "Only the customer" in response.content.decode()
    assert not record.measures.exists()
