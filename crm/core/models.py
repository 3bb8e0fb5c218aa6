"""Base models shared by every business record."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A record whose edits carry the version they started from (see core.concurrency)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


_scope_resolver = None


def register_scope_resolver(resolver):
    """Install the function that resolves a user's data scope: ``resolver(user)`` returns ``None``
    (every record) or the ids of the owners whose records the user may see.

    Core sits below every app and knows no users' roles or departments: the accounts app, which
    does, registers its resolver in ``AppConfig.ready()``.
    """
    global _scope_resolver  # noqa: PLW0603 - one resolver per process, set once at start-up
    _scope_resolver = resolver


def scope_resolver():
    if _scope_resolver is None:
        raise ImproperlyConfigured("No data-scope resolver is registered; is crm.accounts installed?")
    return _scope_resolver


class ScopedQuerySet(models.QuerySet):
    """The one way to read owned records: ``Model.objects.visible_to(user)``.

    The model names the path to the responsible user in ``scope_owner_field`` (``owner`` for
    most records, ``customer__owner`` for records reached through their customer).
    """

    def visible_to(self, user):
        owner_ids = scope_resolver()(user)
        if owner_ids is None:
            return self
        return self.owned_by(owner_ids)

    def owned_by(self, owner_ids):
        """Records belonging to these users, by the same rule as ``visible_to``.

        Reports narrow a scope to one employee or department with it. A model whose scope is
        more than one owner field overrides this method, never ``visible_to``.
        """
        field = getattr(self.model, "scope_owner_field", "owner")
        return self.filter(**{f"{field}__in": owner_ids})


class OwnedModel(VersionedModel):
    """A business record with a responsible user (owner) and its creator."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_owner_field = "owner"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
