"""The filters of the report pages (read from the query string)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from crm.accounts.scope import users_visible_to
from crm.core.filters import IdModelChoiceField
from crm.dictionary.models import DictItem, DictType

from . import periods
from .selectors import COMPOSITION_DIMENSIONS, Subject, subject_choices


class ReportFilterForm(forms.Form):
    """A GET form whose ``filters()`` falls back to the initial values when absent or invalid."""

    def __init__(self, data=None, *, user, **kwargs):
        self.user = user
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    @property
    def chosen_period(self):
        """The period key on screen, so the page can show the dates of a custom range."""
        if "period" not in self.fields:
            return ""
        return self["period"].value() or self.fields["period"].initial

    def filters(self):
        if self.is_bound and self.is_valid():
            return self.cleaned_data
        return {name: self.get_initial_for_field(field, name) for name, field in self.fields.items()}


class PeriodForm(ReportFilterForm):
    default_period = "this_year"

    period = forms.ChoiceField(label=_("Period"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, **kwargs):
        year = (data or {}).get("year", "")
        if year and not (data or {}).get("period"):
            data = data.copy()
            data["period"] = year  # ?year=2025 (links, bookmarks) picks that year in the select
        super().__init__(data, **kwargs)
        years = [(str(value), label) for value, label in periods.year_choices()]
        if year.isdigit() and periods.FIRST_YEAR <= int(year) <= periods.LAST_YEAR and year not in dict(years):
            years.append((year, year))
        presets = periods.period_choices()
        self.fields["period"].choices = [*presets[:-1], (_("Year"), years), presets[-1]]
        self.fields["period"].initial = self.default_period
        self.fields["period"].widget.attrs["x-model"] = "period"  # shows the dates for a custom range
        for name in ("start", "end"):
            self.fields[name].show_when = "period === 'custom'"  # read by core/_filter_field.html

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            if data.get(name) and not periods.within_bounds(data[name]):
                self.add_error(name, periods.bounds_message())
                data.pop(name, None)
        if data.get("period") == "custom" and not self.errors:
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("A custom range needs both a start and an end date."))
            if end < start:
                raise forms.ValidationError(_("The end date is before the start date."))
        return data

    def get_period(self):
        filters = self.filters()
        chosen = filters.get("period") or self.default_period
        year = int(chosen) if chosen.isdigit() else None
        return periods.resolve(
            period=chosen, year=year, start=filters.get("start"), end=filters.get("end"), default=self.default_period
        )


class ContributionForm(PeriodForm):
    name = forms.CharField(label=_("Customer name"), required=False, max_length=100)


class CompositionForm(ReportFilterForm):
    # Optional so that a link naming only a region (``?region=3``) keeps its filter; grade is the default.
    by = forms.ChoiceField(
        label=_("Break down by"), choices=list(COMPOSITION_DIMENSIONS.items()), initial="grade", required=False
    )
    region = IdModelChoiceField(label=_("Region"), queryset=DictItem.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = DictItem.objects.of_type(DictType.REGION, active_only=False)
        self.fields["region"].empty_label = _("All regions")


class ChurnForm(ReportFilterForm):
    year = forms.TypedChoiceField(label=_("Year lost"), required=False, coerce=int, empty_value=None)
    name = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    manager = IdModelChoiceField(label=_("Account manager"), queryset=get_user_model().objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *periods.year_choices()]
        self.fields["manager"].queryset = (
            users_visible_to(self.user).filter(is_active=True).order_by("name", "username")
        )
        self.fields["manager"].empty_label = _("All managers")


class DashboardForm(PeriodForm):
    default_period = "this_month"

    subject = forms.ChoiceField(label=_("Whose figures"), required=False, initial="all")

    field_order = ["subject", "period", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments, users = subject_choices(self.user)
        self.fields["subject"].choices = [
            ("all", _("Everyone in my scope")),
            (_("Department"), [(f"department-{d.pk}", d.name) for d in departments]),
            (_("Employee"), [(f"employee-{u.pk}", u.display_name) for u in users]),
        ]

    def get_subject(self):
        value = self.filters().get("subject") or "all"
        kind, _sep, pk = value.partition("-")
        return Subject(kind, int(pk)) if pk else Subject()
