"""Service management (服务管理): customer service requests and their rounds of handling.

A request moves new → assigned → handled → archived; feedback with a satisfaction below 3
sends it back from handled to assigned. Every handling and its feedback is one ``ServiceRound``,
so earlier attempts stay in the request's history.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.core.models import ScopedQuerySet, TimeStampedModel, VersionedModel
from crm.customers.models import Customer
from crm.dictionary.models import DictItem, DictType

SATISFACTION_MIN, SATISFACTION_MAX = 1, 5
# Feedback at or above this satisfaction archives the request; below it the request is handled again.
ARCHIVE_SATISFACTION = 3


class ServiceRequestQuerySet(ScopedQuerySet):
    def owned_by(self, owner_ids):
        """Requests whose customer's manager OR whose assignee is one of these users.

        See ``ServiceRequest`` for why the assignee counts too.
        """
        return self.filter(Q(**{f"{self.model.scope_owner_field}__in": owner_ids}) | Q(assignee__in=owner_ids))


class ServiceRequest(VersionedModel):
    """A service request (客户服务) raised by a customer: consultation, suggestion or complaint.

    Data scope: a request belongs to its customer, so it is visible to whoever may see the
    customer's manager (``customer__owner``). It is also visible to whoever may see its
    **assignee**: the person told to handle it must reach it even when the customer belongs to
    another manager, and that person's supervisor sees the work of their team. Nobody else
    sees it; in particular the creator alone does not (a creator who is no longer the customer's
    manager hands the request over with the customer).
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")  # 新创建
        ASSIGNED = "assigned", _("Assigned")  # 已分配
        HANDLED = "handled", _("Handled")  # 已处理
        ARCHIVED = "archived", _("Archived")  # 已归档

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="service_requests"
    )
    service_type = models.ForeignKey(
        DictItem,
        verbose_name=_("service type"),
        on_delete=models.PROTECT,
        limit_choices_to={"dict_type": DictType.SERVICE_TYPE},
        related_name="+",
    )
    summary = models.CharField(_("summary"), max_length=200)
    details = models.TextField(_("request details"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    # The round being handled or waiting for feedback, else the last one (one join for lists).
    latest_round = models.ForeignKey(
        "ServiceRound",
        verbose_name=_("latest round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    scope_owner_field = "customer__owner"
    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        db_table = "cst_service"
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("assign_servicerequest", _("Can assign service requests")),
            ("handle_servicerequest", _("Can handle service requests assigned to them")),
            ("feedback_servicerequest", _("Can record feedback on handled service requests")),
        ]
        indexes = [
            # Assignment list / archive search / badge "new in my scope": status, newest first.
            models.Index(fields=["status", "created_at"], name="svc_status_created_idx"),
            # "Assigned to me" list and badge.
            models.Index(fields=["assignee", "status"], name="svc_assignee_status_idx"),
            # Feedback waiting for the creator.
            models.Index(fields=["created_by", "status"], name="svc_creator_status_idx"),
            models.Index(fields=["customer", "status"], name="svc_customer_status_idx"),
            models.Index(fields=["service_type", "status"], name="svc_type_status_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.summary}"

    @property
    def is_archived(self):
        return self.status == self.Status.ARCHIVED


class ServiceRound(TimeStampedModel):
    """One round of a request: how the assignee handled it (服务处理) and the feedback on it
    (处理结果, satisfaction). Rounds are numbered from 1 and never change after their feedback."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("service request"), on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("round"))
    handling = models.TextField(_("handling"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handled by"), on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"))
    result = models.TextField(_("result"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(SATISFACTION_MIN), MaxValueValidator(SATISFACTION_MAX)],
    )
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("feedback by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)

    class Meta:
        db_table = "cst_service_round"
        verbose_name = _("service round")
        verbose_name_plural = _("service rounds")
        ordering = ["request_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="svc_round_unique_number"),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=SATISFACTION_MIN, satisfaction__lte=SATISFACTION_MAX),
                name="svc_round_satisfaction_range",
            ),
        ]

    def __str__(self):
        return _("Round %(number)s") % {"number": self.number}

    @property
    def has_feedback(self):
        return self.feedback_at is not None
