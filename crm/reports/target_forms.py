"""The form of one subject's twelve monthly sales targets."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS

from crm.core.concurrency import STALE_MESSAGE
from crm.core.forms import CrmForm

from .models import MONEY
from .targets import clean_amounts, month_key


class TargetForm(CrmForm):
    """Twelve optional amounts (empty: no target that month) and the fingerprint they were read at."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        for month in range(1, 13):
            self.fields[month_key(month)] = forms.DecimalField(
                label=MONTHS[month],
                required=False,
                **MONEY,
                widget=forms.NumberInput(
                    attrs={"class": "form-control text-end", "step": "0.01", "min": "0", "data-month": month}
                ),
            )
        if not self.is_bound:
            self.initial["fingerprint"] = targets.fingerprint
            for month, amount in enumerate(targets.amounts, start=1):
                self.initial[month_key(month)] = amount

    def month_fields(self):
        return [self[month_key(month)] for month in range(1, 13)]

    def clean(self):
        cleaned = super().clean()
        # A form without the fingerprint cannot prove it saw the stored targets: treat it as stale.
        if not cleaned.get("fingerprint"):
            self.add_error(None, STALE_MESSAGE)
        # The service's own amount rules, so every month's problem shows at once.
        try:
            clean_amounts(self.amounts())
        except ValidationError as error:
            self.add_service_error(error)
        return cleaned

    def amounts(self):
        return [self.cleaned_data.get(month_key(month)) for month in range(1, 13)]
