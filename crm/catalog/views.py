from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from crm.core.spreadsheets import csv_bytes, xlsx_bytes
from crm.core.views import Column, CrmDetailView, CrmListView, CrmPageMixin

from . import selectors, services
from .filters import OrderFilter, ProductFilter, StockFilter
from .forms import ImportForm
from .importers import IMPORTERS
from .models import ImportRun

IMPORT_PERMISSION = "catalog.import_salesdata"

# Products ------------------------------------------------------------------------------------


class ProductListView(CrmListView):
    permission_required = "catalog.view_product"
    title = gettext_lazy("Products")
    filterset_class = ProductFilter
    row_template = "catalog/_product_row.html"
    columns = [
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Model"), "model"),
        Column(gettext_lazy("Grade/batch"), "batch"),
        Column(gettext_lazy("Unit")),
        Column(gettext_lazy("Price"), "price", align="text-end"),
        Column(gettext_lazy("Remark")),
        Column(gettext_lazy("Status")),
    ]
    sort_fields = {"name": ["name", "model", "batch"], "model": "model", "batch": "batch", "price": "price"}
    default_sort = "name"
    empty_message = gettext_lazy("No products yet. They arrive from the sales system through the import.")

    def get_base_queryset(self):
        return selectors.products()


class ProductDetailView(CrmDetailView):
    permission_required = "catalog.view_product"
    template_name = "catalog/product_detail.html"

    def get_object(self):
        return selectors.product_for(self.kwargs["pk"])

    def get_title(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        self.object = self.get_object()
        self.totals = selectors.stock_totals(self.object)
        context = super().get_context_data(**kwargs)
        context.update(stock=selectors.stock_of(self.object), totals=self.totals)
        return context


# Stock -----------------------------------------------------------------------------------------


class StockListView(CrmListView):
    permission_required = "catalog.view_stock"
    title = gettext_lazy("Stock")
    filterset_class = StockFilter
    row_template = "catalog/_stock_row.html"
    columns = [
        Column(gettext_lazy("Product"), "product"),
        Column(gettext_lazy("Warehouse"), "warehouse"),
        Column(gettext_lazy("Location"), "location"),
        Column(gettext_lazy("Quantity"), "quantity", align="text-end"),
        Column(gettext_lazy("Remark")),
    ]
    sort_fields = {
        "product": ["product__name", "product__model", "product__batch"],
        "warehouse": ["warehouse", "location"],
        "location": "location",
        "quantity": "quantity",
    }
    default_sort = "product"
    empty_message = gettext_lazy("No stock yet. It arrives from the sales system through the import.")

    def get_base_queryset(self):
        return selectors.stock_rows()


# Orders ----------------------------------------------------------------------------------------


class OrderListView(CrmListView):
    permission_required = "catalog.view_order"
    title = gettext_lazy("Historical orders")
    filterset_class = OrderFilter
    row_template = "catalog/_order_row.html"
    columns = [
        Column(gettext_lazy("Order number"), "number"),
        Column(gettext_lazy("Customer"), "customer"),
        Column(gettext_lazy("Order date"), "order_date"),
        Column(gettext_lazy("Status"), "status"),
        Column(gettext_lazy("Total"), "total", align="text-end"),
    ]
    sort_fields = {
        "number": "number",
        "customer": "customer__name",
        "order_date": "order_date",
        "status": "status",
        "total": "total",
    }
    default_sort = "-order_date"
    empty_message = gettext_lazy("No orders to show.")

    def get_base_queryset(self):
        return selectors.orders_for(self.request.user)


class OrderDetailView(CrmDetailView):
    permission_required = "catalog.view_order"
    template_name = "catalog/order_detail.html"

    def get_object(self):
        return selectors.order_for(self.request.user, self.kwargs["pk"])

    def get_title(self):
        return _("Order %(number)s") % {"number": self.object.number}

    def get_context_data(self, **kwargs):
        self.object = self.get_object()
        self.lines = list(selectors.lines_of(self.object))
        context = super().get_context_data(**kwargs)
        context["lines"] = self.lines
        return context


# Import ----------------------------------------------------------------------------------------


class ImportView(CrmPageMixin, TemplateView):
    """Upload a file of one kind; the result (or the row errors) is shown on the run's page."""

    permission_required = IMPORT_PERMISSION
    template_name = "catalog/import.html"
    title = gettext_lazy("Import sales-system data")

    def get(self, request, *args, **kwargs):
        return self.render(ImportForm(initial={"kind": request.GET.get("kind", ImportRun.Kind.PRODUCTS)}))

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = services.import_file(
                    kind=form.cleaned_data["kind"],
                    file=upload,
                    file_name=upload.name,
                    by=request.user,
                    source=ImportRun.Source.PAGE,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                return HttpResponseRedirect(reverse("catalog:import-run", args=[run.pk]))
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = self.get_context_data(
            form=form,
            kinds=[(kind, importer.label, importer.columns) for kind, importer in IMPORTERS.items()],
            runs=selectors.import_runs()[:10],
        )
        return self.render_to_response(context, status=status)


class ImportRunView(CrmPageMixin, TemplateView):
    permission_required = IMPORT_PERMISSION
    template_name = "catalog/import_run.html"
    shown_errors = 500

    def get_context_data(self, **kwargs):
        run = selectors.import_run_for(self.kwargs["pk"])
        return super().get_context_data(
            title=_("Import of %(kind)s") % {"kind": run.get_kind_display()},
            run=run,
            errors=run.errors[: self.shown_errors],
            more_errors=max(run.error_count - self.shown_errors, 0),
            duration=(run.finished_at - run.started_at).total_seconds(),
            **kwargs,
        )


ERROR_HEADER = (gettext_lazy("Row"), gettext_lazy("Column"), gettext_lazy("Message"), gettext_lazy("Value"))


class ImportErrorsDownloadView(CrmPageMixin, TemplateView):
    """A rejected run's row errors as CSV; every cell is neutralised against formula injection."""

    permission_required = IMPORT_PERMISSION

    def get(self, request, *args, **kwargs):
        run = selectors.import_run_for(kwargs["pk"])
        body = csv_bytes([str(h) for h in ERROR_HEADER], run.errors)
        stamp = timezone.localtime(run.started_at).strftime("%Y%m%d-%H%M")
        return _download(body, f"import-errors-{run.kind}-{stamp}.csv", "text/csv; charset=utf-8")


class ImportTemplateView(CrmPageMixin, TemplateView):
    """An empty file with the columns of one kind (CSV or XLSX; the XLSX explains each column)."""

    permission_required = IMPORT_PERMISSION

    def get(self, request, *args, **kwargs):
        importer = IMPORTERS.get(kwargs["kind"])
        if importer is None or kwargs["fmt"] not in ("csv", "xlsx"):
            raise Http404
        header = [column.key for column in importer.columns]
        name = f"{importer.kind}-template.{kwargs['fmt']}"
        if kwargs["fmt"] == "csv":
            return _download(csv_bytes(header, []), name, "text/csv; charset=utf-8")
        explanation = [
            [
                column.key,
                str(column.label),
                _("yes") if column.required else _("no"),
                " / ".join(column.aliases),
                column.example,
                str(column.help),
            ]
            for column in importer.columns
        ]
        body = xlsx_bytes(
            [
                (str(importer.label), header, []),
                (
                    _("Columns"),
                    [_("Column"), _("Meaning"), _("Required column"), _("Also accepted as"), _("Example"), _("Rules")],
                    explanation,
                ),
            ]
        )
        return _download(body, name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _download(body, file_name, content_type):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
