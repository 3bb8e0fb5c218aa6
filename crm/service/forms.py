from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.filters import IdModelChoiceField
from crm.core.forms import CrmForm, CrmModelForm, VersionedFormMixin
from crm.dictionary.fields import DictChoiceField
from crm.dictionary.models import DictType

from . import selectors, services
from .models import SATISFACTION_MAX, SATISFACTION_MIN, ServiceRequest

SATISFACTION_CHOICES = [
    (n, f"{'★' * n}{'☆' * (SATISFACTION_MAX - n)} {n}") for n in range(SATISFACTION_MAX, SATISFACTION_MIN - 1, -1)
]


def _label(name):
    return capfirst(ServiceRequest._meta.get_field(name).verbose_name)


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.number})"


class UserChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj):
        department = f" · {obj.department}" if obj.department_id else ""
        return f"{obj.display_name} ({obj.username}){department}"


class ServiceRequestForm(VersionedFormMixin, CrmModelForm):
    """Create (with the customer picker) or edit (the customer stays) a service request."""

    class Meta:
        model = ServiceRequest
        fields = ["customer", "service_type", "summary", "details"]
        widgets = {"details": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["customer"]
        else:
            self.fields["customer"] = CustomerChoiceField(
                selectors.customers_for_new_request(user),
                label=_label("customer"),
                empty_label=_("Choose a customer…"),
                widget=forms.Select(attrs={"data-picker": "", "class": "form-select"}),
                help_text=_("Customers in your data scope whose status is normal."),
            )
        self.fields["service_type"] = DictChoiceField(
            DictType.SERVICE_TYPE,
            label=_label("service_type"),
            current=self.instance.service_type_id,
            empty_label=_("Choose a type…"),
            widget=forms.Select(attrs={"class": "form-select"}),
        )
        self.order_fields(["customer", "service_type", "summary", "details"])

    def service_fields(self):
        return {name: self.cleaned_data.get(name) for name in ("service_type", "summary", "details")}


class AssignForm(CrmForm):
    to = UserChoiceField(
        get_user_model().objects.none(),
        label=_("Assign to"),
        widget=forms.Select(attrs={"data-picker": ""}),
        error_messages={
            "invalid_choice": _(
                "This user cannot be assigned service requests: they are disabled, outside your team or may not "
                "handle them. Choose someone from the list."
            )
        },
    )
    # The version the supervisor saw; reassigning an assigned request needs it.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = (
            services.assignable_users(user).select_related("department").order_by("department__name", "username")
        )


class HandleForm(CrmForm):
    handling = forms.CharField(
        label=_("Handling"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was done for the customer. Date and time are recorded when you save."),
    )


class FeedbackForm(CrmForm):
    result = forms.CharField(
        label=pgettext_lazy("service feedback", "Result"), widget=forms.Textarea(attrs={"rows": 4})
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Customer satisfaction"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a satisfaction from 1 to 5.")},
        help_text=_("3 or more archives the request; less than 3 sends it back to the assignee to handle again."),
    )
