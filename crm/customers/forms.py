from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from crm.core.filters import IdModelChoiceField
from crm.core.forms import CrmForm, CrmModelForm, VersionedFormMixin
from crm.dictionary.fields import DictChoiceField
from crm.dictionary.models import DictType

from . import services
from .models import Activity, Contact, Customer

RATING_CHOICES = [("", "—")] + [(n, f"{'★' * n}{'☆' * (5 - n)} {n}") for n in range(1, 6)]


def _label(name):
    return capfirst(Customer._meta.get_field(name).verbose_name)


class ManagerChoiceField(IdModelChoiceField):
    """The users ``by`` may make a manager, shown by name; the current manager stays selectable."""

    def __init__(self, *args, by, current=None, **kwargs):
        allowed = Q(pk__in=services.possible_managers(by).values("pk"))
        if current is not None:
            allowed |= Q(pk=current.pk)
        queryset = get_user_model().objects.filter(allowed).select_related("department").order_by("username")
        kwargs.setdefault("widget", forms.Select(attrs={"data-picker": ""}))
        super().__init__(queryset, *args, **kwargs)

    def label_from_instance(self, obj):
        department = f" · {obj.department}" if obj.department_id else ""
        return f"{obj.display_name} ({obj.username}){department}"


class CustomerForm(VersionedFormMixin, CrmModelForm):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"), choices=RATING_CHOICES, coerce=int, empty_value=None, required=False
    )
    credit = forms.TypedChoiceField(
        label=_("Credit"), choices=RATING_CHOICES, coerce=int, empty_value=None, required=False
    )

    class Meta:
        model = Customer
        fields = list(services.CUSTOMER_FIELDS)
        widgets = {"address": forms.TextInput()}
        labels = {"registered_capital": _("Registered capital")}
        help_texts = {"registered_capital": _("In units of 10,000 yuan."), "annual_turnover": _("In yuan.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["region"] = DictChoiceField(DictType.REGION, label=_label("region"), current=instance.region_id)
        self.fields["grade"] = DictChoiceField(
            DictType.CUSTOMER_GRADE, label=_label("grade"), current=instance.grade_id
        )
        self.fields["owner"] = ManagerChoiceField(
            label=_("Manager"), by=user, current=instance.owner if instance.pk else None
        )
        # The specification's edit form requires these; the service checks them again.
        for name in services.REQUIRED_FOR_COMPLETE:
            self.fields[name].required = True
        # The fields were replaced after the mixin styled them; style them again.
        for name in ("region", "grade", "owner"):
            widget = self.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} form-select".strip()
            if self.is_bound and name in self.errors:
                widget.attrs["class"] += " is-invalid"

    def service_fields(self):
        return {name: self.cleaned_data.get(name) for name in services.CUSTOMER_FIELDS}


class ContactForm(VersionedFormMixin, CrmModelForm):
    class Meta:
        model = Contact
        fields = list(services.CONTACT_FIELDS)
        widgets = {"remark": forms.Textarea(attrs={"rows": 3})}

    def service_fields(self):
        return {name: self.cleaned_data.get(name) for name in services.CONTACT_FIELDS}


class ActivityForm(VersionedFormMixin, CrmModelForm):
    class Meta:
        model = Activity
        fields = list(services.ACTIVITY_FIELDS)
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_contact_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "details": forms.Textarea(attrs={"rows": 4}),
            "remark": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = DictChoiceField(
            DictType.FOLLOW_UP_METHOD,
            label=capfirst(Activity._meta.get_field("follow_up_method").verbose_name),
            required=False,
            current=self.instance.follow_up_method_id,
        )
        field.widget.attrs["class"] = "form-select"
        self.fields["follow_up_method"] = field
        self.order_fields(services.ACTIVITY_FIELDS)

    def service_fields(self):
        return {name: self.cleaned_data.get(name) for name in services.ACTIVITY_FIELDS}


class TransferForm(CrmForm):
    to = forms.ModelChoiceField(label=_("New manager"), queryset=get_user_model().objects.none())
    with_contacts = forms.BooleanField(
        label=_("Also transfer the contacts the previous manager maintains"), required=False, initial=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = ManagerChoiceField(label=_("New manager"), by=user)
        field.widget.attrs["class"] = self.fields["to"].widget.attrs.get("class", "")
        self.fields["to"] = field
        self.order_fields(["to", "with_contacts"])


class PostponeForm(CrmForm):
    measure = forms.CharField(label=_("Measure to keep the customer"), widget=forms.Textarea(attrs={"rows": 4}))


class ConfirmLostForm(CrmForm):
    reason_category = DictChoiceField(DictType.CHURN_REASON, label=_("Reason category"), required=False)
    reason = forms.CharField(label=_("Reason for the loss"), widget=forms.Textarea(attrs={"rows": 4}))
