"""Form helpers: Bootstrap widgets, required marks, and the version an edit started from."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.boundfield import BoundField


class CrmBoundField(BoundField):
    """Marks a field invalid when it is rendered, so errors a service adds later show too."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.form.is_bound and self.errors:
            widget = widget or self.field.widget
            css = attrs.get("class", widget.attrs.get("class", ""))
            attrs["class"] = f"{css} is-invalid".strip()
        return attrs


class BootstrapFormMixin:
    """Gives every widget its Bootstrap class and marks invalid fields.

    Nothing here may read ``self.errors``: that validates the form before a subclass's
    ``__init__`` has finished setting up its fields (querysets, choices, removed fields).
    """

    bound_field_class = CrmBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_service_error(self, error: ValidationError):
        """Show a service's ValidationError on the fields it names, or above the form."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class VersionedFormMixin(forms.Form):
    """Carries the record version the user started editing from (see core.concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and not self.is_bound:
            self.initial["version"] = instance.version


class CrmForm(BootstrapFormMixin, forms.Form):
    pass


class CrmModelForm(BootstrapFormMixin, forms.ModelForm):
    pass


__all__ = ["BootstrapFormMixin", "VersionedFormMixin", "CrmForm", "CrmModelForm", "NON_FIELD_ERRORS"]
