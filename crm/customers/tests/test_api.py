import pytest

from crm.accounts.models import Role
from crm.accounts.tests.factories import UserFactory, user_with_role
from crm.customers.models import ChurnRecord, Contact, Customer
from crm.dictionary.models import DictType

from .factories import ChurnRecordFactory, ContactFactory, CustomerFactory, dict_item

pytestmark = pytest.mark.django_db


def payload(**overrides):
    data = {
        "name": "杭州远航物流有限公司",
        "region": dict_item(DictType.REGION).pk,
        "grade": dict_item(DictType.CUSTOMER_GRADE).pk,
        "satisfaction": 3,
        "credit": 4,
        "address": "杭州市西湖区文三路100号",
        "post_code": "310012",
        "phone": "0571-88001234",
        "fax": "0571-88001235",
        "website": "www.yuanhang.example.com",
        "legal_representative": "陈远",
        "bank": "中国银行杭州分行",
        "bank_account": "3700012345",
        "registered_capital": "1200.50",
    }
    return data | overrides


def test_create_customer_through_the_api(api_for, account_manager):
    response = api_for(account_manager).post("/api/v1/customers/", payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("KH") and body["owner"] == account_manager.pk
    assert body["status"] == "normal" and body["missing_fields"] == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"satisfaction": 6}, "satisfaction"),
        ({"registered_capital": "abc"}, "registered_capital"),
        ({"bank": ""}, "bank"),
        ({"name": ""}, "name"),
        ({"region": "GRADE"}, "region"),
    ],
)
def test_api_refuses_bad_input_in_one_error_format(api_for, account_manager, overrides, field):
    if overrides.get("region") == "GRADE":
        overrides = {"region": dict_item(DictType.CUSTOMER_GRADE).pk}
    response = api_for(account_manager).post("/api/v1/customers/", payload(**overrides), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"] and body["message"]
    assert not Customer.objects.exists()


def test_api_edit_needs_the_current_version_and_a_normal_customer(api_for, account_manager):
    customer = CustomerFactory(owner=account_manager)
    api = api_for(account_manager)
    url = f"/api/v1/customers/{customer.pk}/"
    assert api.patch(url, {"phone": "010-1", "version": 1}, format="json").status_code == 200
    stale = api.patch(url, {"phone": "010-2", "version": 1}, format="json")
    assert stale.status_code == 400 and "Someone else changed" in stale.json()["message"]
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.LOST)
    lost = api.patch(url, {"phone": "010-3", "version": 2}, format="json")
    assert lost.status_code == 400 and "status normal" in lost.json()["message"]
    customer.refresh_from_db()
    assert customer.phone == "010-1"


def test_api_delete_is_soft(api_for, account_manager):
    customer = CustomerFactory(owner=account_manager)
    assert api_for(account_manager).delete(f"/api/v1/customers/{customer.pk}/").status_code == 204
    customer.refresh_from_db()
    assert customer.status == Customer.Status.DELETED


def test_api_transfer(api_for, supervisor):
    old = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    new = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    customers = CustomerFactory.create_batch(2, owner=old)
    ContactFactory(customer=customers[0])
    api = api_for(supervisor)
    disabled = UserFactory(is_active=False)
    refused = api.post(
        "/api/v1/customers/transfer/", {"customers": [c.pk for c in customers], "to": disabled.pk}, format="json"
    )
    assert refused.status_code == 400 and "to" in refused.json()["errors"]
    response = api.post(
        "/api/v1/customers/transfer/",
        {"customers": [c.pk for c in customers], "to": new.pk, "with_contacts": True},
        format="json",
    )
    assert response.status_code == 200 and {row["owner"] for row in response.json()} == {new.pk}
    assert Contact.objects.get().owner == new


def test_executive_cannot_write_through_the_api(api_for, executive):
    customer = CustomerFactory()
    api = api_for(executive)
    assert api.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    assert api.post("/api/v1/customers/", payload(), format="json").status_code == 403
    assert api.delete(f"/api/v1/customers/{customer.pk}/").status_code == 403
    response = api.post("/api/v1/customers/transfer/", {"customers": [customer.pk], "to": executive.pk}, format="json")
    assert response.status_code == 403


def test_contacts_and_activities_through_the_api(api_for, account_manager):
    customer = CustomerFactory(owner=account_manager)
    api = api_for(account_manager)
    response = api.post(
        "/api/v1/contacts/",
        {"customer": customer.pk, "name": "赵六", "gender": "male", "position": "总经理", "office_phone": "1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    missing = api.post("/api/v1/contacts/", {"customer": customer.pk, "name": "赵六"}, format="json")
    assert missing.status_code == 400 and "office_phone" in missing.json()["errors"]
    response = api.post(
        "/api/v1/activities/",
        {
            "customer": customer.pk,
            "date": "2026-06-01",
            "place": "线上会议",
            "summary": "需求沟通",
            "next_contact_date": "2026-05-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "next_contact_date" in response.json()["errors"]


def test_churn_actions_through_the_api(api_for, account_manager):
    record = ChurnRecordFactory(customer__owner=account_manager)
    api = api_for(account_manager)
    url = f"/api/v1/churn-records/{record.pk}"
    assert api.post(f"{url}/postpone/", {"measure": ""}, format="json").status_code == 400
    response = api.post(f"{url}/postpone/", {"measure": "赠送培训"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "postponed"
    assert [m["text"] for m in response.json()["measures"]] == ["赠送培训"]
    assert api.post(f"{url}/confirm-lost/", {"reason": ""}, format="json").status_code == 400
    response = api.post(f"{url}/confirm-lost/", {"reason": "价格太高"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "lost"
    assert Customer.objects.get(pk=record.customer_id).status == Customer.Status.LOST
    assert api.post("/api/v1/churn-records/", {}, format="json").status_code in (403, 405)


def test_churn_actions_refuse_someone_who_is_not_the_manager(api_for, supervisor):
    member = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    record = ChurnRecordFactory(customer__owner=member)
    api = api_for(supervisor)
    assert api.get(f"/api/v1/churn-records/{record.pk}/").status_code == 200
    # The supervisor role may view churn records but take no measures.
    assert api.post(f"/api/v1/churn-records/{record.pk}/postpone/", {"measure": "x"}).status_code == 403
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.WARNING


def test_openapi_schema_lists_the_customer_endpoints(api_for, administrator):
    response = api_for(administrator).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/customers/",
        "/api/v1/customers/transfer/",
        "/api/v1/contacts/",
        "/api/v1/activities/",
        "/api/v1/churn-records/{id}/postpone/",
        "/api/v1/churn-records/{id}/confirm-lost/",
    ):
        assert path in paths, path
