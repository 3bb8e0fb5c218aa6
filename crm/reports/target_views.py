"""Sales target pages: the year's grid of every department and employee, and one subject's year."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from crm.core.views import CrmFormView, CrmPageMixin

from . import targets
from .target_forms import TargetForm


def list_url(year):
    return f"{reverse('reports:targets')}?year={year}"


def _year(value, default):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if targets.MIN_YEAR <= year <= targets.MAX_YEAR else default


class TargetListView(CrmPageMixin, TemplateView):
    permission_required = targets.VIEW
    title = gettext_lazy("Sales targets")
    template_name = "reports/target_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        current = timezone.localdate().year
        year = _year(self.request.GET.get("year"), current)
        years = range(max(targets.MIN_YEAR, min(year, current - 5)), min(targets.MAX_YEAR, max(year, current + 3)) + 1)
        context.update(
            grid=targets.target_grid(year=year, viewer=self.request.user),
            year=year,
            years=years,
            previous_year=year - 1 if year > targets.MIN_YEAR else None,
            next_year=year + 1 if year < targets.MAX_YEAR else None,
            month_labels=[MONTHS_3[month] for month in range(1, 13)],
        )
        return context


class TargetEditView(CrmFormView):
    """One employee's or department's twelve months of one year."""

    permission_required = targets.CHANGE
    template_name = "reports/target_form.html"
    form_class = TargetForm
    success_message = None  # names the subject, see get_success_message

    def dispatch(self, request, *args, **kwargs):
        # Without the permission the page answers 403 for any subject, so it reveals nothing.
        if request.user.is_authenticated and self.has_permission():
            kind, year = kwargs["kind"], kwargs["year"]
            if kind not in targets.KINDS or not targets.MIN_YEAR <= year <= targets.MAX_YEAR:
                raise Http404
            # A subject outside the user's scope does not exist for them.
            self.subject = get_object_or_404(targets.subjects_for(request.user, kind), pk=kwargs["pk"])
            self.year = year
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return _("Sales targets of %(name)s, %(year)s") % {"name": self.subject, "year": self.year}

    def get_form(self):
        stored = targets.subject_targets(subject=self.subject, year=self.year)
        return TargetForm(targets=stored, **self.get_form_kwargs())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = targets.kind_of(self.subject)

        def edit_url(year):
            if targets.MIN_YEAR <= year <= targets.MAX_YEAR:
                return reverse("reports:target-edit", args=[kind, self.subject.pk, year])
            return None

        context.update(
            subject=self.subject,
            kind=kind,
            year=self.year,
            previous_url=edit_url(self.year - 1),
            next_url=edit_url(self.year + 1),
        )
        return context

    def perform(self, form):
        return targets.set_targets(
            subject=self.subject,
            year=self.year,
            amounts=form.amounts(),
            by=self.request.user,
            expected_fingerprint=form.cleaned_data["fingerprint"],
        )

    def get_success_message(self, result):
        return _("Sales targets of %(name)s for %(year)s saved.") % {"name": self.subject, "year": self.year}

    def get_success_url(self, result):
        return list_url(self.year)

    def get_cancel_url(self):
        return list_url(self.year)
