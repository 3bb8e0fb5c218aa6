"""The data scope on every customer page and API endpoint (R-AUTH-4)."""

import pytest
from django.urls import reverse

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role

from .factories import ActivityFactory, ChurnRecordFactory, ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign():
    """Another manager's customer with a contact, an interaction record and a churn warning."""
    other = user_with_role(Role.Key.ACCOUNT_MANAGER)
    customer = CustomerFactory(owner=other)
    return {
        "customer": customer,
        "contact": ContactFactory(customer=customer),
        "activity": ActivityFactory(customer=customer),
        "churn": ChurnRecordFactory(customer=customer),
    }


def page_urls(f):
    """Every page about the customer: (url, whether it takes a POST)."""
    c, contact, activity, churn = f["customer"].pk, f["contact"].pk, f["activity"].pk, f["churn"].pk
    read = [
        reverse("customers:customer-detail", args=[c]),
        reverse("customers:contact-tab", args=[c]),
        reverse("customers:activity-tab", args=[c]),
        reverse("customers:order-tab", args=[c]),
        reverse("customers:churn-tab", args=[c]),
        reverse("audit:record-log", args=["customers.customer", c]),
    ]
    write = [
        reverse("customers:customer-edit", args=[c]),
        reverse("customers:customer-delete", args=[c]),
        reverse("customers:contact-create", args=[c]),
        reverse("customers:contact-edit", args=[c, contact]),
        reverse("customers:contact-delete", args=[c, contact]),
        reverse("customers:activity-create", args=[c]),
        reverse("customers:activity-edit", args=[c, activity]),
        reverse("customers:activity-delete", args=[c, activity]),
        reverse("customers:churn-postpone", args=[churn]),
        reverse("customers:churn-confirm", args=[churn]),
        reverse("customers:customer-transfer") + f"?ids={c}",
    ]
    return [(url, False) for url in read] + [(url, True) for url in write]


def test_another_managers_customer_is_not_found_on_every_page(client_for, account_manager, foreign):
    client = client_for(account_manager)
    for url, takes_post in page_urls(foreign):
        assert client.get(url).status_code == 404, url
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404, url
        if takes_post:
            data = {"version": 1, "name": "x", "measure": "x", "reason": "x", "ids": foreign["customer"].pk}
            assert client.post(url, data).status_code == 404, url
    customer = foreign["customer"]
    customer.refresh_from_db()
    assert customer.status == "normal" and customer.version == 1


def test_another_managers_records_are_not_found_in_the_api(api_for, account_manager, foreign):
    api = api_for(account_manager)
    c = foreign["customer"].pk
    endpoints = [
        f"/api/v1/customers/{c}/",
        f"/api/v1/contacts/{foreign['contact'].pk}/",
        f"/api/v1/activities/{foreign['activity'].pk}/",
    ]
    for url in endpoints:
        assert api.get(url).status_code == 404, url
        assert api.patch(url, {"name": "x", "version": 1}, format="json").status_code == 404, url
        assert api.put(url, {"name": "x", "version": 1}, format="json").status_code == 404, url
        assert api.delete(url).status_code == 404, url
    churn = foreign["churn"].pk
    assert api.get(f"/api/v1/churn-records/{churn}/").status_code == 404
    assert api.post(f"/api/v1/churn-records/{churn}/postpone/", {"measure": "x"}).status_code == 404
    assert api.post(f"/api/v1/churn-records/{churn}/confirm-lost/", {"reason": "x"}).status_code == 404
    response = api.post("/api/v1/customers/transfer/", {"customers": [c], "to": account_manager.pk}, format="json")
    assert response.status_code == 404
    # A foreign customer cannot receive new contacts or records either.
    response = api.post(
        "/api/v1/contacts/",
        {"customer": c, "name": "x", "gender": "male", "position": "x", "office_phone": "1"},
        format="json",
    )
    assert response.status_code == 400 and "customer" in response.json()["errors"]
    for listing in ["customers", "contacts", "activities", "churn-records"]:
        assert api.get(f"/api/v1/{listing}/").json()["count"] == 0, listing
    foreign["customer"].refresh_from_db()
    assert foreign["customer"].version == 1


def test_lists_show_only_own_customers(client_for, account_manager, foreign):
    mine = CustomerFactory(owner=account_manager, name="我的客户有限公司")
    ActivityFactory(customer=mine, next_contact_date=mine.created_at.date())
    client = client_for(account_manager)
    body = client.get(reverse("customers:customer-list")).content.decode()
    assert "我的客户有限公司" in body and foreign["customer"].name not in body
    body = client.get(reverse("customers:customer-list"), {"q": foreign["customer"].name}).content.decode()
    assert f'href="/customers/{foreign["customer"].pk}/"' not in body and "Nothing matches these filters." in body
    body = client.get(reverse("customers:churn-list")).content.decode()
    assert foreign["customer"].name not in body
    body = client.get(reverse("customers:follow-ups"), {"whose": "all"}).content.decode()
    assert foreign["customer"].name not in body


def test_supervisor_sees_the_teams_customers_but_not_other_teams(client_for, supervisor, foreign):
    member = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    team_customer = CustomerFactory(owner=member, name="团队客户有限公司")
    ContactFactory(customer=team_customer, name="团队联系人")
    ChurnRecordFactory(customer=team_customer)
    client = client_for(supervisor)
    body = client.get(reverse("customers:customer-list")).content.decode()
    assert "团队客户有限公司" in body and foreign["customer"].name not in body
    assert client.get(reverse("customers:customer-detail", args=[team_customer.pk])).status_code == 200
    tab = client.get(reverse("customers:contact-tab", args=[team_customer.pk]), headers={"HX-Request": "true"})
    assert "团队联系人" in tab.content.decode()
    assert "团队客户有限公司" in client.get(reverse("customers:churn-list")).content.decode()
    assert client.get(reverse("customers:customer-detail", args=[foreign["customer"].pk])).status_code == 404
    # Viewing and transferring, but no editing or churn measures by default.
    assert client.get(reverse("customers:customer-edit", args=[team_customer.pk])).status_code == 403
    assert client.get(reverse("customers:customer-transfer") + f"?ids={team_customer.pk}").status_code == 200


def test_executive_sees_every_customer_read_only(client_for, executive, foreign):
    client = client_for(executive)
    customer = foreign["customer"]
    assert client.get(reverse("customers:customer-detail", args=[customer.pk])).status_code == 200
    assert customer.name in client.get(reverse("customers:customer-list")).content.decode()
    assert client.get(reverse("customers:customer-edit", args=[customer.pk])).status_code == 403
    assert client.get(reverse("customers:customer-create")).status_code == 403
    assert client.get(reverse("customers:customer-transfer") + f"?ids={customer.pk}").status_code == 403
    assert client.get(reverse("customers:churn-list")).status_code == 403


def test_administrator_has_no_customer_pages_by_default(client_for, administrator):
    assert client_for(administrator).get(reverse("customers:customer-list")).status_code == 403


def test_menu_follows_the_roles(client_for, account_manager, supervisor, executive):
    body = client_for(account_manager).get("/", follow=True).content.decode()
    for name in ("customers:customer-list", "customers:follow-ups", "customers:churn-list"):
        assert f'data-menu="{name}"' in body
    body = client_for(executive).get("/", follow=True).content.decode()
    assert 'data-menu="customers:customer-list"' in body and 'data-menu="customers:churn-list"' not in body


def test_customer_picker_search_stays_in_scope(account_manager, foreign):
    from crm.customers import selectors

    mine = CustomerFactory(owner=account_manager, name="华信同名有限公司")
    CustomerFactory(owner=account_manager, name="华信已删除有限公司", status="deleted")
    foreign["customer"].name = "华信他人有限公司"
    foreign["customer"].save()
    assert list(selectors.search_customers(account_manager, "华信")) == [mine]
