"""Core resolves data scopes through the resolver an app registers; core itself knows no roles."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from crm.accounts.models import User
from crm.accounts.scope import visible_owner_ids
from crm.accounts.tests.factories import UserFactory
from crm.core import models as core_models
from crm.core.models import ScopedQuerySet, register_scope_resolver, scope_resolver

pytestmark = pytest.mark.django_db


@pytest.fixture
def users_owned_by_superior(monkeypatch):
    # The foundation has no owned model: users stand in for records, "owned" by their superior.
    monkeypatch.setattr(User, "scope_owner_field", "superior", raising=False)
    monkeypatch.setattr(core_models, "_scope_resolver", core_models._scope_resolver)  # restored afterwards
    lead, other_lead = UserFactory(), UserFactory()
    return lead, UserFactory(superior=lead), UserFactory(superior=other_lead)


def test_the_accounts_app_registers_its_scope_resolver():
    assert scope_resolver() is visible_owner_ids


def test_visible_to_filters_by_the_ids_the_registered_resolver_answers(users_owned_by_superior):
    lead, mine, _theirs = users_owned_by_superior
    asked = []

    def resolver(user):
        asked.append(user)
        return frozenset({lead.pk})

    register_scope_resolver(resolver)
    assert list(ScopedQuerySet(model=User).visible_to("viewer")) == [mine]
    assert asked == ["viewer"]


def test_a_resolver_answering_none_shows_every_record(users_owned_by_superior):
    register_scope_resolver(lambda user: None)
    assert ScopedQuerySet(model=User).visible_to("viewer").count() == User.objects.count()


def test_without_a_resolver_visible_to_refuses_instead_of_showing_everything(users_owned_by_superior):
    register_scope_resolver(None)
    with pytest.raises(ImproperlyConfigured):
        ScopedQuerySet(model=User).visible_to("viewer")
