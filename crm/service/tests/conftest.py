from types import SimpleNamespace

import pytest

from crm.accounts.models import Role
from crm.accounts.tests.factories import RoleFactory, user_with_role
from crm.customers.tests.factories import CustomerFactory

from .factories import ServiceRequestFactory


@pytest.fixture
def team(supervisor, account_manager):
    """A supervisor's department: a manager with a customer and a colleague who handles requests."""
    department = supervisor.department
    account_manager.department = department
    account_manager.save(update_fields=["department"])
    handler = user_with_role(Role.Key.ACCOUNT_MANAGER, username="handler_t", department=department)
    customer = CustomerFactory(owner=account_manager)
    return SimpleNamespace(supervisor=supervisor, manager=account_manager, handler=handler, customer=customer)


@pytest.fixture
def new_request(team):
    return ServiceRequestFactory(customer=team.customer)


@pytest.fixture
def outsider():
    """Another account manager, in another department, with a customer and a request of their own."""
    manager = user_with_role(Role.Key.ACCOUNT_MANAGER, username="outsider_t")
    customer = CustomerFactory(owner=manager)
    return SimpleNamespace(manager=manager, customer=customer, request=ServiceRequestFactory(customer=customer))


@pytest.fixture
def head_of_service():
    """A supervisor who sees every record (an extra role with the scope "all"): may assign any
    request to anyone who handles requests."""
    head = user_with_role(Role.Key.SUPERVISOR, username="head_t")
    head.roles.add(RoleFactory(data_scope=Role.DataScope.ALL))
    return head
