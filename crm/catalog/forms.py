from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.core.forms import CrmForm
from crm.core.spreadsheets import check_size

from .models import ImportRun


class ImportForm(CrmForm):
    kind = forms.ChoiceField(label=_("What to import"), choices=ImportRun.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GBK) or XLSX, first sheet, with the column names in the first row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Choose a .csv or .xlsx file."))
        check_size(file.size)
        return file
