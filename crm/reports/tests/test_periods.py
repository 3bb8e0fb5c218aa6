"""Report periods: presets around month, quarter and year boundaries, ``?year=``, custom ranges."""

import datetime
from unittest import mock

import pytest

from crm.reports import periods
from crm.reports.periods import Period

from .conftest import local

day = datetime.date


def on(today):
    return mock.patch("django.utils.timezone.localdate", return_value=today)


# Every preset on days where a month, a quarter or a year turns: (today, {preset: (start, end)}).
PRESETS = [
    (
        day(2025, 1, 1),
        {
            "this_month": (day(2025, 1, 1), day(2025, 1, 31)),
            "last_month": (day(2024, 12, 1), day(2024, 12, 31)),
            "this_quarter": (day(2025, 1, 1), day(2025, 3, 31)),
            "last_quarter": (day(2024, 10, 1), day(2024, 12, 31)),
            "this_year": (day(2025, 1, 1), day(2025, 12, 31)),
            "last_year": (day(2024, 1, 1), day(2024, 12, 31)),
            "last_12_months": (day(2024, 2, 1), day(2025, 1, 31)),
        },
    ),
    (
        day(2025, 12, 31),
        {
            "this_month": (day(2025, 12, 1), day(2025, 12, 31)),
            "last_month": (day(2025, 11, 1), day(2025, 11, 30)),
            "this_quarter": (day(2025, 10, 1), day(2025, 12, 31)),
            "last_quarter": (day(2025, 7, 1), day(2025, 9, 30)),
            "this_year": (day(2025, 1, 1), day(2025, 12, 31)),
            "last_year": (day(2024, 1, 1), day(2024, 12, 31)),
            "last_12_months": (day(2025, 1, 1), day(2025, 12, 31)),
        },
    ),
    (
        day(2024, 3, 31),  # a leap year: last month ends on February 29
        {
            "this_month": (day(2024, 3, 1), day(2024, 3, 31)),
            "last_month": (day(2024, 2, 1), day(2024, 2, 29)),
            "this_quarter": (day(2024, 1, 1), day(2024, 3, 31)),
            "last_quarter": (day(2023, 10, 1), day(2023, 12, 31)),
            "last_12_months": (day(2023, 4, 1), day(2024, 3, 31)),
        },
    ),
    (
        day(2024, 2, 29),
        {
            "this_month": (day(2024, 2, 1), day(2024, 2, 29)),
            "last_month": (day(2024, 1, 1), day(2024, 1, 31)),
            "last_year": (day(2023, 1, 1), day(2023, 12, 31)),
            "last_12_months": (day(2023, 3, 1), day(2024, 2, 29)),
        },
    ),
    (
        day(2025, 3, 1),
        {
            "last_month": (day(2025, 2, 1), day(2025, 2, 28)),
            "this_quarter": (day(2025, 1, 1), day(2025, 3, 31)),
        },
    ),
    (
        day(2025, 4, 1),
        {
            "this_month": (day(2025, 4, 1), day(2025, 4, 30)),
            "last_month": (day(2025, 3, 1), day(2025, 3, 31)),
            "this_quarter": (day(2025, 4, 1), day(2025, 6, 30)),
            "last_quarter": (day(2025, 1, 1), day(2025, 3, 31)),
        },
    ),
    (
        day(2025, 9, 30),
        {
            "this_quarter": (day(2025, 7, 1), day(2025, 9, 30)),
            "last_quarter": (day(2025, 4, 1), day(2025, 6, 30)),
            "last_month": (day(2025, 8, 1), day(2025, 8, 31)),
        },
    ),
]


@pytest.mark.parametrize(("today", "expected"), PRESETS, ids=[str(today) for today, _e in PRESETS])
def test_presets_around_month_quarter_and_year_boundaries(today, expected):
    with on(today):
        for key, (start, end) in expected.items():
            assert periods.resolve(period=key) == Period(start, end), key


@pytest.mark.django_db
@pytest.mark.parametrize(("today", "expected"), PRESETS[:2], ids=[str(today) for today, _e in PRESETS[:2]])
def test_the_report_pages_use_the_chosen_preset(client_for, supervisor, report, today, expected):
    client = client_for(supervisor)
    with on(today):
        for key, (start, end) in expected.items():
            for url_name in ("contribution", "service", "dashboard"):
                response = report(client, url_name, period=key)
                assert response.context["period"] == Period(start, end), (url_name, key)
                assert not response.context["form"].errors


@pytest.mark.django_db
def test_default_periods_this_year_for_reports_and_this_month_for_the_dashboard(client_for, supervisor, report):
    client = client_for(supervisor)
    with on(day(2025, 2, 14)):
        assert report(client, "contribution").context["period"] == Period(day(2025, 1, 1), day(2025, 12, 31))
        assert report(client, "service").context["period"] == Period(day(2025, 1, 1), day(2025, 12, 31))
        assert report(client, "dashboard").context["period"] == Period(day(2025, 2, 1), day(2025, 2, 28))


@pytest.mark.django_db
def test_a_year_from_the_select_or_the_query_string_is_that_calendar_year(client_for, supervisor, report):
    client = client_for(supervisor)
    with on(day(2025, 6, 15)):
        assert periods.year_choices() == [(y, str(y)) for y in (2025, 2024, 2023, 2022, 2021, 2020)]
        chosen = report(client, "contribution", period="2023")
        assert chosen.context["period"] == Period(day(2023, 1, 1), day(2023, 12, 31))
        # ?year= (links, bookmarks) reaches years the select does not offer, and the select shows it.
        linked = report(client, "dashboard", year=2019)
        assert linked.context["period"] == Period(day(2019, 1, 1), day(2019, 12, 31))
        assert not linked.context["form"].errors and linked.context["form"].chosen_period == "2019"


@pytest.mark.django_db
def test_a_custom_range_is_used_as_given(client_for, supervisor, report):
    response = report(client_for(supervisor), "contribution", period="custom", start="2024-12-31", end="2025-01-01")
    assert response.context["period"] == Period(day(2024, 12, 31), day(2025, 1, 1))
    assert response.context["form"].chosen_period == "custom"
    one_day = report(client_for(supervisor), "dashboard", period="custom", start="2025-05-05", end="2025-05-05")
    assert one_day.context["period"] == Period(day(2025, 5, 5), day(2025, 5, 5))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-03-01", "end": "2025-02-28"}, "The end date is before the start date."),
        ({"start": "2025-03-01"}, "A custom range needs both a start and an end date."),
        ({"end": "2025-03-01"}, "A custom range needs both a start and an end date."),
        ({"start": "2025-13-01", "end": "2025-12-31"}, "Enter a valid date."),
    ],
)
def test_an_invalid_custom_range_shows_its_error_and_the_default_period(
    client_for, supervisor, report, params, message
):
    client = client_for(supervisor)
    with on(day(2025, 8, 20)):
        for url_name, default in (
            ("contribution", Period(day(2025, 1, 1), day(2025, 12, 31))),
            ("dashboard", Period(day(2025, 8, 1), day(2025, 8, 31))),
        ):
            response = report(client, url_name, period="custom", **params)
            assert response.context["form"].errors
            assert response.context["period"] == default, url_name
            body = response.content.decode()
            assert message in body, url_name
            assert "Some filters are not valid" in body


@pytest.mark.django_db
def test_an_unknown_preset_falls_back_to_the_default(client_for, supervisor, report):
    with on(day(2025, 8, 20)):
        response = report(client_for(supervisor), "contribution", period="fortnight")
    assert "period" in response.context["form"].errors
    assert response.context["period"] == Period(day(2025, 1, 1), day(2025, 12, 31))


def test_months_and_bounds_of_a_range_across_a_year_end():
    period = Period(day(2024, 11, 15), day(2025, 2, 3))
    assert period.months() == [day(2024, 11, 1), day(2024, 12, 1), day(2025, 1, 1), day(2025, 2, 1)]
    # Timestamps are compared from local midnight of the first day to local midnight after the last.
    assert period.bounds == (local(day(2024, 11, 15)), local(day(2025, 2, 4)))
    assert periods.year_period(2024).months()[-1] == day(2024, 12, 1)
    assert len(periods.year_period(2024).months()) == 12


OUT_OF_BOUNDS = [
    pytest.param({"period": "custom", "start": "0001-01-01", "end": "2026-12-31"}, "start", id="start-0001"),
    pytest.param({"period": "custom", "start": "2026-01-01", "end": "9999-12-31"}, "end", id="end-9999"),
    pytest.param({"period": "custom", "start": "1999-12-31", "end": "2026-12-31"}, "start", id="start-1999"),
    pytest.param({"period": "custom", "start": "2026-01-01", "end": "2100-01-01"}, "end", id="end-2100"),
    pytest.param({"year": "1999"}, "period", id="year-1999"),
    pytest.param({"year": "9999"}, "period", id="year-9999"),
]
BOUNDS = "Choose a date between 2000-01-01 and 2099-12-31."


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["dashboard", "contribution", "service"])
@pytest.mark.parametrize(("params", "field"), OUT_OF_BOUNDS)
def test_a_period_outside_2000_to_2099_is_a_400_in_the_api(api_for, supervisor, url_name, params, field):
    response = api_for(supervisor).get(f"/api/v1/reports/{url_name}/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == [field]
    if field != "period":
        assert body["errors"][field] == [BOUNDS]


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "field"), OUT_OF_BOUNDS)
def test_a_period_outside_2000_to_2099_shows_why_on_the_page(client_for, supervisor, report, params, field):
    with on(day(2025, 8, 20)):
        response = report(client_for(supervisor), "dashboard", **params)
    assert field in response.context["form"].errors
    assert response.context["period"] == Period(day(2025, 8, 1), day(2025, 8, 31))
    if field != "period":
        assert BOUNDS in response.content.decode()


def test_the_first_and_last_days_of_the_bounds_are_accepted():
    period = Period(day(2000, 1, 1), day(2099, 12, 31))
    start, end = period.bounds
    assert (start.year, end.year) == (2000, 2100)
    assert periods.within_bounds(day(2000, 1, 1)) and periods.within_bounds(day(2099, 12, 31))
    assert not periods.within_bounds(day(1999, 12, 31)) and not periods.within_bounds(day(2100, 1, 1))
