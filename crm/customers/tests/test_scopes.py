"""The data scope on every customer page and API endpoint (R-AUTH-4)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role
from crm.customers import services
from crm.customers.models import Customer

from .factories import ActivityFactory, ChurnRecordFactory, ContactFactory, CustomerFactory
from .test_api import payload as customer_payload

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


# Who may become a customer's manager (R-CUST-1, R-CUST-4) ----------------------------------------

HUGE = 99999999999999999999999


@pytest.fixture
def other_team():
    """An account manager and a supervisor of another department."""
    manager = user_with_role(Role.Key.ACCOUNT_MANAGER)
    return {"manager": manager, "supervisor": user_with_role(Role.Key.SUPERVISOR, department=manager.department)}


def test_an_account_manager_cannot_give_a_customer_to_the_administrator_or_the_executive(
    api_for, client_for, account_manager, administrator, executive
):
    mine = CustomerFactory(owner=account_manager)
    api = api_for(account_manager)
    for target in (administrator, executive):
        response = api.post("/api/v1/customers/transfer/", {"customers": [mine.pk], "to": target.pk}, format="json")
        assert response.status_code == 400 and list(response.json()["errors"]) == ["to"]
        response = api.post("/api/v1/customers/", customer_payload(owner=target.pk), format="json")
        assert response.status_code == 400 and list(response.json()["errors"]) == ["owner"]
    # A forged form post reaches the service, which refuses too.
    response = client_for(account_manager).post(
        reverse("customers:customer-transfer"), {"ids": mine.pk, "to": administrator.pk}
    )
    assert response.status_code == 400
    for target in (administrator, executive):
        with pytest.raises(ValidationError) as error:
            services.transfer_customers(customers=[mine], to=target, by=account_manager)
        assert "cannot be the manager" in error.value.message_dict["to"][0]
        with pytest.raises(ValidationError) as error:
            services.create_customer(by=account_manager, require_complete=False, name="伪造", owner=target)
        assert "cannot be the manager" in error.value.message_dict["owner"][0]
    mine.refresh_from_db()
    assert mine.owner == account_manager and mine.version == 1
    assert not Customer.objects.filter(name__in=["伪造", "杭州远航物流有限公司"]).exists()


def test_a_supervisor_transfers_only_to_managers_of_the_team(api_for, client_for, supervisor, other_team):
    member = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    colleague = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    customer = CustomerFactory(owner=member)
    api = api_for(supervisor)
    for outsider in (other_team["manager"], other_team["supervisor"], supervisor):  # supervisors keep no customers
        response = api.post(
            "/api/v1/customers/transfer/", {"customers": [customer.pk], "to": outsider.pk}, format="json"
        )
        assert response.status_code == 400 and list(response.json()["errors"]) == ["to"], outsider
        with pytest.raises(ValidationError):
            services.transfer_customers(customers=[customer], to=outsider, by=supervisor)
    customer.refresh_from_db()
    assert customer.owner == member
    # The page offers exactly the team's managers.
    page = client_for(supervisor).get(reverse("customers:customer-transfer"), {"ids": customer.pk})
    assert set(page.context["form"].fields["to"].queryset) == {member, colleague}
    response = api.post("/api/v1/customers/transfer/", {"customers": [customer.pk], "to": colleague.pk}, format="json")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.owner == colleague


def test_the_customer_form_offers_only_managers_in_scope(client_for, account_manager, supervisor, other_team):
    page = client_for(account_manager).get(reverse("customers:customer-create"))
    assert set(page.context["form"].fields["owner"].queryset) == {account_manager}
    mine = CustomerFactory(owner=account_manager)
    response = client_for(account_manager).post(
        reverse("customers:customer-edit", args=[mine.pk]),
        {**customer_payload(), "owner": other_team["manager"].pk, "version": mine.version},
    )
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.owner == account_manager and mine.version == 1


@pytest.mark.parametrize("ids", [[HUGE], [1.5], ["abc"], [True], [-1]])
def test_a_transfer_naming_an_impossible_customer_id_is_a_400(api_for, supervisor, ids):
    member = user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department)
    response = api_for(supervisor).post(
        "/api/v1/customers/transfer/", {"customers": ids, "to": member.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "customers" in response.json()["errors"]


@pytest.mark.parametrize("to", [HUGE, 1.5, "1.5", "abc", True])
def test_a_transfer_to_an_impossible_user_id_is_a_400(api_for, supervisor, to):
    customer = CustomerFactory(owner=user_with_role(Role.Key.ACCOUNT_MANAGER, department=supervisor.department))
    response = api_for(supervisor).post(
        "/api/v1/customers/transfer/", {"customers": [customer.pk], "to": to}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "to" in response.json()["errors"]


def test_the_transfer_page_with_an_impossible_id_is_not_found(client_for, supervisor):
    response = client_for(supervisor).get(reverse("customers:customer-transfer"), {"ids": str(HUGE)})
    assert response.status_code == 404
