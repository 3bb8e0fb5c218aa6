"""Users, departments and roles over the API: the same services and permissions as the pages."""

from collections.abc import Mapping

from django.contrib.auth.models import Permission
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.core.api import ModelSerializer, Serializer, ServiceModelViewSet, action_response

from . import services
from .backends import lockout_message
from .models import Department, Role, User


class StrictSerializerMixin:
    """Refuses a body that is not an object and fields the endpoint does not take (read-only
    ones included) with 400, rather than ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError({name: [_("This field is not accepted here.")] for name in unknown})
        return super().to_internal_value(data)


class EmptySerializer(StrictSerializerMixin, Serializer):
    """The body of an action that takes no input: nothing, or an empty object."""


class DepartmentSerializer(StrictSerializerMixin, ModelSerializer):
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Department
        fields = ["id", "name", "parent", "sort_order", "version"]
        # The service checks uniqueness per level and names the field that clashes.
        validators = []


@extend_schema_field(OpenApiTypes.STR)
class PermissionCodeField(serializers.RelatedField):
    """A permission as "app_label.codename", the form the menu registry uses."""

    queryset = Permission.objects.select_related("content_type")
    default_error_messages = {"unknown": "Unknown permission: {code}."}

    def to_representation(self, value):
        return services.permission_code(value)

    def to_internal_value(self, data):
        app_label, _dot, codename = str(data).partition(".")
        found = self.get_queryset().filter(content_type__app_label=app_label, codename=codename).first()
        if found is None:
            self.fail("unknown", code=data)
        return found


class RoleSerializer(StrictSerializerMixin, ModelSerializer):
    version = serializers.IntegerField(required=False)
    permissions = PermissionCodeField(many=True, required=False, help_text="Codes such as accounts.view_user.")

    class Meta:
        model = Role
        fields = ["id", "name", "description", "data_scope", "system_key", "permissions", "version"]
        read_only_fields = ["system_key"]


class UserSerializer(StrictSerializerMixin, ModelSerializer):
    version = serializers.IntegerField(required=False)
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "mobile",
            "email",
            "department",
            "superior",
            "position",
            "gender",
            "language",
            "roles",
            "is_active",
            "password",
            "version",
        ]
        read_only_fields = ["is_active", "language"]

    def validate(self, attrs):
        if self.instance is not None and "password" in attrs:
            raise serializers.ValidationError(
                {"password": [_("A password is changed through reset-password, not by editing the user.")]}
            )
        return attrs


class PasswordSerializer(StrictSerializerMixin, Serializer):
    password = serializers.CharField(write_only=True)


class DepartmentViewSet(ServiceModelViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_fields = ["parent"]
    search_fields = ["name"]

    def create_object(self, data):
        return services.create_department(
            name=data.get("name"), parent=data.get("parent"), sort_order=data.get("sort_order", 0), by=self.request.user
        )

    def update_object(self, instance, data):
        return services.update_department(
            instance,
            expected_version=data.get("version"),
            name=data.get("name", instance.name),
            parent=data.get("parent", instance.parent),
            sort_order=data.get("sort_order", instance.sort_order),
            by=self.request.user,
        )

    def destroy_object(self, instance):
        services.delete_department(instance, by=self.request.user)


class RoleViewSet(ServiceModelViewSet):
    # Each permission is shown as "app_label.codename": fetch the content types with them.
    queryset = Role.objects.prefetch_related(
        Prefetch("permissions", queryset=Permission.objects.select_related("content_type"))
    )
    serializer_class = RoleSerializer
    search_fields = ["name"]

    def create_object(self, data):
        return services.create_role(
            name=data.get("name"),
            description=data.get("description", ""),
            data_scope=data.get("data_scope", Role.DataScope.SELF),
            permissions=data.get("permissions", []),
            by=self.request.user,
        )

    def update_object(self, instance, data):
        return services.update_role(
            instance,
            expected_version=data.get("version"),
            name=data.get("name", instance.name),
            description=data.get("description", instance.description),
            data_scope=data.get("data_scope", instance.data_scope),
            permissions=data.get("permissions", instance.permissions.all()),
            by=self.request.user,
        )

    def destroy_object(self, instance):
        services.delete_role(instance, by=self.request.user)


USER_FIELDS = ["username", "name", "mobile", "email", "department", "superior", "position", "gender"]


class UserViewSet(ServiceModelViewSet):
    queryset = User.objects.select_related("department").prefetch_related("roles")
    serializer_class = UserSerializer
    filterset_fields = ["department", "is_active", "roles"]
    search_fields = ["username", "name", "mobile"]
    ordering_fields = ["username", "name", "date_joined"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # users are disabled, never deleted

    def create_object(self, data):
        fields = {key: data.get(key) for key in USER_FIELDS if key in data}
        return services.create_user(
            by=self.request.user, password=data.get("password", ""), roles=data.get("roles", []), **fields
        )

    def update_object(self, instance, data):
        fields = {key: data.get(key, getattr(instance, key)) for key in USER_FIELDS}
        return services.update_user(
            instance,
            by=self.request.user,
            expected_version=data.get("version"),
            roles=data.get("roles", instance.roles.all()),
            **fields,
        )

    def _set_active(self, request, active):
        EmptySerializer(data=request.data).is_valid(raise_exception=True)  # nothing, or {}
        user = services.set_user_active(self.get_object(), active=active, by=request.user)
        return action_response(UserSerializer, user, request)

    @action(
        detail=True, methods=["post"], serializer_class=EmptySerializer, required_permissions=["accounts.change_user"]
    )
    def disable(self, request, pk=None):
        return self._set_active(request, active=False)

    @action(
        detail=True, methods=["post"], serializer_class=EmptySerializer, required_permissions=["accounts.change_user"]
    )
    def enable(self, request, pk=None):
        return self._set_active(request, active=True)

    @action(
        detail=True,
        methods=["post"],
        serializer_class=PasswordSerializer,
        url_path="reset-password",
        required_permissions=["accounts.change_user"],
    )
    def reset_password(self, request, pk=None):
        serializer = PasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.reset_password(
            self.get_object(), password=serializer.validated_data["password"], by=request.user
        )
        return action_response(UserSerializer, user, request)


class LockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"


class ObtainTokenView(ObtainAuthToken):
    """``POST /api/v1/auth/token/``: the caller's API token, a new one once the old has expired."""

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marks the request it was given (this one) when the account is locked.
            if getattr(request, "axes_locked_out", False):
                raise LockedOut(lockout_message())
            raise exceptions.ValidationError(serializer.errors)
        token = services.issue_api_token(serializer.validated_data["user"])
        return Response({"token": token.key})


def register(router):
    router.register("users", UserViewSet)
    router.register("departments", DepartmentViewSet)
    router.register("roles", RoleViewSet)
