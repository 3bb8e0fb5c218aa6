from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/token/revoke/", views.RevokeTokenView.as_view(), name="profile-token-revoke"),
    path("language/", views.LanguageView.as_view(), name="language"),
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/new/", views.UserCreateView.as_view(), name="user-create"),
    path("users/<int:pk>/edit/", views.UserEditView.as_view(), name="user-edit"),
    path("users/<int:pk>/disable/", views.UserActiveView.as_view(activate=False), name="user-disable"),
    path("users/<int:pk>/enable/", views.UserActiveView.as_view(activate=True), name="user-enable"),
    path("users/<int:pk>/password/", views.UserResetPasswordView.as_view(), name="user-password"),
    path("departments/", views.DepartmentTreeView.as_view(), name="department-list"),
    path("departments/new/", views.DepartmentCreateView.as_view(), name="department-create"),
    path("departments/<int:pk>/edit/", views.DepartmentEditView.as_view(), name="department-edit"),
    path("departments/<int:pk>/delete/", views.DepartmentDeleteView.as_view(), name="department-delete"),
    path("roles/", views.RoleListView.as_view(), name="role-list"),
    path("roles/new/", views.RoleCreateView.as_view(), name="role-create"),
    path("roles/<int:pk>/edit/", views.RoleEditView.as_view(), name="role-edit"),
    path("roles/<int:pk>/delete/", views.RoleDeleteView.as_view(), name="role-delete"),
]
