"""The dashboard greets those who may read it; everyone else gets the menu overview."""

from django.urls import reverse

from crm.accounts.tests.factories import UserFactory


def test_supervisors_and_executives_land_on_the_dashboard(client_for, supervisor, executive):
    for user in (supervisor, executive):
        response = client_for(user).get("/")
        assert response.status_code == 302 and response["Location"] == reverse("reports:dashboard")


def test_the_menu_overview_stays_reachable(client_for, supervisor):
    response = client_for(supervisor).get("/?menu")
    assert response.status_code == 200
    assert 'data-menu="reports:dashboard"' in response.content.decode()


def test_a_user_without_the_dashboard_sees_the_menu_overview(client_for, administrator, db):
    assert client_for(administrator).get("/").status_code == 200
    assert client_for(UserFactory()).get("/").status_code == 200
