"""Factories for users, departments and roles; other apps' tests import these."""

import factory

from crm.accounts.models import Department, Role, User

PASSWORD = "a-Strong-pass-123"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"部门{n}")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    name = factory.Sequence(lambda n: f"角色{n}")
    data_scope = Role.DataScope.SELF


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    department = factory.SubFactory(DepartmentFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            self.roles.set(extracted)


def default_role(key):
    """One of the four default roles (created by migrations)."""
    return Role.objects.get(system_key=key)


def user_with_role(key, **kwargs):
    return UserFactory(roles=[default_role(key)], **kwargs)
