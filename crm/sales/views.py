from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

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
from crm.customers import selectors as customer_selectors

from . import selectors, services
from .filters import BoardFilter, MyPlanFilter, OpportunityFilter, UnassignedFilter
from .forms import (
    AssignForm,
    FailForm,
    OpportunityForm,
    PipelineForm,
    PipelineStageForm,
    PlanItemEditForm,
    PlanItemForm,
    ReassignForm,
    ResultForm,
    StageMoveForm,
    SucceedForm,
)
from .models import Opportunity, PipelineStage

Status = Opportunity.Status


def detail_url(opportunity, tab=""):
    url = reverse("sales:opportunity-detail", args=[getattr(opportunity, "pk", opportunity)])
    return f"{url}#tab-{tab}" if tab else url


# Lists -------------------------------------------------------------------------------------------


class OpportunityListView(CrmListView):
    """Every opportunity in the user's scope."""

    permission_required = "sales.view_opportunity"
    title = gettext_lazy("Sales opportunities")
    filterset_class = OpportunityFilter
    row_template = "sales/_opportunity_row.html"
    columns = [
        Column(gettext_lazy("Customer and summary"), "customer_name"),
        Column(gettext_lazy("Source"), "source"),
        Column(gettext_lazy("Probability"), "probability", align="text-end"),
        Column(gettext_lazy("Stage"), "stage"),
        Column(gettext_lazy("Expected amount"), "expected_amount", align="text-end"),
        Column(gettext_lazy("Status"), "status"),
        Column(gettext_lazy("Assignee"), "owner"),
        Column(gettext_lazy("Created"), "created"),
        Column("", align="text-end"),
    ]
    sort_fields = {
        "customer_name": "customer_name",
        "source": "source__sort_order",
        "probability": "probability",
        "stage": "stage__sort_order",
        "expected_amount": "expected_amount",
        "status": "status",
        "owner": "owner__username",
        "created": "created_at",
    }
    default_sort = "-created"
    create_url = reverse_lazy("sales:opportunity-create")
    create_permission = "sales.add_opportunity"
    create_label = gettext_lazy("New opportunity")
    empty_message = gettext_lazy("No sales opportunities yet.")

    def get_base_queryset(self):
        return selectors.opportunities_for(self.request.user)


class UnassignedListView(CrmListView):
    """The opportunities waiting to be assigned (销售机会管理, R-OPP-3)."""

    permission_required = "sales.view_opportunity"
    title = gettext_lazy("Unassigned opportunities")
    filterset_class = UnassignedFilter
    row_template = "sales/_unassigned_row.html"
    columns = [
        Column(gettext_lazy("Customer"), "customer_name"),
        Column(gettext_lazy("Summary")),
        Column(gettext_lazy("Contact")),
        Column(gettext_lazy("Contact phone")),
        Column(gettext_lazy("Probability"), "probability", align="text-end"),
        Column(gettext_lazy("Creator"), "created_by"),
        Column(gettext_lazy("Created"), "created"),
        Column("", align="text-end"),
    ]
    sort_fields = {
        "customer_name": "customer_name",
        "probability": "probability",
        "created_by": "created_by__username",
        "created": "created_at",
    }
    default_sort = "-created"
    create_url = reverse_lazy("sales:opportunity-create")
    create_permission = "sales.add_opportunity"
    create_label = gettext_lazy("New opportunity")
    empty_message = gettext_lazy("No opportunities are waiting to be assigned.")

    def get_base_queryset(self):
        return selectors.unassigned_for(self.request.user)


class MyPlansListView(CrmListView):
    """The opportunities assigned to me: my development plans (客户开发计划)."""

    permission_required = "sales.develop_opportunity"
    title = gettext_lazy("My development plans")
    filterset_class = MyPlanFilter
    row_template = "sales/_plan_row.html"
    columns = [
        Column(gettext_lazy("Customer"), "customer_name"),
        Column(gettext_lazy("Summary")),
        Column(gettext_lazy("Contact")),
        Column(gettext_lazy("Stage"), "stage"),
        Column(gettext_lazy("Probability"), "probability", align="text-end"),
        Column(gettext_lazy("Plan")),
        Column(gettext_lazy("Next step"), "next_step"),
        Column(gettext_lazy("Assigned"), "assigned"),
        Column(gettext_lazy("Status"), "status"),
        Column("", align="text-end"),
    ]
    sort_fields = {
        "customer_name": "customer_name",
        "stage": "stage__sort_order",
        "probability": "probability",
        "next_step": "next_step_date",
        "assigned": "assigned_at",
        "status": "status",
    }
    default_sort = "next_step"
    empty_message = gettext_lazy("No opportunities are assigned to you for development.")

    def get_base_queryset(self):
        queryset = selectors.assigned_to(self.request.user)
        if not self.request.GET.get("status"):
            queryset = queryset.filter(status=Status.DEVELOPING)
        return queryset

    def get_context_data(self, **kwargs):
        return super().get_context_data(today=timezone.localdate(), **kwargs)


# Create, edit, delete (R-OPP-1 … R-OPP-3) --------------------------------------------------------


class OpportunityFormMixin:
    form_class = OpportunityForm
    template_name = "sales/opportunity_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}


class OpportunityCreateView(OpportunityFormMixin, CrmFormView):
    permission_required = "sales.add_opportunity"
    title = gettext_lazy("New sales opportunity")
    success_message = gettext_lazy("Opportunity created. It waits for a supervisor to assign it.")
    cancel_url = reverse_lazy("sales:opportunity-list")

    def get_form(self):
        form = super().get_form()
        customer = self.request.GET.get("customer")
        if not form.is_bound and customer:
            # Started from a customer's page: only a customer the form offers is taken.
            match = form.fields["customer"].queryset.filter(pk=customer).first() if customer.isdigit() else None
            if match is not None:
                form.initial.update(customer=match.pk, customer_name=match.name)
        return form

    def perform(self, form):
        return services.create_opportunity(by=self.request.user, **form.service_fields())

    def get_success_url(self, result):
        return detail_url(result)


class OpportunityEditView(OpportunityFormMixin, CrmEditView):
    permission_required = "sales.change_opportunity"

    def get_object(self):
        return selectors.opportunity_for(self.request.user, self.kwargs["pk"])

    def get_title(self):
        return _("Edit opportunity %(name)s") % {"name": self.object.customer_name}

    def get_context_data(self, **kwargs):
        blocked = services.can(self.request.user, self.object, "edit").reason or None
        return super().get_context_data(object=self.object, blocked=blocked, **kwargs)

    def get_cancel_url(self):
        return detail_url(self.object)

    def perform(self, form):
        return services.update_opportunity(
            self.object,
            by=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            **form.service_fields(),
        )

    def get_success_url(self, result):
        return detail_url(result)


class OpportunityDeleteView(CrmConfirmView):
    permission_required = "sales.delete_opportunity"
    title = gettext_lazy("Delete opportunity")
    confirm_label = gettext_lazy("Delete")
    success_message = gettext_lazy("Opportunity deleted.")

    def get_object(self):
        return selectors.opportunity_for(self.request.user, self.kwargs["pk"])

    def get_question(self):
        return _("Delete the opportunity “%(summary)s” for %(customer)s? This cannot be undone.") % {
            "summary": self.object.summary,
            "customer": self.object.customer_name,
        }

    def perform(self):
        services.delete_opportunity(self.object, by=self.request.user)

    def get_success_url(self):
        if self.request.user.has_perm("sales.assign_opportunity"):
            return reverse("sales:unassigned")
        return reverse("sales:opportunity-list")

    def get_cancel_url(self):
        return detail_url(self.object)


# The development page --------------------------------------------------------------------------


class OpportunityDetailView(CrmDetailView):
    """The opportunity's details beside its development plan (R-OPP-5), with the pipeline."""

    permission_required = "sales.view_opportunity"
    template_name = "sales/opportunity_detail.html"

    def get_object(self):
        return selectors.opportunity_detail(self.request.user, self.kwargs["pk"])

    def get_title(self):
        return self.object.customer_name

    def get_tabs(self):
        pk = self.object.pk
        return [
            Tab("plan", _("Development plan"), count=len(self.object.plan_items.all())),
            Tab(
                "stages",
                _("Stage history"),
                reverse("sales:stage-history", args=[pk]),
                len(self.object.stage_changes.all()),
            ),
            Tab("log", _("Operation log"), reverse("audit:record-log", args=["sales.opportunity", pk])),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opportunity, user = self.object, self.request.user
        may_develop = services.may_develop(opportunity, user)
        customer_visible = bool(
            opportunity.customer_id
            and user.has_perm("customers.view_customer")
            and customer_selectors.customers_for(user).filter(pk=opportunity.customer_id).exists()
        )
        context.update(
            may_develop=may_develop,
            plan_form=PlanItemForm(initial={"date": timezone.localdate()}) if may_develop else None,
            stage_form=StageMoveForm(opportunity=opportunity) if may_develop else None,
            customer_visible=customer_visible,
            today=timezone.localdate(),
        )
        return context


class OpportunityTabMixin:
    """A part of the opportunity page loaded with htmx; opened directly it shows the whole page."""

    tab = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.opportunity = selectors.opportunity_for(request.user, kwargs["pk"])
            if not getattr(request, "htmx", False):
                return HttpResponseRedirect(detail_url(self.opportunity, self.tab))
        return super().dispatch(request, *args, **kwargs)


class StageHistoryTabView(OpportunityTabMixin, CrmPageMixin, TemplateView):
    permission_required = "sales.view_opportunity"
    template_name = "sales/_stage_history.html"
    tab = "stages"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            opportunity=self.opportunity, changes=selectors.stage_changes_of(self.opportunity), **kwargs
        )


class OpportunityActionView(CrmFormView):
    """A form acting on one opportunity, shown with the opportunity's summary."""

    template_name = "sales/action_form.html"
    danger = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs):
        """Fetch the records the action is about, through the user's scope (404 outside it)."""
        self.opportunity = selectors.opportunity_for(self.request.user, kwargs["pk"])

    action = None  # the workflow action the form takes (see services.WORKFLOW)

    def blocked(self):
        """Why the action cannot be taken now (shown instead of the form), or None."""
        if self.action is None:
            return None
        return services.can(self.request.user, self.opportunity, self.action).reason or None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            opportunity=self.opportunity, blocked=self.blocked(), danger=self.danger, **kwargs
        )

    def get_cancel_url(self):
        return detail_url(self.opportunity)

    def get_success_url(self, result):
        return detail_url(self.opportunity)


class DevelopActionView(OpportunityActionView):
    """Actions only the assignee takes while the opportunity is developing."""

    permission_required = "sales.develop_opportunity"
    action = "develop"


class AssignView(OpportunityActionView):
    permission_required = "sales.assign_opportunity"
    form_class = AssignForm
    submit_label = gettext_lazy("Assign")
    success_message = gettext_lazy("Assigned.")

    def get_title(self):
        return _("Assign opportunity %(name)s") % {"name": self.opportunity.customer_name}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    action = "assign"

    def perform(self, form):
        return services.assign_opportunity(self.opportunity, to=form.cleaned_data["to"], by=self.request.user)

    def get_success_message(self, result):
        return _("Assigned to %(name)s.") % {"name": result.owner.display_name}

    def get_success_url(self, result):
        return reverse("sales:unassigned")


class ReassignView(OpportunityActionView):
    """A supervisor hands a developing opportunity to another account manager."""

    permission_required = "sales.assign_opportunity"
    form_class = ReassignForm
    submit_label = gettext_lazy("Reassign")
    action = "reassign"

    def get_title(self):
        return _("Reassign opportunity %(name)s") % {"name": self.opportunity.customer_name}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "opportunity": self.opportunity}

    def perform(self, form):
        data = form.cleaned_data
        return services.reassign_opportunity(
            self.opportunity, to=data["to"], by=self.request.user, expected_version=data.get("version")
        )

    def get_success_message(self, result):
        return _("Reassigned to %(name)s.") % {"name": result.owner.display_name}


class SucceedView(DevelopActionView):
    form_class = SucceedForm
    template_name = "sales/succeed.html"
    action = "succeed"
    submit_label = gettext_lazy("Development succeeded")

    def get_title(self):
        return _("Development of %(name)s succeeded") % {"name": self.opportunity.customer_name}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"opportunity": self.opportunity}

    def perform(self, form):
        return services.succeed_opportunity(self.opportunity, by=self.request.user, **form.cleaned_data)

    def get_success_message(self, result):
        if self.opportunity.customer_id:
            return _("Development succeeded; the opportunity is linked to the customer %(name)s.") % {
                "name": result.customer.name
            }
        return _("Development succeeded; a new customer record was added.")


class FailView(DevelopActionView):
    form_class = FailForm
    submit_label = gettext_lazy("Development failed")
    success_message = gettext_lazy("The opportunity is closed as failed.")
    action = "fail"
    danger = True

    def get_title(self):
        return _("End the development of %(name)s as failed") % {"name": self.opportunity.customer_name}

    def perform(self, form):
        return services.fail_opportunity(self.opportunity, by=self.request.user, reason=form.cleaned_data["reason"])


class StageMoveView(DevelopActionView):
    form_class = StageMoveForm
    submit_label = gettext_lazy("Move")
    action = "move_stage"

    def get_title(self):
        return _("Move %(name)s to another stage") % {"name": self.opportunity.customer_name}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"opportunity": self.opportunity}

    def perform(self, form):
        data = form.cleaned_data
        return services.move_stage(self.opportunity, by=self.request.user, stage=data["stage"], note=data["note"])

    def get_success_message(self, result):
        return _("Moved to %(stage)s; the success probability is now %(rate)d%%.") % {
            "stage": result.stage.name,
            "rate": result.probability,
        }

    def get_success_url(self, result):
        if self.request.POST.get("back") == "board":
            return reverse("sales:board")
        return detail_url(result)


class PipelineEditView(DevelopActionView):
    form_class = PipelineForm
    success_message = gettext_lazy("Saved.")

    def get_title(self):
        return _("Pipeline of %(name)s") % {"name": self.opportunity.customer_name}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.opportunity}

    def perform(self, form):
        return services.update_pipeline(
            self.opportunity,
            by=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            **form.service_fields(),
        )


# Plan items (R-OPP-5, R-OPP-6) ------------------------------------------------------------------


class PlanItemCreateView(DevelopActionView):
    form_class = PlanItemForm
    submit_label = gettext_lazy("Add to the plan")
    success_message = gettext_lazy("Plan item added.")

    def get_title(self):
        return _("New plan item for %(name)s") % {"name": self.opportunity.customer_name}

    def get_form(self):
        form = super().get_form()
        if not form.is_bound:
            form.initial["date"] = timezone.localdate()
        return form

    def perform(self, form):
        data = form.cleaned_data
        return services.add_plan_item(self.opportunity, by=self.request.user, date=data["date"], todo=data["todo"])


class PlanItemActionView(DevelopActionView):
    template_name = "sales/plan_item_form.html"

    def load(self, **kwargs):
        super().load(**kwargs)
        self.item = selectors.plan_item_for(self.opportunity, kwargs["item"])

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.item}

    def get_context_data(self, **kwargs):
        return super().get_context_data(item=self.item, **kwargs)


class PlanItemEditView(PlanItemActionView):
    form_class = PlanItemEditForm
    success_message = gettext_lazy("Plan item saved.")

    def get_title(self):
        return _("Edit the plan item of %(date)s") % {"date": self.item.date.strftime("%Y-%m-%d")}

    def perform(self, form):
        return services.update_plan_item(
            self.item,
            by=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            todo=form.cleaned_data["todo"],
        )


class PlanItemResultView(PlanItemActionView):
    form_class = ResultForm
    submit_label = gettext_lazy("Record the result")
    success_message = gettext_lazy("Result recorded.")

    def get_title(self):
        return _("Result of the plan item of %(date)s") % {"date": self.item.date.strftime("%Y-%m-%d")}

    def perform(self, form):
        return services.record_result(
            self.item,
            by=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            result=form.cleaned_data["result"],
        )


class PlanItemDeleteView(CrmConfirmView):
    permission_required = "sales.develop_opportunity"
    title = gettext_lazy("Delete plan item")
    confirm_label = gettext_lazy("Delete")
    success_message = gettext_lazy("Plan item deleted.")

    def get_object(self):
        self.opportunity = selectors.opportunity_for(self.request.user, self.kwargs["pk"])
        return selectors.plan_item_for(self.opportunity, self.kwargs["item"])

    def get_question(self):
        return _("Delete the plan item of %(date)s “%(todo)s”? This cannot be undone.") % {
            "date": self.object.date.strftime("%Y-%m-%d"),
            "todo": self.object.todo,
        }

    def perform(self):
        services.delete_plan_item(self.object, by=self.request.user)

    def get_success_url(self):
        return detail_url(self.opportunity)


# Pipeline board (R-OPP-9) -----------------------------------------------------------------------


class BoardView(CrmPageMixin, TemplateView):
    permission_required = "sales.view_opportunity"
    template_name = "sales/board.html"
    title = gettext_lazy("Pipeline")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        queryset = selectors.opportunities_for(user)
        filterset = BoardFilter(self.request.GET or None, queryset=queryset, request=self.request)
        if filterset.is_bound:
            queryset = filterset.qs if filterset.is_valid() else queryset.none()
        columns = selectors.board(queryset)
        context.update(
            filterset=filterset,
            columns=columns,
            totals=selectors.board_totals(columns),
            may_develop=user.has_perm("sales.develop_opportunity"),
            move_stages=list(selectors.active_stages()),
            cards_per_stage=selectors.BOARD_CARDS_PER_STAGE,
            today=timezone.localdate(),
        )
        return context


# Pipeline stages (configuration) ----------------------------------------------------------------


class StageListView(CrmListView):
    permission_required = "sales.view_pipelinestage"
    title = gettext_lazy("Pipeline stages")
    row_template = "sales/_stage_row.html"
    columns = [
        Column(gettext_lazy("Order"), "sort_order", align="text-end"),
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Win rate"), "win_rate", align="text-end"),
        Column(gettext_lazy("Open opportunities"), align="text-end"),
        Column(gettext_lazy("Status")),
        Column("", align="text-end"),
    ]
    sort_fields = {"sort_order": "sort_order", "name": "name", "win_rate": "win_rate"}
    default_sort = "sort_order"
    create_url = reverse_lazy("sales:stage-create")
    create_permission = "sales.add_pipelinestage"
    create_label = gettext_lazy("New stage")
    empty_message = gettext_lazy("No pipeline stages yet.")

    def get_base_queryset(self):
        return selectors.stages()


class StageFormMixin:
    form_class = PipelineStageForm
    cancel_url = reverse_lazy("sales:stage-list")

    def get_success_url(self, result):
        return reverse("sales:stage-list")


class StageCreateView(StageFormMixin, CrmFormView):
    permission_required = "sales.add_pipelinestage"
    title = gettext_lazy("New pipeline stage")
    success_message = gettext_lazy("Stage created.")

    def get_form(self):
        form = super().get_form()
        if not form.is_bound:
            last = PipelineStage.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
            form.initial["sort_order"] = (last or 0) + 10
        return form

    def perform(self, form):
        return services.create_stage(by=self.request.user, **form.service_fields())


class StageEditView(StageFormMixin, CrmEditView):
    permission_required = "sales.change_pipelinestage"

    def get_object(self):
        return selectors.stage_for(self.kwargs["pk"])

    def get_title(self):
        return _("Edit stage %(name)s") % {"name": self.object.name}

    def perform(self, form):
        return services.update_stage(
            self.object,
            by=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            **form.service_fields(),
        )


class StageDeleteView(CrmConfirmView):
    permission_required = "sales.delete_pipelinestage"
    title = gettext_lazy("Delete pipeline stage")
    confirm_label = gettext_lazy("Delete")
    success_message = gettext_lazy("Stage deleted.")

    def get_object(self):
        return selectors.stage_for(self.kwargs["pk"])

    def get_question(self):
        return _("Delete the stage %(name)s? This cannot be undone.") % {"name": self.object.name}

    def perform(self):
        services.delete_stage(self.object, by=self.request.user)

    def get_success_url(self):
        return reverse("sales:stage-list")


# The customer page's opportunities ------------------------------------------------------------


class CustomerOpportunitiesView(CrmPageMixin, TemplateView):
    """The opportunities of one customer, as a tab of the customer page (loaded with htmx)."""

    permission_required = "sales.view_opportunity"
    template_name = "sales/_customer_opportunities.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.customer = customer_selectors.customer_for(request.user, kwargs["pk"])
            if not getattr(request, "htmx", False):
                url = reverse("customers:customer-detail", args=[self.customer.pk])
                return HttpResponseRedirect(f"{url}#tab-opportunities")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        opportunities = selectors.opportunities_for_customer(self.request.user, self.customer)
        return super().get_context_data(customer=self.customer, opportunities=opportunities, **kwargs)
