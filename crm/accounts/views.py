from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from crm.core.views import Column, CrmConfirmView, CrmEditView, CrmFormView, CrmListView, CrmPageMixin

from . import services
from .backends import lockout_message
from .filters import UserFilter
from .forms import DepartmentForm, LoginForm, PasswordChangeForm, ResetPasswordForm, RoleForm, UserForm
from .models import Department, Role, User

# Sign-in, language, own password ---------------------------------------------------------------


def set_language_cookie(response, language):
    """The language cookie with the LANGUAGE_COOKIE_* settings (Secure in production), as Django's
    own ``set_language`` view sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().language
        if language:
            set_language_cookie(response, language)
        return response


def locked_out(request, credentials=None, *args, **kwargs):
    """Shown by django-axes instead of checking the password while an account is locked."""
    # An unbound form: a bound one would try to authenticate, which is what the lock forbids.
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "lockout_message": lockout_message()}
    return render(request, "accounts/login.html", context, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")
    extra_context = {"title": gettext_lazy("Change password"), "submit_label": gettext_lazy("Change password")}

    def form_valid(self, form):
        # The service sets the password and revokes the API tokens the old one gave.
        services.change_password(form.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return HttpResponseRedirect(self.get_success_url())


class ProfileView(LoginRequiredMixin, View):
    """The signed-in user's own account: who they are, and their API token, which they can revoke."""

    def get(self, request):
        token = services.api_tokens_of(request.user).first()
        return render(
            request,
            "accounts/profile.html",
            {
                "title": _("My account"),
                "roles": request.user.roles.all(),
                "token": token,
                "token_expires": services.api_token_expiry(token) if token else None,
            },
        )


class RevokeTokenView(LoginRequiredMixin, View):
    def post(self, request):
        services.revoke_api_tokens(request.user)
        messages.success(request, _("Your API token has been revoked."))
        return HttpResponseRedirect(reverse("accounts:profile"))


class LanguageView(View):
    """Switch the interface language; a signed-in user keeps the choice."""

    def post(self, request):
        language = request.POST.get("language", "")
        next_url = request.POST.get("next") or "/"
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = "/"
        response = HttpResponseRedirect(next_url)
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            set_language_cookie(response, language)
            if request.user.is_authenticated:
                services.set_language(request.user, language)
        return response


# Users -------------------------------------------------------------------------------------


class UserListView(CrmListView):
    permission_required = "accounts.view_user"
    title = gettext_lazy("Users")
    filterset_class = UserFilter
    row_template = "accounts/_user_row.html"
    columns = [
        Column(gettext_lazy("Username"), "username"),
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Department"), "department"),
        Column(gettext_lazy("Superior")),
        Column(gettext_lazy("Roles")),
        Column(gettext_lazy("Mobile")),
        Column(gettext_lazy("Status"), "is_active"),
        Column("", align="text-end"),
    ]
    sort_fields = {"username": "username", "name": "name", "department": "department__name", "is_active": "is_active"}
    default_sort = "username"
    create_url = reverse_lazy("accounts:user-create")
    create_permission = "accounts.add_user"
    create_label = gettext_lazy("New user")
    empty_message = gettext_lazy("No users yet.")

    def get_base_queryset(self):
        return User.objects.select_related("department", "superior").prefetch_related("roles")


def _user_fields(data):
    return {
        key: data.get(key)
        for key in ["username", "name", "mobile", "email", "department", "superior", "position", "gender"]
    } | {"roles": data.get("roles") or []}


class UserFormMixin:
    form_class = UserForm
    template_name = "accounts/user_form.html"

    def get_form_kwargs(self):
        # The role picker offers only what the signed-in user may grant.
        return super().get_form_kwargs() | {"by": self.request.user}


class UserCreateView(UserFormMixin, CrmFormView):
    permission_required = "accounts.add_user"
    title = gettext_lazy("New user")
    success_message = gettext_lazy("User created.")
    cancel_url = reverse_lazy("accounts:user-list")

    def perform(self, form):
        data = form.cleaned_data
        return services.create_user(by=self.request.user, password=data["password"], **_user_fields(data))

    def get_success_url(self, result):
        return reverse("accounts:user-list")


class UserEditView(UserFormMixin, CrmEditView):
    permission_required = "accounts.change_user"
    success_message = gettext_lazy("Saved.")
    cancel_url = reverse_lazy("accounts:user-list")

    def get_object(self):
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def get_title(self):
        return _("Edit user %(name)s") % {"name": self.object.display_name}

    def perform(self, form):
        data = form.cleaned_data
        return services.update_user(
            self.object, by=self.request.user, expected_version=data.get("version"), **_user_fields(data)
        )

    def get_success_url(self, result):
        return reverse("accounts:user-list")


class UserActiveView(CrmConfirmView):
    permission_required = "accounts.change_user"
    activate = True

    def get_object(self):
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def get_title(self):
        return _("Enable user") if self.activate else _("Disable user")

    def get_question(self):
        name = self.object.display_name
        if self.activate:
            return _("Enable %(name)s? They will be able to sign in again.") % {"name": name}
        return _("Disable %(name)s? They can no longer sign in; their records keep them as owner.") % {"name": name}

    @property
    def confirm_label(self):
        return _("Enable") if self.activate else _("Disable")

    @property
    def danger(self):
        return not self.activate

    @property
    def success_message(self):
        return _("User enabled.") if self.activate else _("User disabled.")

    def perform(self):
        services.set_user_active(self.object, active=self.activate, by=self.request.user)

    def get_success_url(self):
        return reverse("accounts:user-list")


class UserResetPasswordView(CrmEditView):
    permission_required = "accounts.change_user"
    form_class = ResetPasswordForm
    success_message = gettext_lazy("The password has been reset.")
    submit_label = gettext_lazy("Reset password")
    cancel_url = reverse_lazy("accounts:user-list")

    def get_object(self):
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return CrmFormView.get_form_kwargs(self)  # a password form, not a form of the user

    def get_title(self):
        return _("Reset the password of %(name)s") % {"name": self.object.display_name}

    def perform(self, form):
        return services.reset_password(self.object, password=form.cleaned_data["password"], by=self.request.user)

    def get_success_url(self, result):
        return reverse("accounts:user-list")


# Departments -------------------------------------------------------------------------------


class DepartmentTreeView(CrmPageMixin, View):
    permission_required = "accounts.view_department"

    def get(self, request):
        departments = list(Department.objects.annotate(user_count=Count("users")))
        children = {}
        for department in departments:
            children.setdefault(department.parent_id, []).append(department)
        for department in departments:
            department.child_nodes = children.get(department.id, [])
        return render(
            request,
            "accounts/department_tree.html",
            {
                "title": _("Departments"),
                "roots": children.get(None, []),
            },
        )


class DepartmentCreateView(CrmFormView):
    permission_required = "accounts.add_department"
    title = gettext_lazy("New department")
    form_class = DepartmentForm
    success_message = gettext_lazy("Department created.")
    cancel_url = reverse_lazy("accounts:department-list")

    def get_form(self):
        form = super().get_form()
        if not form.is_bound and self.request.GET.get("parent"):
            form.initial["parent"] = self.request.GET["parent"]
        return form

    def perform(self, form):
        data = form.cleaned_data
        return services.create_department(
            name=data["name"], parent=data["parent"], sort_order=data["sort_order"], by=self.request.user
        )

    def get_success_url(self, result):
        return reverse("accounts:department-list")


class DepartmentEditView(CrmEditView):
    permission_required = "accounts.change_department"
    form_class = DepartmentForm
    cancel_url = reverse_lazy("accounts:department-list")

    def get_object(self):
        return get_object_or_404(Department, pk=self.kwargs["pk"])

    def get_title(self):
        return _("Edit department %(name)s") % {"name": self.object.name}

    def perform(self, form):
        data = form.cleaned_data
        return services.update_department(
            self.object,
            expected_version=data.get("version"),
            name=data["name"],
            parent=data["parent"],
            sort_order=data["sort_order"],
            by=self.request.user,
        )

    def get_success_url(self, result):
        return reverse("accounts:department-list")


class DepartmentDeleteView(CrmConfirmView):
    permission_required = "accounts.delete_department"
    title = gettext_lazy("Delete department")
    confirm_label = gettext_lazy("Delete")
    success_message = gettext_lazy("Department deleted.")

    def get_object(self):
        return get_object_or_404(Department, pk=self.kwargs["pk"])

    def get_question(self):
        return _("Delete the department %(name)s? This cannot be undone.") % {"name": self.object.name}

    def perform(self):
        services.delete_department(self.object, by=self.request.user)

    def get_success_url(self):
        return reverse("accounts:department-list")


# Roles -------------------------------------------------------------------------------------


class RoleListView(CrmListView):
    permission_required = "accounts.view_role"
    title = gettext_lazy("Roles")
    row_template = "accounts/_role_row.html"
    columns = [
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Description")),
        Column(gettext_lazy("Data scope"), "data_scope"),
        Column(gettext_lazy("Users"), align="text-end"),
        Column(gettext_lazy("Permissions"), align="text-end"),
        Column("", align="text-end"),
    ]
    sort_fields = {"name": "name", "data_scope": "data_scope"}
    create_url = reverse_lazy("accounts:role-create")
    create_permission = "accounts.add_role"
    create_label = gettext_lazy("New role")

    def get_base_queryset(self):
        return Role.objects.annotate(
            user_count=Count("users", distinct=True), permission_count=Count("permissions", distinct=True)
        ).order_by("id")


class RoleFormMixin:
    form_class = RoleForm
    template_name = "accounts/role_form.html"
    cancel_url = reverse_lazy("accounts:role-list")

    def get_success_url(self, result):
        return reverse("accounts:role-list")


class RoleCreateView(RoleFormMixin, CrmFormView):
    permission_required = "accounts.add_role"
    title = gettext_lazy("New role")
    success_message = gettext_lazy("Role created.")

    def perform(self, form):
        data = form.cleaned_data
        return services.create_role(
            name=data["name"],
            description=data["description"],
            data_scope=data["data_scope"],
            permissions=form.chosen_permissions(),
            by=self.request.user,
        )


class RoleEditView(RoleFormMixin, CrmEditView):
    permission_required = "accounts.change_role"

    def get_object(self):
        return get_object_or_404(Role, pk=self.kwargs["pk"])

    def get_title(self):
        return _("Edit role %(name)s") % {"name": self.object.name}

    def perform(self, form):
        data = form.cleaned_data
        return services.update_role(
            self.object,
            expected_version=data.get("version"),
            name=data["name"],
            description=data["description"],
            data_scope=data["data_scope"],
            permissions=form.chosen_permissions(),
            by=self.request.user,
        )


class RoleDeleteView(CrmConfirmView):
    permission_required = "accounts.delete_role"
    title = gettext_lazy("Delete role")
    confirm_label = gettext_lazy("Delete")
    success_message = gettext_lazy("Role deleted.")

    def get_object(self):
        return get_object_or_404(Role, pk=self.kwargs["pk"])

    def get_question(self):
        return _("Delete the role %(name)s? This cannot be undone.") % {"name": self.object.name}

    def perform(self):
        services.delete_role(self.object, by=self.request.user)

    def get_success_url(self):
        return reverse("accounts:role-list")
