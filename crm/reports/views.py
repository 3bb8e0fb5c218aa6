"""Report pages: filters, a chart and a table, and the table's export (``?export=csv|xlsx``)."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView

from crm.core.views import CrmPageMixin

from . import charts, selectors
from .forms import ChurnForm, CompositionForm, ContributionForm, DashboardForm, PeriodForm
from .menu import CHURN, COMPOSITION, CONTRIBUTION, DASHBOARD, SERVICE
from .tables import EXPORT_LIMIT, Link, ReportColumn, Table, export_response

PAGE_SIZE = 20
CUSTOMERS = pgettext_lazy("report column", "Customers")  # a count, not the menu entry


class KnownCountPaginator(Paginator):
    """A paginator told its count, when the report has already computed it with its totals."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self):
        return self._known_count


class ReportView(CrmPageMixin, TemplateView):
    """A report page. Subclasses build ``report(form)`` → dict with ``table`` (a ``Table``), and
    optionally ``chart`` (an ECharts option), ``page`` and ``summary``. The export writes the
    table for every row the filters select (not only the page on screen)."""

    template_name = "reports/report.html"
    results_template = "reports/_report_results.html"
    form_class = PeriodForm
    chart_title = ""

    def get_form(self):
        return self.form_class(self.request.GET or None, user=self.request.user)

    def get_template_names(self):
        # Filtering and paging through htmx replace only the results.
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.results_template]
        return [self.template_name]

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("export")
        if file_format in ("csv", "xlsx"):
            form = self.get_form()
            table = self.export_table(form)
            if table is None:
                messages.error(
                    request,
                    _("The export is limited to %(limit)s rows; narrow the filters and export again.")
                    % {"limit": f"{EXPORT_LIMIT:,}"},
                )
                query = request.GET.copy()
                query.pop("export")
                return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
            return export_response(table, title=str(self.get_title()), file_format=file_format)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.get_form()
        context.update(form=form, chart_title=self.chart_title, results_template=self.results_template)
        context.update(self.report(form))
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context["query"] = query.urlencode()
        return context

    def report(self, form):
        raise NotImplementedError

    def export_table(self, form):
        """The table to export, or None when it would exceed ``EXPORT_LIMIT`` rows."""
        return self.report(form)["table"]

    def paginate(self, rows, *, count):
        paginator = KnownCountPaginator(rows, PAGE_SIZE, count=count)
        return paginator.get_page(self.request.GET.get("page"))


def _whole(amount):
    """Whole yuan, where the table is an overview (estimates, rankings) and cents only crowd it."""
    return None if amount is None else int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _customer_link(customer):
    return Link(customer.name, reverse("customers:customer-detail", args=[customer.pk]))


class ContributionView(ReportView):
    """R-REP-1: order amount per customer in the period, largest first."""

    title = _("Customer contribution")
    permission_required = CONTRIBUTION
    form_class = ContributionForm
    chart_title = _("Top 10 customers by order amount")

    def figures(self, form):
        filters = form.filters()
        return selectors.contribution(self.request.user, period=form.get_period(), name=filters.get("name") or "")

    def table(self, rows, *, start=0, summary):
        columns = [
            ReportColumn(_("Rank"), numeric=True),
            ReportColumn(_("Customer number")),
            ReportColumn(_("Customer")),
            ReportColumn(_("Account manager")),
            ReportColumn(_("Orders"), numeric=True),
            ReportColumn(_("Amount (yuan)"), numeric=True),
        ]
        body = [
            [
                start + index,
                row["customer"].number,
                _customer_link(row["customer"]),
                row["customer"].owner.display_name if row["customer"].owner else None,
                row["orders"],
                row["amount"],
            ]
            for index, row in enumerate(selectors.with_customers(rows), start=1)
        ]
        footer = [_("Total"), None, None, None, summary["orders"], summary["amount"]]
        return Table(columns, body, footer)

    def report(self, form):
        rows, summary = self.figures(form)
        page = self.paginate(rows, count=summary["customers"])
        table = self.table(page.object_list, start=page.start_index() - 1, summary=summary)
        top = table.rows[:10] if page.number == 1 else self.table(rows[:10], summary=summary).rows
        chart = charts.bars(
            [str(row[2]) for row in top], [(_("Amount (yuan)"), [row[5] for row in top])], horizontal=True
        )
        return {
            "table": table,
            "page": page,
            "chart": chart if top else None,
            "summary": summary,
            "period": form.get_period(),
        }

    def export_table(self, form):
        rows, summary = self.figures(form)
        if summary["customers"] > EXPORT_LIMIT:
            return None
        return self.table(rows, summary=summary)


class CompositionView(ReportView):
    """R-REP-2: customers in status normal by grade, credit, satisfaction or region."""

    title = _("Customer composition")
    permission_required = COMPOSITION
    form_class = CompositionForm

    def report(self, form):
        filters = form.filters()
        by = filters.get("by") or "grade"
        rows, total = selectors.composition(self.request.user, by=by, region=filters.get("region"))
        dimension = selectors.COMPOSITION_DIMENSIONS[by]
        columns = [
            ReportColumn(dimension),
            ReportColumn(CUSTOMERS, numeric=True),
            ReportColumn(_("Share (%)"), numeric=True),
        ]
        table = Table(
            columns,
            [[row["label"], row["count"], row["share"]] for row in rows],
            [_("Total"), total, 100.0 if total else 0.0],
        )
        chart = charts.pie([(row["label"], row["count"]) for row in rows], name=CUSTOMERS) if rows else None
        return {
            "table": table,
            "chart": chart,
            "chart_title": _("Customers by %(dimension)s") % {"dimension": dimension},
        }


class ServiceCompositionView(ReportView):
    """R-REP-3: service requests created in the period, by type and status."""

    title = _("Service composition")
    permission_required = SERVICE
    chart_title = _("Requests by service type")

    def report(self, form):
        period = form.get_period()
        rows, total = selectors.service_composition(self.request.user, period=period)
        statuses = selectors.SERVICE_STATUSES
        columns = [
            ReportColumn(_("Service type")),
            ReportColumn(_("Requests"), numeric=True),
            *[ReportColumn(status.label, numeric=True) for status in statuses],
            ReportColumn(_("Share (%)"), numeric=True),
        ]
        body = [[row["label"], row["total"], *row["statuses"], row["share"]] for row in rows]
        footer = [
            _("Total"),
            total,
            *[sum(row["statuses"][i] for row in rows) for i in range(len(statuses))],
            100.0 if total else 0.0,
        ]
        chart = None
        if rows:
            chart = charts.bars(
                [row["label"] for row in rows],
                [(status.label, [row["statuses"][i] for row in rows]) for i, status in enumerate(statuses)],
                stacked=True,
                counts=True,
            )
        return {"table": Table(columns, body, footer), "chart": chart, "period": period}


class ChurnAnalysisView(ReportView):
    """R-REP-4: confirmed-lost customers with their last order and reason; reasons summarised."""

    title = _("Churn analysis")
    permission_required = CHURN
    form_class = ChurnForm
    chart_title = _("Losses by reason")

    def records(self, form):
        filters = form.filters()
        return selectors.lost_customers(
            self.request.user, year=filters.get("year"), name=filters.get("name") or "", manager=filters.get("manager")
        )

    def table(self, records):
        columns = [
            ReportColumn(_("Year")),
            ReportColumn(_("Customer number")),
            ReportColumn(_("Customer")),
            ReportColumn(_("Account manager")),
            ReportColumn(_("Last order date")),
            ReportColumn(_("Lost date")),
            ReportColumn(_("Reason category")),
            ReportColumn(_("Reason")),
        ]
        body = [
            [
                str(record.lost_date.year) if record.lost_date else None,
                record.customer.number,
                _customer_link(record.customer),
                record.customer.owner.display_name if record.customer.owner else None,
                record.last_order_date,
                record.lost_date,
                record.reason_category.label if record.reason_category else None,
                record.reason,
            ]
            for record in records
        ]
        return Table(columns, body)

    def report(self, form):
        records = self.records(form)
        reasons, total = selectors.churn_reasons(records)
        page = self.paginate(selectors.churn_rows(records), count=total)
        reason_table = Table(
            [
                ReportColumn(_("Reason category")),
                ReportColumn(CUSTOMERS, numeric=True),
                ReportColumn(_("Share (%)"), numeric=True),
            ],
            [[row["label"], row["count"], row["share"]] for row in reasons],
            [_("Total"), total, 100.0 if total else 0.0],
        )
        chart = charts.pie([(row["label"], row["count"]) for row in reasons], name=CUSTOMERS) if reasons else None
        return {"table": self.table(page.object_list), "page": page, "chart": chart, "side_table": reason_table}

    def export_table(self, form):
        records = self.records(form)
        if records.count() > EXPORT_LIMIT:
            return None
        return self.table(selectors.churn_rows(records))


class DashboardView(ReportView):
    """R-REP-5: the brief, performance against targets, funnel and trend for one subject."""

    title = _("Dashboard")
    permission_required = DASHBOARD
    template_name = "reports/dashboard.html"
    results_template = "reports/_dashboard_results.html"
    form_class = DashboardForm

    def report(self, form):
        user, period, subject = self.request.user, form.get_period(), form.get_subject()
        brief = selectors.sales_brief(user, period=period, subject=subject)
        brief["amount_whole"] = _whole(brief["amount"])
        months, totals = selectors.performance(user, period=period, subject=subject)
        stages, won = selectors.funnel(user, period=period, subject=subject)
        trend = selectors.sales_trend(user, period=period, subject=subject)
        ranking = selectors.ranking(user, period=period, subject=subject)
        month_labels = [date_format(row["month"], "YEAR_MONTH_FORMAT") for row in months]
        performance_table = Table(
            [
                ReportColumn(_("Month")),
                ReportColumn(_("Target (yuan)"), numeric=True),
                ReportColumn(_("Actual (yuan)"), numeric=True),
                ReportColumn(_("Completion (%)"), numeric=True),
            ],
            [
                [label, row["target"], row["actual"], row["rate"]]
                for label, row in zip(month_labels, months, strict=True)
            ],
            [_("Total"), totals["target"], totals["actual"], totals["rate"]],
        )
        funnel_table = Table(
            [
                ReportColumn(_("Stage")),
                ReportColumn(_("Win rate (%)"), numeric=True),
                ReportColumn(_("Opportunities"), numeric=True),
                ReportColumn(_("Expected amount (yuan)"), numeric=True),
                ReportColumn(_("Weighted amount (yuan)"), numeric=True),
            ],
            [
                [row["label"], row["win_rate"], row["count"], _whole(row["amount"]), _whole(row["weighted"])]
                for row in stages
            ],
            [_("Won in the period"), None, won["count"], _whole(won["amount"]), None],
        )
        ranking_table = Table(
            [
                ReportColumn(_("Employee")),
                ReportColumn(_("Orders"), numeric=True),
                ReportColumn(_("Amount (yuan)"), numeric=True),
                ReportColumn(_("Target (yuan)"), numeric=True),
                ReportColumn(_("Completion (%)"), numeric=True),
            ],
            [
                [row["user"].display_name, row["orders"], _whole(row["amount"]), _whole(row["target"]), row["rate"]]
                for row in ranking
            ],
        )
        trend_labels = [date_format(month, "YEAR_MONTH_FORMAT") for month, _amount in trend]
        return {
            "period": period,
            "brief": brief,
            "table": performance_table,
            "performance_totals": totals,
            "performance_chart": charts.target_and_actual(
                month_labels,
                target_name=_("Target"),
                targets=[row["target"] for row in months],
                actual_name=_("Actual"),
                actuals=[row["actual"] for row in months],
            ),
            "funnel_table": funnel_table,
            "funnel_chart": charts.funnel(
                [(row["label"], row["count"]) for row in stages if row["count"]], name=_("Opportunities")
            )
            if any(row["count"] for row in stages)
            else None,
            "trend_chart": charts.line(
                trend_labels, [(_("Order amount (yuan)"), [amount for _month, amount in trend])]
            ),
            "ranking_table": ranking_table,
        }
