"""Form helpers shared by every module (crm.core.forms)."""

from django import forms
from django.core.exceptions import ValidationError

from crm.accounts.models import Department
from crm.core.forms import CrmForm, CrmModelForm, VersionedFormMixin


class ContactForm(CrmForm):
    name = forms.CharField()
    note = forms.CharField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    agreed = forms.BooleanField(required=False)

    def __init__(self, *args, drop_note=False, **kwargs):
        super().__init__(*args, **kwargs)
        if drop_note:
            del self.fields["note"]
        # Choices set after the mixin's __init__, as every module's forms do with querysets.
        self.fields["kind"].choices = [("a", "A"), ("b", "B"), ("late", "Late")]


class DepartmentForm(VersionedFormMixin, CrmModelForm):
    class Meta:
        model = Department
        fields = ["name"]


def test_widgets_get_bootstrap_classes():
    form = ContactForm()
    assert "form-control" in form.fields["name"].widget.attrs["class"]
    assert "form-select" in form.fields["kind"].widget.attrs["class"]
    assert "form-check-input" in form.fields["agreed"].widget.attrs["class"]


def test_a_bound_form_is_validated_with_the_fields_its_subclass_set_up():
    form = ContactForm(data={"name": "x", "kind": "late"}, drop_note=True)
    assert form.is_valid(), form.errors
    assert "note" not in form.cleaned_data


def test_a_required_field_removed_by_the_subclass_is_not_demanded():
    class NoNameForm(ContactForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            del self.fields["name"]

    assert NoNameForm(data={"kind": "a"}).is_valid()


def test_invalid_field_is_rendered_marked_invalid():
    form = ContactForm(data={"kind": "a"})
    assert not form.is_valid()
    html = str(form["name"])
    assert "is-invalid" in html
    assert 'aria-invalid="true"' in html
    assert "is-invalid" not in str(form["kind"])


def test_error_added_by_a_service_after_validation_marks_its_field():
    form = ContactForm(data={"name": "x", "kind": "a"})
    assert form.is_valid()
    form.add_service_error(ValidationError({"kind": "Taken."}))
    assert "is-invalid" in str(form["kind"])
    assert form.errors["kind"] == ["Taken."]


def test_service_error_on_an_unknown_field_or_without_field_goes_above_the_form():
    form = ContactForm(data={"name": "x", "kind": "a"})
    form.is_valid()
    form.add_service_error(ValidationError({"owner": "Not yours."}))
    form.add_service_error(ValidationError("Closed."))
    assert form.non_field_errors() == ["Not yours.", "Closed."]


def test_unbound_form_is_not_marked_invalid():
    assert "is-invalid" not in str(ContactForm()["name"])


def test_versioned_form_starts_from_the_record_version(db):
    department = Department.objects.create(name="Sales", version=7)
    form = DepartmentForm(instance=department)
    assert form.initial["version"] == 7
    assert form["version"].is_hidden


def test_versioned_form_keeps_the_posted_version(db):
    department = Department.objects.create(name="Sales", version=7)
    form = DepartmentForm(data={"name": "Sales", "version": "3"}, instance=department)
    assert form.is_valid()
    assert form.cleaned_data["version"] == 3
