from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from crm.core.forms import BootstrapFormMixin, CrmForm, CrmModelForm, VersionedFormMixin
from crm.core.menu import GROUPS

from .backends import find_user
from .models import Department, Role, User
from .services import _permissions, grantable_roles


class LoginForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    username = auth_forms.UsernameField(
        label=_("Username or mobile number"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("The username/mobile number or password is wrong."),
        "inactive": _("This account is disabled. Ask an administrator."),
    }

    def get_invalid_login_error(self):
        # Say "disabled" only to someone who knows the account's password.
        login, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        user = find_user(login)
        if user is not None and not user.is_active and user.check_password(password):
            return forms.ValidationError(self.error_messages["inactive"], code="inactive")
        return super().get_invalid_login_error()


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class DepartmentForm(VersionedFormMixin, CrmModelForm):
    class Meta:
        model = Department
        fields = ["name", "parent", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Department.objects.order_by("name")
        self.fields["parent"].empty_label = _("(top level)")


class UserForm(VersionedFormMixin, CrmModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        required=True,
        help_text=_("At least 8 characters, not only digits."),
    )

    class Meta:
        model = User
        fields = ["username", "name", "mobile", "email", "department", "superior", "position", "gender", "roles"]
        widgets = {"roles": forms.CheckboxSelectMultiple}

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].required = True
        self.fields["name"].required = True
        self.fields["superior"].queryset = User.objects.filter(is_active=True).exclude(pk=self.instance.pk)
        self.fields["superior"].widget.attrs["data-picker"] = "1"
        self.fields["department"].queryset = Department.objects.order_by("name")
        # Only the roles ``by`` may grant, plus those the user already holds (which may stay).
        offered = {role.pk for role in grantable_roles(by)}
        if self.instance.pk:
            offered |= set(self.instance.roles.values_list("pk", flat=True))
        self.fields["roles"].queryset = Role.objects.filter(pk__in=offered).order_by("id")
        self.fields["roles"].required = False
        if self.instance.pk:
            del self.fields["password"]


class ResetPasswordForm(CrmForm):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    confirm = forms.CharField(label=_("Repeat the new password"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("confirm"):
            self.add_error("confirm", _("The two passwords differ."))
        return data


class RoleForm(VersionedFormMixin, CrmModelForm):
    """Operation permissions as checkboxes grouped like the menu, plus the data scope."""

    permission_codes = forms.MultipleChoiceField(
        label=_("Operation permissions"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Role
        fields = ["name", "description", "data_scope"]
        widgets = {"data_scope": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permission_codes"].choices = [
            (code, label)
            for group in GROUPS.values()
            for section in group.sections
            for code, label in section.permissions
        ]
        if self.instance.pk and not self.is_bound:
            self.initial["permission_codes"] = [
                f"{p.content_type.app_label}.{p.codename}"
                for p in self.instance.permissions.select_related("content_type")
            ]

    def permission_groups(self):
        """[(group, [(section, [(code, label, checked)])])] for the template."""
        chosen = set(self["permission_codes"].value() or [])
        result = []
        for group in GROUPS.values():
            sections = [
                (section, [(code, label, code in chosen) for code, label in section.permissions])
                for section in group.sections
            ]
            if sections:
                result.append((group, sections))
        return result

    def chosen_permissions(self):
        return list(_permissions(self.cleaned_data.get("permission_codes", [])))
