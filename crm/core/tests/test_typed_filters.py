"""Every typed filter of every API list refuses a value of the wrong type with a 400 in the API's
error format: never a 500 (a number beyond the database's integer range) and never a wrong answer
(``1.5`` read as 1, ``maybe`` ignored).

The filters are discovered from the viewsets' filter sets and the report pages' forms, so a new
filter is covered without touching this test.
"""

import django_filters
import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.settings import api_settings

from crm.core import filters
from crm.core.views import CrmListView

HUGE = "99999999999999999999999"
BAD_NUMBERS = [HUGE, "-" + HUGE, "1.5", "abc"]
BAD_VALUES = {
    "number": BAD_NUMBERS,
    "boolean": ["maybe", "abc", "2"],
    "date": ["2026-13-45", "abc"],
    "choice": ["abc", HUGE],
}


def _kind_of_filter(f):
    if isinstance(f, (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)):
        return "number"
    if isinstance(f, django_filters.NumberFilter):
        return "number"
    if isinstance(f, django_filters.BooleanFilter):
        return "boolean"
    if isinstance(f, (django_filters.DateFilter, django_filters.DateTimeFilter)):
        return "date"
    if isinstance(f, django_filters.ChoiceFilter):
        return "choice"
    return None  # free text: any value is a valid search


def _kind_of_field(field):
    if isinstance(field, forms.ModelChoiceField):
        return "number"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.ChoiceField):
        return "choice"
    return None


def _list_endpoints(patterns=None, prefix=""):
    """(address, viewset) of every list endpoint under /api/v1/, read from the URL configuration."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from _list_endpoints(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            actions = getattr(entry.callback, "actions", {})
            if route.startswith("api/v1/") and actions.get("get") == "list" and "(?P<" not in route:
                yield route.removeprefix("api/v1/").removesuffix("/"), entry.callback.cls


def _list_pages(patterns=None, prefix=""):
    """(address, filter set) of every list page with filters, read from the URL configuration."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _list_pages(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            view_class = getattr(entry.callback, "view_class", None)
            if view_class and issubclass(view_class, CrmListView) and view_class.filterset_class and "<" not in route:
                yield "/" + route, view_class.filterset_class


PAGE_CASES = [
    pytest.param(url, name, value, id=f"{url}?{name}={value[:12]}")
    for url, filterset_class in _list_pages()
    for name, f in filterset_class.base_filters.items()
    if _kind_of_filter(f)
    for value in BAD_VALUES[_kind_of_filter(f)]
]


def _list_filters():
    backend = filters.CrmFilterBackend()
    for prefix, viewset in dict(_list_endpoints()).items():
        page_view = getattr(viewset, "page_view", None)
        if page_view is not None:  # a report: its page's filter form
            for name, field in page_view.form_class.base_fields.items():
                if _kind_of_field(field):
                    yield prefix, name, _kind_of_field(field)
            continue
        if getattr(viewset, "queryset", None) is None:
            continue
        filterset_class = backend.get_filterset_class(viewset(), viewset.queryset)
        if filterset_class is None:
            continue
        for name, f in filterset_class.base_filters.items():
            if _kind_of_filter(f):
                yield prefix, name, _kind_of_filter(f)


CASES = [
    pytest.param(prefix, name, value, id=f"{prefix}?{name}={value[:12]}")
    for prefix, name, kind in _list_filters()
    for value in BAD_VALUES[kind]
]


def test_the_discovery_finds_the_filters_of_the_review():
    found = {(prefix, name) for prefix, name, _kind in _list_filters()}
    expected = {
        ("users", "roles"),
        ("users", "is_active"),
        ("service-requests", "assignee"),
        ("service-requests", "customer_id"),
        ("churn-records", "manager"),
        ("dictionary", "is_active"),
        ("pipeline-stages", "is_active"),
        ("products", "active"),
        ("reports/dashboard", "start"),
        ("reports/churn", "manager"),
    }
    assert expected <= found
    # The API really uses the backend the discovery asks.
    assert filters.CrmFilterBackend in api_settings.DEFAULT_FILTER_BACKENDS


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root_t", password="x")


@pytest.mark.parametrize(("prefix", "name", "value"), CASES)
def test_a_wrongly_typed_filter_value_is_a_400_in_the_error_format(api_for, superuser, prefix, name, value):
    query = {name: value}
    if prefix.startswith("reports/") and name in ("start", "end"):
        query = {"period": "custom", "start": "2026-01-01", "end": "2026-01-31", name: value}
    response = api_for(superuser).get(f"/api/v1/{prefix}/", query)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and body["message"]
    # A report's ``year`` is read as its period choice.
    assert name in body["errors"] or (name == "year" and "period" in body["errors"]), body


def test_the_page_discovery_finds_the_list_pages():
    urls = {url for url, _filterset in _list_pages()}
    assert {"/accounts/users/", "/catalog/products/", "/customers/", "/service/archive/"} <= urls


@pytest.mark.parametrize(("url", "name", "value"), PAGE_CASES)
def test_a_wrongly_typed_filter_value_on_a_list_page_shows_the_form_error(client_for, superuser, url, name, value):
    response = client_for(superuser).get(url, {name: value})
    assert response.status_code == 200
    filterset = response.context["filterset"]
    assert name in filterset.form.errors
    assert not response.context["rows"]  # nothing rather than a wrong answer
