from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from crm.core.filters import in_integer_range
from crm.core.views import (
    Column,
    CrmConfirmView,
    CrmDetailView,
    CrmEditView,
    CrmFormView,
    CrmListView,
    CrmPageMixin,
    Tab,
)

from . import order_facts, selectors, services
from .filters import ChurnFilter, CustomerFilter, FollowUpFilter
from .forms import ActivityForm, ConfirmLostForm, ContactForm, CustomerForm, PostponeForm, TransferForm
from .models import ChurnRecord, Customer
from .pagination import LargeListPaginator


def detail_url(customer, tab=""):
    url = reverse("customers:customer-detail", args=[getattr(customer, "pk", customer)])
    return f"{url}#tab-{tab}" if tab else url


# Customers ---------------------------------------------------------------------------------------


class CustomerListView(CrmListView):
    permission_required = "customers.view_customer"
    title = gettext_lazy("Customers")
    template_name = "customers/customer_list.html"
    filterset_class = CustomerFilter
    row_template = "customers/_customer_row.html"
    sort_fields = {
        "number": "number",
        "name": "name",
        "region": "region__sort_order",
        "owner": "owner__username",
        "grade": "grade__sort_order",
        "satisfaction": "satisfaction",
        "credit": "credit",
        "status": "status",
        "created": "created_at",
    }
    default_sort = "-created"
    create_url = reverse_lazy("customers:customer-create")
    create_permission = "customers.add_customer"
    create_label = gettext_lazy("New customer")
    empty_message = gettext_lazy("No customers yet.")

    @property
    def columns(self):
        select_all = format_html(
            '<input type="checkbox" class="form-check-input" aria-label="{}" data-select-all="ids">',
            _("Select all"),
        )
        columns = [
            Column(gettext_lazy("Number"), "number"),
            Column(gettext_lazy("Customer name"), "name"),
            Column(gettext_lazy("Region"), "region"),
            Column(gettext_lazy("Manager"), "owner"),
            Column(gettext_lazy("Grade"), "grade"),
            Column(gettext_lazy("Satisfaction"), "satisfaction"),
            Column(gettext_lazy("Credit"), "credit"),
            Column(gettext_lazy("Status"), "status"),
            Column("", align="text-end"),
        ]
        if self.request.user.has_perm("customers.transfer_customer"):
            columns.insert(0, Column(select_all))
        return columns

    paginator_class = LargeListPaginator  # neither counts nor skips a million rows

    def get_base_queryset(self):
        queryset = selectors.customers_for(self.request.user)
        if not self.request.GET.get("status"):
            queryset = queryset.exclude(status=Customer.Status.DELETED)
        return queryset


class CustomerFormMixin:
    form_class = CustomerForm
    template_name = "customers/customer_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}


class CustomerCreateView(CustomerFormMixin, CrmFormView):
    permission_required = "customers.add_customer"
    title = gettext_lazy("New customer")
    cancel_url = reverse_lazy("customers:customer-list")

    def get_form(self):
        form = super().get_form()
        if not form.is_bound:
            form.initial["owner"] = self.request.user.pk
        return form

    def perform(self, form):
        return services.create_customer(by=self.request.user, **form.service_fields())

    def get_success_message(self, result):
        return _("Customer %(name)s created with number %(number)s.") % {"name": result.name, "number": result.number}

    def get_success_url(self, result):
        return detail_url(result)


class CustomerEditView(CustomerFormMixin, CrmEditView):
    permission_required = "customers.change_customer"

    def get_object(self):
        return selectors.customer_for(self.request.user, self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        # Only customers in status normal are edited (R-CUST-2): a lost or deleted one has no form.
        decision = services.can(request.user, self.object, "edit")
        if not decision:
            messages.error(request, decision.reason)
            return HttpResponseRedirect(detail_url(self.object))
        return super().get(request, *args, **kwargs)

    def get_title(self):
        return _("Edit customer %(name)s") % {"name": self.object.name}

    def get_cancel_url(self):
        return detail_url(self.object)

    def perform(self, form):
        return services.update_customer(
            self.object,
            by=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            **form.service_fields(),
        )

    def get_success_url(self, result):
        return detail_url(result)


class CustomerDeleteView(CrmConfirmView):
    permission_required = "customers.delete_customer"
    title = gettext_lazy("Delete customer")
    confirm_label = gettext_lazy("Delete")
    success_message = gettext_lazy("Customer deleted.")

    def get_object(self):
        return selectors.customer_for(self.request.user, self.kwargs["pk"])

    def get_question(self):
        return _(
            "Delete the customer %(name)s (%(number)s)? It leaves the customer list; its contacts, "
            "interaction records and history are kept."
        ) % {"name": self.object.name, "number": self.object.number}

    def perform(self):
        services.delete_customer(self.object, by=self.request.user)

    def get_success_url(self):
        return reverse("customers:customer-list")

    def get_cancel_url(self):
        return detail_url(self.object)


class CustomerDetailView(CrmDetailView):
    permission_required = "customers.view_customer"
    template_name = "customers/customer_detail.html"

    def get_object(self):
        return selectors.customer_for(self.request.user, self.kwargs["pk"])

    def get_title(self):
        return self.object.name

    def get_tabs(self):
        user, pk = self.request.user, self.object.pk
        counts = selectors.customer_counts(self.object)
        tabs = [Tab("info", _("Basic information"))]
        if user.has_perm("customers.view_contact"):
            tabs.append(Tab("contacts", _("Contacts"), reverse("customers:contact-tab", args=[pk]), counts["contacts"]))
        if user.has_perm("customers.view_activity"):
            tabs.append(
                Tab(
                    "activities",
                    _("Interaction records"),
                    reverse("customers:activity-tab", args=[pk]),
                    counts["activities"],
                )
            )
        if OrderTabView.allowed(user):
            tabs.append(Tab("orders", _("Orders"), reverse("customers:order-tab", args=[pk])))
        if user.has_perm("sales.view_opportunity"):
            tabs.append(Tab("opportunities", _("Opportunities"), reverse("sales:customer-opportunities", args=[pk])))
        if user.has_perm("service.view_servicerequest"):
            # The service module renders the tab; linked by URL name, so no import of that app.
            tabs.append(Tab("service", _("Service requests"), reverse("service:customer-requests", args=[pk])))
        if user.has_perm("customers.view_churnrecord"):
            tabs.append(
                Tab("churn", _("Churn records"), reverse("customers:churn-tab", args=[pk]), counts["churn_records"])
            )
        tabs.append(Tab("log", _("Operation log"), reverse("audit:record-log", args=["customers.customer", pk])))
        return tabs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        context.update(
            missing=services.missing_fields(customer),
            last_order_date=selectors.last_order_date(customer),
            open_churn=selectors.open_churn_record(customer),
        )
        return context


class CustomerTabView(CrmPageMixin, TemplateView):
    """A tab of the customer page, loaded with htmx; opened directly it shows the whole page."""

    tab = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.customer = selectors.customer_for(request.user, kwargs["pk"])
            if not getattr(request, "htmx", False):
                return HttpResponseRedirect(detail_url(self.customer, self.tab))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(customer=self.customer, **kwargs)


class ContactTabView(CustomerTabView):
    permission_required = "customers.view_contact"
    template_name = "customers/_contacts_tab.html"
    tab = "contacts"

    def get_context_data(self, **kwargs):
        contacts = selectors.contacts_for(self.request.user).filter(customer=self.customer).order_by("pk")
        return super().get_context_data(contacts=contacts, **kwargs)


class ActivityTabView(CustomerTabView):
    permission_required = "customers.view_activity"
    template_name = "customers/_activities_tab.html"
    tab = "activities"

    def get_context_data(self, **kwargs):
        activities = selectors.activities_for(self.request.user).filter(customer=self.customer)
        return super().get_context_data(activities=activities, today=timezone.localdate(), **kwargs)


class OrderTabView(CustomerTabView):
    permission_required = "customers.view_customer"
    template_name = "customers/_orders_tab.html"
    tab = "orders"

    @staticmethod
    def allowed(user):
        # Once the catalog holds the orders, its order permission decides who may read them.
        return not order_facts.available() or user.has_perm("catalog.view_order")

    def has_permission(self):
        return super().has_permission() and self.allowed(self.request.user)

    def get_context_data(self, **kwargs):
        orders = order_facts.orders_of(self.customer)
        rows = []
        if orders is not None:
            for order in orders[:200]:
                try:
                    url = reverse("catalog:order-detail", args=[order.pk])
                except NoReverseMatch:
                    url = ""
                rows.append((order, url))
        return super().get_context_data(catalog_installed=orders is not None, orders=rows, **kwargs)


class ChurnTabView(CustomerTabView):
    permission_required = "customers.view_churnrecord"
    template_name = "customers/_churn_tab.html"
    tab = "churn"

    def get_context_data(self, **kwargs):
        records = (
            selectors.churn_records_for(self.request.user)
            .filter(customer=self.customer)
            .prefetch_related("measures")
            .order_by("-created_date", "-pk")
        )
        return super().get_context_data(records=records, **kwargs)


# Contacts and interaction records ----------------------------------------------------------------


class CustomerChildFormView(CrmFormView):
    """Add or edit a contact / interaction record from its customer's page."""

    tab = ""
    model_label = ""

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        if request.user.is_authenticated:
            self.customer = selectors.customer_for(request.user, kwargs["pk"])
            if "child" in kwargs:
                self.object = self.get_child(kwargs["child"])
        return super().dispatch(request, *args, **kwargs)

    def get_child(self, pk):
        raise NotImplementedError

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(customer=self.customer, object=self.object, **kwargs)

    def get_cancel_url(self):
        return detail_url(self.customer, self.tab)

    def get_success_url(self, result):
        return detail_url(self.customer, self.tab)


class ContactCreateView(CustomerChildFormView):
    permission_required = "customers.add_contact"
    form_class = ContactForm
    tab = "contacts"
    success_message = gettext_lazy("Contact added.")

    def get_title(self):
        return _("New contact of %(customer)s") % {"customer": self.customer.name}

    def perform(self, form):
        return services.create_contact(customer=self.customer, by=self.request.user, **form.service_fields())


class ContactEditView(CustomerChildFormView):
    permission_required = "customers.change_contact"
    form_class = ContactForm
    tab = "contacts"
    template_name = "customers/child_form.html"
    log_label = "customers.contact"

    def get_child(self, pk):
        return selectors.contact_for(self.request.user, self.customer, pk)

    def get_title(self):
        return _("Edit contact %(name)s of %(customer)s") % {"name": self.object.name, "customer": self.customer.name}

    def get_context_data(self, **kwargs):
        return super().get_context_data(log_label=self.log_label, **kwargs)

    def perform(self, form):
        return services.update_contact(
            self.object,
            by=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            **form.service_fields(),
        )


class ActivityCreateView(CustomerChildFormView):
    permission_required = "customers.add_activity"
    form_class = ActivityForm
    tab = "activities"
    success_message = gettext_lazy("Interaction record added.")

    def get_form(self):
        form = super().get_form()
        if not form.is_bound:
            form.initial["date"] = timezone.localdate()
        return form

    def get_title(self):
        return _("New interaction record with %(customer)s") % {"customer": self.customer.name}

    def perform(self, form):
        return services.create_activity(customer=self.customer, by=self.request.user, **form.service_fields())


class ActivityEditView(ContactEditView):
    permission_required = "customers.change_activity"
    form_class = ActivityForm
    tab = "activities"
    log_label = "customers.activity"
    success_message = gettext_lazy("Saved.")

    def get_child(self, pk):
        return selectors.activity_for(self.request.user, self.customer, pk)

    def get_title(self):
        return _("Edit interaction record of %(customer)s") % {"customer": self.customer.name}

    def perform(self, form):
        return services.update_activity(
            self.object,
            by=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            **form.service_fields(),
        )


class ContactDeleteView(CrmConfirmView):
    permission_required = "customers.delete_contact"
    title = gettext_lazy("Delete contact")
    confirm_label = gettext_lazy("Delete")
    success_message = gettext_lazy("Contact deleted.")
    tab = "contacts"

    def get_object(self):
        self.customer = selectors.customer_for(self.request.user, self.kwargs["pk"])
        return selectors.contact_for(self.request.user, self.customer, self.kwargs["child"])

    def get_question(self):
        return _("Delete the contact %(name)s of %(customer)s? This cannot be undone.") % {
            "name": self.object.name,
            "customer": self.customer.name,
        }

    def perform(self):
        services.delete_contact(self.object, by=self.request.user)

    def get_success_url(self):
        return detail_url(self.customer, self.tab)


class ActivityDeleteView(ContactDeleteView):
    permission_required = "customers.delete_activity"
    title = gettext_lazy("Delete interaction record")
    success_message = gettext_lazy("Interaction record deleted.")
    tab = "activities"

    def get_object(self):
        self.customer = selectors.customer_for(self.request.user, self.kwargs["pk"])
        return selectors.activity_for(self.request.user, self.customer, self.kwargs["child"])

    def get_question(self):
        return _(
            "Delete the interaction record “%(summary)s” of %(date)s with %(customer)s? This cannot be undone."
        ) % {
            "summary": self.object.summary,
            "date": self.object.date,
            "customer": self.customer.name,
        }

    def perform(self):
        services.delete_activity(self.object, by=self.request.user)


class FollowUpListView(CrmListView):
    permission_required = "customers.view_activity"
    title = gettext_lazy("My follow-ups")
    filterset_class = FollowUpFilter
    row_template = "customers/_follow_up_row.html"
    columns = [
        Column(gettext_lazy("Next contact"), "next_contact_date"),
        Column(gettext_lazy("Customer"), "customer"),
        Column(gettext_lazy("Manager")),
        Column(gettext_lazy("Follow-up method")),
        Column(gettext_lazy("Last interaction"), "date"),
        Column(gettext_lazy("Summary")),
        Column("", align="text-end"),
    ]
    sort_fields = {"next_contact_date": "next_contact_date", "customer": "customer__name", "date": "date"}
    default_sort = "next_contact_date"
    empty_message = gettext_lazy("No follow-ups planned. Set a next contact date on an interaction record.")

    def get_base_queryset(self):
        mine = self.request.GET.get("whose") != "all"
        return selectors.upcoming_follow_ups(self.request.user, mine=mine)

    def get_context_data(self, **kwargs):
        return super().get_context_data(today=timezone.localdate(), **kwargs)


# Transfer ----------------------------------------------------------------------------------------


class TransferView(CrmFormView):
    permission_required = "customers.transfer_customer"
    title = gettext_lazy("Transfer customers")
    template_name = "customers/transfer.html"
    form_class = TransferForm
    submit_label = gettext_lazy("Transfer")
    cancel_url = reverse_lazy("customers:customer-list")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            source = request.POST if request.method == "POST" else request.GET
            try:
                ids = sorted({int(i) for i in source.getlist("ids")})
            except ValueError:
                raise Http404 from None
            if not all(in_integer_range(i) for i in ids):
                raise Http404
            self.customers = list(selectors.customers_for(request.user).filter(pk__in=ids).order_by("name"))
            if len(self.customers) != len(ids):
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(customers=self.customers, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.transfer_customers(
            customers=self.customers, to=data["to"], by=self.request.user, with_contacts=data["with_contacts"]
        ), data["to"]

    def get_success_message(self, result):
        moved, to = result
        count = len(moved)
        return ngettext(
            "%(count)d customer transferred to %(name)s.", "%(count)d customers transferred to %(name)s.", count
        ) % {"count": count, "name": to.display_name}

    def get_success_url(self, result):
        if len(self.customers) == 1:
            return detail_url(self.customers[0])
        return reverse("customers:customer-list")


# Churn -------------------------------------------------------------------------------------------


class ChurnListView(CrmListView):
    permission_required = "customers.view_churnrecord"
    title = gettext_lazy("Churn warnings")
    filterset_class = ChurnFilter
    row_template = "customers/_churn_row.html"
    columns = [
        Column(gettext_lazy("Number"), "number"),
        Column(gettext_lazy("Customer"), "customer"),
        Column(gettext_lazy("Manager"), "owner"),
        Column(gettext_lazy("Last order date"), "last_order_date"),
        Column(gettext_lazy("Warning date"), "created_date"),
        Column(gettext_lazy("Lost date"), "lost_date"),
        Column(gettext_lazy("Status"), "status"),
        Column("", align="text-end"),
    ]
    sort_fields = {
        "number": "customer__number",
        "customer": "customer__name",
        "owner": "customer__owner__username",
        "last_order_date": "last_order_date",
        "created_date": "created_date",
        "lost_date": "lost_date",
        "status": "status",
    }
    default_sort = "-created_date"
    empty_message = gettext_lazy("No churn warnings. The daily check opens one when a customer stops ordering.")

    def get_base_queryset(self):
        queryset = selectors.churn_records_for(self.request.user)
        if not self.request.GET.get("status"):
            queryset = queryset.filter(status__in=ChurnRecord.OPEN_STATUSES)
        return queryset


class ChurnActionView(CrmFormView):
    permission_required = "customers.change_churnrecord"
    template_name = "customers/churn_action.html"
    cancel_url = reverse_lazy("customers:churn-list")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.record = selectors.churn_record_for(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            record=self.record,
            customer=self.record.customer,
            measures=self.record.measures.all(),
            may_act=services.may_act_on_churn(self.record, self.request.user),
            **kwargs,
        )

    def get_success_url(self, result):
        return reverse("customers:churn-list")


class ChurnPostponeView(ChurnActionView):
    form_class = PostponeForm
    submit_label = gettext_lazy("Postpone")
    success_message = gettext_lazy("Measure recorded; the churn warning is postponed.")

    def get_title(self):
        return _("Postpone the loss of %(customer)s") % {"customer": self.record.customer.name}

    def perform(self, form):
        return services.postpone_churn(self.record, measure=form.cleaned_data["measure"], by=self.request.user)


class ChurnConfirmView(ChurnActionView):
    form_class = ConfirmLostForm
    submit_label = gettext_lazy("Confirm lost")
    success_message = gettext_lazy("The customer is recorded as lost.")
    danger = True

    def get_title(self):
        return _("Confirm the loss of %(customer)s") % {"customer": self.record.customer.name}

    def get_context_data(self, **kwargs):
        return super().get_context_data(danger=True, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.confirm_churn(
            self.record, reason=data["reason"], reason_category=data.get("reason_category"), by=self.request.user
        )
