"""The reports as JSON: the same filters (query string), scope and tables as their pages.

Each endpoint runs its page's own ``report()`` and returns its tables (column labels, rows,
footer), the figures beside them and the page information, so a BI tool reads exactly what a
person sees. Charts are left out: they are drawn from the same rows.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.response import Response

from . import views
from .periods import Period
from .tables import Link, Table

# A period lies between 2000-01-01 and 2099-12-31 (``periods``); the patterns say so to a client.
REPORT_DATE = {"type": "string", "format": "date", "pattern": "^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"}
PERIODS = "this_month|last_month|this_quarter|last_quarter|this_year|last_year|last_12_months|custom|20[0-9]{2}"
FREE_TEXT = {"name"}  # the only parameters an empty value is meaningful for

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        {"type": "string", "pattern": f"^({PERIODS})$"},
        description="this_month, last_month, this_quarter, last_quarter, this_year, "
        "last_year, last_12_months, a year such as 2025, or custom",
    ),
    OpenApiParameter("start", REPORT_DATE, description="with period=custom; from 2000-01-01 to 2099-12-31"),
    OpenApiParameter("end", REPORT_DATE, description="with period=custom; from 2000-01-01 to 2099-12-31"),
    OpenApiParameter(
        "year", {"type": "integer", "minimum": 2000, "maximum": 2099}, description="a calendar year, instead of period"
    ),
]
PARAMETERS = {
    views.DashboardView: [
        OpenApiParameter(
            "subject",
            {"type": "string", "pattern": "^(all|department-[0-9]+|employee-[0-9]+)$"},
            description="all, department-<id> or employee-<id>",
        ),
        *PERIOD_PARAMETERS,
    ],
    views.ContributionView: [
        *PERIOD_PARAMETERS,
        OpenApiParameter("name", str, description="part of the customer's name"),
        OpenApiParameter("page", int),
    ],
    views.CompositionView: [
        OpenApiParameter("by", str, enum=["grade", "credit", "satisfaction", "region"]),
        OpenApiParameter("region", int, description="a region's dictionary item id"),
    ],
    views.ServiceCompositionView: PERIOD_PARAMETERS,
    views.ChurnAnalysisView: [
        OpenApiParameter("year", int, description="the year of loss"),
        OpenApiParameter("name", str, description="part of the customer's name"),
        OpenApiParameter("manager", int, description="the account manager's user id"),
        OpenApiParameter("page", int),
    ],
}


def _value(value):
    if isinstance(value, Link):
        return value.text
    if isinstance(value, Decimal):
        return f"{value:.2f}"  # money as the API's other amounts: a string with its cents
    if isinstance(value, (int, float, datetime.date)) or value is None:
        return value
    return str(value)


def _json(value):
    if isinstance(value, Table):
        return {
            "columns": value.header,
            "rows": [[_value(cell) for cell in row] for row in value.rows],
            "footer": [_value(cell) for cell in value.footer],
        }
    if isinstance(value, Period):
        return {"start": value.start, "end": value.end}
    if isinstance(value, dict):
        return {key: _value(item) for key, item in value.items()}
    return _value(value)


class ReportViewSet(viewsets.ViewSet):
    page_view = None  # the report page whose report() this endpoint answers with
    figures = (
        "period",
        "table",
        "side_table",
        "summary",
        "brief",
        "performance_totals",
        "funnel_table",
        "ranking_table",
    )

    def list(self, request):
        empty = [k for k, values in request.query_params.lists() if k not in FREE_TEXT and "" in values]
        if empty:
            raise ValidationError({name: [_("Give a value, or leave this parameter out.")] for name in empty})
        view = self.page_view()
        view.setup(request._request)
        form = view.get_form()
        if form.is_bound and not form.is_valid():
            raise ValidationError(form.errors.as_data())  # the page shows defaults; a program gets a 400
        context = view.report(form)
        body = {"report": str(view.get_title())}
        body.update({key: _json(context[key]) for key in self.figures if context.get(key) is not None})
        if context.get("page") is not None:
            page = context["page"]
            body["page"] = {"number": page.number, "pages": page.paginator.num_pages, "count": page.paginator.count}
        return Response(body)


def _endpoint(page_view):
    viewset = type(
        f"{page_view.__name__}Api",
        (ReportViewSet,),
        {"page_view": page_view, "required_permissions": [page_view.permission_required]},
    )
    schema = extend_schema(
        summary=str(page_view.title),
        description=(page_view.__doc__ or "").strip(),
        parameters=PARAMETERS[page_view],
        responses={200: OpenApiTypes.OBJECT},
    )
    return extend_schema_view(list=schema)(viewset)


ENDPOINTS = {
    "dashboard": views.DashboardView,
    "contribution": views.ContributionView,
    "composition": views.CompositionView,
    "service": views.ServiceCompositionView,
    "churn": views.ChurnAnalysisView,
}


def register(router):
    for name, page_view in ENDPOINTS.items():
        router.register(f"reports/{name}", _endpoint(page_view), basename=f"report-{name}")
