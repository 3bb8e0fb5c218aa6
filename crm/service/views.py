"""Service management pages (服务创建, 服务分配, 服务处理, 服务反馈, 服务归档) and a request's page.

Every page reaches a request through ``selectors.service_request_for`` (404 outside the data
scope) and changes it only through ``services``; a refused change shows the service's message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from crm.core.views import Column, CrmConfirmView, CrmDetailView, CrmFormView, CrmListView, CrmPageMixin, Tab
from crm.customers.models import Customer

from . import selectors, services
from .filters import ArchiveFilter, ServiceRequestFilter
from .forms import AssignForm, FeedbackForm, HandleForm, ServiceRequestForm
from .models import ServiceRequest


def detail_url(service_request):
    return reverse("service:detail", args=[getattr(service_request, "pk", service_request)])


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


# Lists -------------------------------------------------------------------------------------------


class RequestListView(CrmListView):
    filterset_class = ServiceRequestFilter
    sort_fields = {
        "number": "pk",
        "created": "created_at",
        "customer": "customer__name",
        "type": "service_type__sort_order",
        "summary": "summary",
        "status": "status",
        "assignee": "assignee__username",
        "assigned": "assigned_at",
        "handled": "latest_round__handled_at",
        "archived": "archived_at",
    }


class AssignmentListView(RequestListView):
    """服务分配: new requests in the supervisor's scope, each assigned from its row."""

    permission_required = services.ASSIGN
    title = gettext_lazy("Assign service requests")
    row_template = "service/_assign_row.html"
    columns = [
        Column(gettext_lazy("No."), "number"),
        Column(gettext_lazy("Created"), "created"),
        Column(gettext_lazy("Customer"), "customer"),
        Column(gettext_lazy("Type"), "type"),
        Column(gettext_lazy("Summary"), "summary"),
        Column(gettext_lazy("Created by")),
        Column(gettext_lazy("Assign to")),
        Column("", align="text-end"),
    ]
    default_sort = "created"  # oldest first: a queue
    empty_message = gettext_lazy("No new service requests are waiting to be assigned.")

    def get_base_queryset(self):
        return selectors.new_requests_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["rows"]:
            users = (
                services.assignable_users(self.request.user)
                .select_related("department")
                .order_by("department__name", "username")
            )
            context["assignable_users"] = list(users)
        context["next_url"] = self.request.get_full_path()
        return context


class HandlingListView(RequestListView):
    """服务处理: the requests assigned to the user and not yet handled."""

    permission_required = services.HANDLE
    title = gettext_lazy("Assigned to me")
    row_template = "service/_handle_row.html"
    columns = [
        Column(gettext_lazy("No."), "number"),
        Column(gettext_lazy("Customer"), "customer"),
        Column(gettext_lazy("Type"), "type"),
        Column(gettext_lazy("Summary"), "summary"),
        Column(gettext_lazy("Assigned"), "assigned"),
        Column(gettext_lazy("Round")),
        Column("", align="text-end"),
    ]
    default_sort = "assigned"
    empty_message = gettext_lazy("Nothing is assigned to you right now.")

    def get_base_queryset(self):
        return selectors.assigned_to(self.request.user)


class FeedbackListView(RequestListView):
    """服务反馈: handled requests waiting for the user's feedback."""

    permission_required = services.FEEDBACK
    title = gettext_lazy("Awaiting feedback")
    row_template = "service/_feedback_row.html"
    columns = [
        Column(gettext_lazy("No."), "number"),
        Column(gettext_lazy("Customer"), "customer"),
        Column(gettext_lazy("Type"), "type"),
        Column(gettext_lazy("Summary"), "summary"),
        Column(gettext_lazy("Handled by")),
        Column(gettext_lazy("Handled"), "handled"),
        Column(gettext_lazy("Handling")),
        Column("", align="text-end"),
    ]
    default_sort = "handled"
    empty_message = gettext_lazy("No handled service requests are waiting for your feedback.")

    def get_base_queryset(self):
        return selectors.awaiting_feedback_from(self.request.user)


class ArchiveListView(RequestListView):
    """服务归档: archived requests (or any status) searched by customer, summary, type, status, dates."""

    permission_required = services.VIEW
    title = gettext_lazy("Service archive")
    filterset_class = ArchiveFilter
    row_template = "service/_archive_row.html"
    columns = [
        Column(gettext_lazy("No."), "number"),
        Column(gettext_lazy("Created"), "created"),
        Column(gettext_lazy("Customer"), "customer"),
        Column(gettext_lazy("Type"), "type"),
        Column(gettext_lazy("Summary"), "summary"),
        Column(gettext_lazy("Status"), "status"),
        Column(gettext_lazy("Assigned to"), "assignee"),
        Column(gettext_lazy("Satisfaction")),
        Column(gettext_lazy("Archived"), "archived"),
    ]
    default_sort = "-created"
    create_url = reverse_lazy("service:create")
    create_permission = services.ADD
    create_label = gettext_lazy("New service request")
    empty_message = gettext_lazy("No archived service requests yet.")

    def get_base_queryset(self):
        return selectors.service_requests_for(self.request.user)


# Create, edit, delete ----------------------------------------------------------------------------


class RequestCreateView(CrmFormView):
    """服务创建 (R-SVC-1)."""

    permission_required = services.ADD
    title = gettext_lazy("New service request")
    form_class = ServiceRequestForm
    template_name = "service/request_form.html"
    success_message = gettext_lazy("Service request created.")
    submit_label = gettext_lazy("Create")

    def get_form(self):
        form = ServiceRequestForm(user=self.request.user, **self.get_form_kwargs())
        customer = self.request.GET.get("customer", "")
        if not form.is_bound and customer.isdigit():
            form.initial["customer"] = int(customer)
        return form

    def get_cancel_url(self):
        customer = self.request.GET.get("customer", "")
        if customer.isdigit() and Customer.objects.visible_to(self.request.user).filter(pk=customer).exists():
            return reverse("customers:customer-detail", args=[customer])
        return reverse("service:archive")

    def perform(self, form):
        return services.create_service_request(
            customer=form.cleaned_data["customer"], by=self.request.user, **form.service_fields()
        )

    def get_success_url(self, result):
        return detail_url(result)


class RequestMixin:
    """Loads the request named in the URL through the user's scope (404 outside it)."""

    def dispatch(self, request, *args, **kwargs):
        # Without the permission the page answers 403 for any id, so it reveals nothing either.
        if request.user.is_authenticated and self.has_permission():
            self.object = selectors.service_request_for(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class RequestEditView(RequestMixin, CrmFormView):
    permission_required = services.CHANGE
    template_name = "service/request_form.html"

    def get(self, request, *args, **kwargs):
        return self.refuse() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refuse() or super().post(request, *args, **kwargs)

    def refuse(self):
        """Archived (read-only) or not the user's to edit: say so on the request's page."""
        try:
            services.check_edit(self.object, self.request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return HttpResponseRedirect(detail_url(self.object))
        return None

    def get_title(self):
        return _("Edit service request #%(pk)s") % {"pk": self.object.pk}

    def get_form(self):
        return ServiceRequestForm(user=self.request.user, instance=self.object, **self.get_form_kwargs())

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def get_cancel_url(self):
        return detail_url(self.object)

    def perform(self, form):
        return services.update_service_request(
            self.object,
            by=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            **form.service_fields(),
        )

    def get_success_url(self, result):
        return detail_url(result)


class RequestDeleteView(CrmConfirmView):
    permission_required = services.DELETE
    title = gettext_lazy("Delete service request")
    confirm_label = gettext_lazy("Delete")
    success_message = gettext_lazy("Service request deleted.")

    def get_object(self):
        return selectors.service_request_for(self.request.user, self.kwargs["pk"])

    def get_question(self):
        return _("Delete the service request #%(pk)s “%(summary)s” of %(customer)s? This cannot be undone.") % {
            "pk": self.object.pk,
            "summary": self.object.summary,
            "customer": self.object.customer.name,
        }

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            services.check_delete(self.object, request.user)
        except ValidationError as error:
            # Only new requests can go; do not ask about one that cannot.
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(detail_url(self.object))
        return self.render_to_response(self.get_context_data())

    def perform(self):
        services.delete_service_request(self.object, by=self.request.user)

    def get_success_url(self):
        return reverse("service:assignment")

    def get_cancel_url(self):
        return detail_url(self.object)


# Assign, handle, feedback ------------------------------------------------------------------------


class RequestActionView(RequestMixin, CrmFormView):
    """A transition's page: the request, its history and the form, or why the form is not offered."""

    template_name = "service/request_action.html"

    def get_refusal(self):
        try:
            self.run_check()
        except ValidationError as error:
            return " ".join(error.messages)
        return ""

    def run_check(self):
        """Raise the ValidationError the transition would raise (see ``services.check_*``)."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object,
            rounds=self.object.rounds.all(),
            refusal=self.get_refusal(),
            customer_visible=Customer.objects.visible_to(self.request.user).filter(pk=self.object.customer_id).exists(),
            action_url=self.request.path,
            **kwargs,
        )

    def get_cancel_url(self):
        return detail_url(self.object)

    def get_success_url(self, result):
        return detail_url(result)


class AssignView(RequestActionView):
    """服务分配 of one request (R-SVC-2); the assignment list posts its rows' forms here too."""

    permission_required = services.ASSIGN
    form_class = AssignForm
    submit_label = gettext_lazy("Assign")

    def run_check(self):
        services.check_assign(self.object, self.request.user, self.object.version)

    def get_title(self):
        if self.object.status == ServiceRequest.Status.ASSIGNED:
            return _("Reassign service request #%(pk)s") % {"pk": self.object.pk}
        return _("Assign service request #%(pk)s") % {"pk": self.object.pk}

    def get_form(self):
        initial = {"version": self.object.version, "to": self.object.assignee_id}
        return AssignForm(initial=initial, user=self.request.user, **self.get_form_kwargs())

    def get_context_data(self, **kwargs):
        next_url = _safe_next(self.request, "")
        return super().get_context_data(next_url=next_url, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.assign_service_request(
            self.object, to=data["to"], by=self.request.user, expected_version=data.get("version")
        )

    def get_success_message(self, result):
        return _("Service request #%(pk)s assigned to %(name)s.") % {
            "pk": result.pk,
            "name": result.assignee.display_name,
        }

    def get_success_url(self, result):
        return _safe_next(self.request, reverse("service:assignment"))


class HandleView(RequestActionView):
    """服务处理 (R-SVC-3): only the assignee."""

    permission_required = services.HANDLE
    form_class = HandleForm
    submit_label = gettext_lazy("Save handling")
    success_message = gettext_lazy("Handling recorded; the request now waits for feedback.")

    def run_check(self):
        services.check_handle(self.object, self.request.user)

    def get_title(self):
        return _("Handle service request #%(pk)s") % {"pk": self.object.pk}

    def perform(self, form):
        return services.handle_service_request(
            self.object, handling=form.cleaned_data["handling"], by=self.request.user
        )

    def get_success_url(self, result):
        return reverse("service:handling")


class FeedbackView(RequestActionView):
    """服务反馈 (R-SVC-4): the requester side or a supervisor."""

    permission_required = services.FEEDBACK
    form_class = FeedbackForm
    submit_label = gettext_lazy("Save feedback")

    def run_check(self):
        services.check_feedback(self.object, self.request.user)

    def get_title(self):
        return _("Feedback on service request #%(pk)s") % {"pk": self.object.pk}

    def perform(self, form):
        data = form.cleaned_data
        return services.record_feedback(
            self.object, result=data["result"], satisfaction=data["satisfaction"], by=self.request.user
        )

    def get_success_message(self, result):
        if result.is_archived:
            return _("Feedback recorded; the service request is archived.")
        return _("Feedback recorded; satisfaction below 3 sends the request back to %(name)s to handle again.") % {
            "name": result.assignee.display_name if result.assignee_id else "—"
        }

    def get_success_url(self, result):
        return reverse("service:feedback-list")


# A request's page and the customer page's fragment -----------------------------------------------


class RequestDetailView(CrmDetailView):
    permission_required = services.VIEW
    template_name = "service/request_detail.html"

    def get_object(self):
        return selectors.service_request_for(self.request.user, self.kwargs["pk"])

    def get_title(self):
        return _("Service request #%(pk)s") % {"pk": self.object.pk}

    def get_tabs(self):
        return [
            Tab("request", _("Request and history"), count=len(self.object.rounds.all())),
            Tab(
                "log", _("Operation log"), reverse("audit:record-log", args=["service.servicerequest", self.object.pk])
            ),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, obj = self.request.user, self.object
        context.update(
            rounds=obj.rounds.all(),
            customer_visible=Customer.objects.visible_to(user).filter(pk=obj.customer_id).exists(),
            may_edit=services.may_edit(obj, user),
            may_assign=services.may_assign(obj, user),
            may_delete=services.may_delete(obj, user),
            may_handle=services.may_handle(obj, user),
            may_give_feedback=services.may_give_feedback(obj, user),
        )
        return context


class CustomerRequestsView(CrmPageMixin, TemplateView):
    """A customer's service requests as a fragment, for a tab of the customer page (htmx)."""

    permission_required = services.VIEW
    limit = 50

    def get_template_names(self):
        if getattr(self.request, "htmx", False):
            return ["service/_customer_requests.html"]
        return ["service/customer_requests.html"]

    def get_context_data(self, **kwargs):
        from crm.customers.selectors import customer_for

        user = self.request.user
        customer = customer_for(user, self.kwargs["customer_pk"])
        requests = selectors.requests_for_customer(user, customer)
        return super().get_context_data(
            title=_("Service requests of %(customer)s") % {"customer": customer.name},
            customer=customer,
            service_requests=requests[: self.limit],
            total=requests.count(),
            limit=self.limit,
            **kwargs,
        )
