"""The reports over the API: the page's filters, scope and table, as JSON."""

import datetime


def test_contribution_answers_the_pages_table_within_the_scope(api_for, org, customer_for, make_order):
    mine = customer_for(org.alice, name="甲公司")
    make_order(mine, datetime.date(2025, 1, 1), "100", "20.5")
    make_order(mine, datetime.date(2025, 12, 31), "9")
    make_order(customer_for(org.dave, name="外部公司"), datetime.date(2025, 6, 1), "999")  # outside the tree

    body = api_for(org.supervisor).get("/api/v1/reports/contribution/", {"year": 2025}).json()

    assert body["period"] == {"start": "2025-01-01", "end": "2025-12-31"}
    assert body["table"]["columns"] == [
        "Rank",
        "Customer number",
        "Customer",
        "Account manager",
        "Orders",
        "Amount (yuan)",
    ]
    assert body["table"]["rows"] == [[1, mine.number, "甲公司", "Alice", 2, "129.50"]]
    assert body["table"]["footer"] == ["Total", None, None, None, 2, "129.50"]
    assert body["page"] == {"number": 1, "pages": 1, "count": 1}


def test_dashboard_figures_for_one_employee(api_for, org, customer_for, make_order):
    make_order(customer_for(org.bob), datetime.date(2025, 3, 10), "40")
    make_order(customer_for(org.carol), datetime.date(2025, 3, 11), "2")
    api = api_for(org.supervisor)

    body = api.get(
        "/api/v1/reports/dashboard/",
        {"period": "custom", "start": "2025-03-01", "end": "2025-03-31", "subject": f"employee-{org.bob.pk}"},
    ).json()

    assert body["brief"]["orders"] == 1 and body["brief"]["amount"] == "40.00"
    assert body["table"]["rows"][0][2] == "40.00"  # the month's actual amount


def test_a_filter_the_page_would_ignore_is_a_400_for_a_program(api_for, org):
    response = api_for(org.supervisor).get(
        "/api/v1/reports/service/", {"period": "custom", "start": "2025-03-02", "end": "2025-03-01"}
    )
    assert response.status_code == 400


def test_reports_need_their_permission(api_for, account_manager):
    api = api_for(account_manager)
    assert api.get("/api/v1/reports/dashboard/").status_code == 200  # their own figures
    for name in ("contribution", "composition", "service", "churn"):
        assert api.get(f"/api/v1/reports/{name}/").status_code == 403


def test_composition_and_churn_answer_their_tables(api_for, executive, customer_for, org):
    customer_for(org.alice)
    api = api_for(executive)
    composition = api.get("/api/v1/reports/composition/", {"by": "credit"}).json()
    assert composition["table"]["footer"][:2] == ["Total", 1]
    churn = api.get("/api/v1/reports/churn/").json()
    assert churn["table"]["rows"] == [] and churn["side_table"]["footer"][:2] == ["Total", 0]


def test_an_empty_report_parameter_is_a_400_but_an_empty_name_is_not(api_for, executive):
    api = api_for(executive)
    response = api.get("/api/v1/reports/dashboard/?start=")
    assert response.status_code == 400
    assert response.json()["errors"] == {"start": ["Give a value, or leave this parameter out."]}
    assert api.get("/api/v1/reports/contribution/?name=").status_code == 200
