"""A sales team: a supervisor and two account managers in one department, a manager elsewhere."""

from types import SimpleNamespace

import pytest

from crm.accounts.models import Role
from crm.accounts.tests.factories import DepartmentFactory, user_with_role


@pytest.fixture
def team(db):
    sales = DepartmentFactory(name="销售部")
    return SimpleNamespace(
        department=sales,
        boss=user_with_role(Role.Key.SUPERVISOR, username="boss", department=sales),
        rep=user_with_role(Role.Key.ACCOUNT_MANAGER, username="rep", department=sales),
        peer=user_with_role(Role.Key.ACCOUNT_MANAGER, username="peer", department=sales),
        far=user_with_role(Role.Key.ACCOUNT_MANAGER, username="far"),
        chief=user_with_role(Role.Key.EXECUTIVE, username="chief", department=sales),
        admin=user_with_role(Role.Key.ADMINISTRATOR, username="root", department=sales),
    )
