from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from crm.catalog.models import Product
from crm.core.forms import CrmForm, CrmModelForm, VersionedFormMixin
from crm.customers.models import Contact, Customer
from crm.dictionary.fields import DictChoiceField
from crm.dictionary.models import DictType

from . import services
from .models import Opportunity, PipelineStage, PlanItem, StageChange

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


def _label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def _restyle(form, *names):
    """Style fields replaced after BootstrapFormMixin ran (CrmBoundField marks them invalid)."""
    for name in names:
        widget = form.fields[name].widget
        css = "form-select" if isinstance(widget, (forms.Select, forms.SelectMultiple)) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        department = f" · {obj.department}" if obj.department_id else ""
        return f"{obj.display_name} ({obj.username}){department}"


class ProductChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.unit})" if obj.unit else str(obj)


def product_field(current=()):
    """Active products; those already chosen stay selectable after they were deactivated."""
    queryset = Product.objects.filter(active=True) | Product.objects.filter(pk__in=[p.pk for p in current])
    return ProductChoiceField(
        queryset=queryset.distinct().order_by("name", "model", "batch", "pk"),
        label=_("Products of interest"),
        required=False,
        widget=forms.SelectMultiple(attrs={"data-picker": ""}),
    )


class OpportunityForm(VersionedFormMixin, CrmModelForm):
    """Create or edit an unassigned opportunity (R-OPP-1, R-OPP-2)."""

    class Meta:
        model = Opportunity
        fields = list(services.OPPORTUNITY_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "expected_close_date": forms.DateInput(**DATE_WIDGET),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["source"] = DictChoiceField(
            DictType.OPPORTUNITY_SOURCE,
            label=_label(Opportunity, "source"),
            required=False,
            current=instance.source_id,
        )
        customers = Customer.objects.visible_to(user).exclude(status=Customer.Status.DELETED)
        if instance.customer_id:
            customers = customers | Customer.objects.filter(pk=instance.customer_id)
        self.fields["customer"] = forms.ModelChoiceField(
            customers.order_by("name", "pk"),
            label=_("Existing customer"),
            required=False,
            help_text=_("Leave empty for a new customer: success then creates it from this opportunity."),
            widget=forms.Select(attrs={"data-picker": "", "data-fills": "id_customer_name"}),
        )
        self.fields["probability"].widget.attrs.update(min=0, max=100, step=1)
        self.fields["expected_amount"].widget.attrs.update(min=0, step="0.01")
        self.fields["products"] = product_field(instance.products.all() if instance.pk else ())
        _restyle(self, "source", "customer", "products")
        self.order_fields(
            [
                "customer",
                "customer_name",
                "source",
                "probability",
                "summary",
                "contact",
                "contact_phone",
                "description",
                "expected_amount",
                "expected_close_date",
                "products",
            ]
        )

    def service_fields(self):
        data = {name: self.cleaned_data.get(name) for name in services.OPPORTUNITY_FIELDS}
        for name in ("contact", "contact_phone"):
            data[name] = data[name] or ""
        return data | {"products": list(self.cleaned_data.get("products") or [])}


class AssignForm(CrmForm):
    to = UserChoiceField(queryset=None, label=_("Account manager"), widget=forms.Select(attrs={"data-picker": ""}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = services.assignable_users(user).select_related("department")
        self.fields["to"].empty_label = _("Choose an account manager")


class ReassignForm(VersionedFormMixin, AssignForm):
    """Hand a developing opportunity to another account manager, from the version shown."""

    def __init__(self, *args, opportunity, **kwargs):
        self.instance = opportunity
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = self.fields["to"].queryset.exclude(pk=opportunity.owner_id)
        self.fields["to"].label = _("New account manager")


class PlanItemForm(CrmModelForm):
    class Meta:
        model = PlanItem
        fields = ["date", "todo"]
        widgets = {"date": forms.DateInput(**DATE_WIDGET), "todo": forms.TextInput()}
        error_messages = {"date": {"required": _("Enter the date of this step (YYYY-MM-DD).")}}


class PlanItemEditForm(VersionedFormMixin, CrmModelForm):
    """The to-do text only: a plan item keeps the date it was made with."""

    class Meta:
        model = PlanItem
        fields = ["todo"]
        widgets = {"todo": forms.Textarea(attrs={"rows": 3})}


class ResultForm(VersionedFormMixin, CrmModelForm):
    class Meta:
        model = PlanItem
        fields = ["result"]
        widgets = {"result": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].required = True


class SucceedForm(CrmForm):
    """What a new customer's first contact needs beyond what the opportunity recorded."""

    contact_gender = forms.ChoiceField(label=_("Contact's gender"), choices=Contact.Gender.choices)
    contact_position = forms.CharField(label=_("Contact's position"), max_length=50)
    contact_phone = forms.CharField(label=_("Contact's office phone"), max_length=50)

    def __init__(self, *args, opportunity, **kwargs):
        super().__init__(*args, **kwargs)
        if not services.contact_details_needed(opportunity):
            self.fields.clear()
            return
        self.initial.setdefault("contact_phone", opportunity.contact_phone)
        for name, contact_field in (
            ("contact_gender", "gender"),
            ("contact_position", "position"),
            ("contact_phone", "office_phone"),
        ):
            self.fields[name].required = services.contact_field_required(contact_field)
        # Start unchosen even when required: a preselected first gender would be saved unasked.
        self.fields["contact_gender"].choices = [("", "—"), *Contact.Gender.choices]


class FailForm(CrmForm):
    reason = forms.CharField(
        label=_("Why did the development fail?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StageMoveForm(CrmForm):
    stage = forms.ModelChoiceField(queryset=PipelineStage.objects.none(), label=_("Move to stage"))
    note = forms.CharField(label=_("Note"), required=False, max_length=StageChange._meta.get_field("note").max_length)

    def __init__(self, *args, opportunity=None, **kwargs):
        super().__init__(*args, **kwargs)
        stages = PipelineStage.objects.filter(is_active=True).order_by("sort_order", "pk")
        if opportunity is not None and opportunity.stage_id:
            stages = stages.exclude(pk=opportunity.stage_id)
        self.fields["stage"].queryset = stages
        self.fields["stage"].empty_label = _("Choose a stage")


class PipelineForm(VersionedFormMixin, CrmModelForm):
    class Meta:
        model = Opportunity
        fields = list(services.PIPELINE_FIELDS)
        widgets = {"expected_close_date": forms.DateInput(**DATE_WIDGET)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_amount"].widget.attrs.update(min=0, step="0.01")
        self.fields["products"] = product_field(self.instance.products.all())
        _restyle(self, "products")

    def service_fields(self):
        data = {name: self.cleaned_data.get(name) for name in services.PIPELINE_FIELDS}
        return data | {"products": list(self.cleaned_data.get("products") or [])}


class PipelineStageForm(VersionedFormMixin, CrmModelForm):
    class Meta:
        model = PipelineStage
        fields = list(services.STAGE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["win_rate"].widget.attrs.update(min=0, max=100, step=1)

    def service_fields(self):
        return {name: self.cleaned_data.get(name) for name in services.STAGE_FIELDS}
