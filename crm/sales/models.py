"""Marketing management (营销管理): sales opportunities, their development plans and the pipeline.

One ``Opportunity`` serves the classic flow (机会 → 指派 → 开发计划 → 开发成功/失败) and the modern
pipeline (商机 moving through ``PipelineStage`` rows with win rates).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.core.models import OwnedModel, ScopedQuerySet, TimeStampedModel, VersionedModel
from crm.dictionary.models import DictItem, DictType

PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class PipelineStage(VersionedModel):
    """A configurable pipeline stage (商机阶段) with the win rate it stands for."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    win_rate = models.PositiveSmallIntegerField(_("win rate (%)"), validators=PERCENT_VALIDATORS)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "sal_stage"
        verbose_name = _("pipeline stage")
        verbose_name_plural = _("pipeline stages")
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(win_rate__lte=100), name="sal_stage_win_rate_max_100"),
        ]

    def __str__(self):
        return f"{self.name} ({self.win_rate}%)"


class OpportunityQuerySet(ScopedQuerySet):
    def owned_by(self, owner_ids):
        """The data scope of opportunities (see ``Opportunity``)."""
        return self.filter(Q(owner__in=owner_ids) | Q(owner__isnull=True, created_by__in=owner_ids))


class Opportunity(OwnedModel):
    """A sales opportunity (销售机会 / 商机).

    ``owner`` is the assignee (指派人, the account manager who develops it); it is empty while
    the opportunity is unassigned. Data scope: an assigned opportunity is visible to whoever
    may see its assignee's records; an unassigned one has no assignee yet and is visible to
    whoever may see its creator's records — the creator themselves and the supervisors whose
    scope covers the creator (who assign it). Once assigned, it follows its assignee only.
    """

    class Status(models.TextChoices):
        UNASSIGNED = "unassigned", _("Unassigned")
        DEVELOPING = "developing", _("Developing")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    CLOSED_STATUSES = (Status.SUCCEEDED, Status.FAILED)

    source = models.ForeignKey(
        DictItem,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"dict_type": DictType.OPPORTUNITY_SOURCE},
        related_name="+",
    )
    # The assignee (指派人); the same column every owned record has, named for what it is here.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer_name = models.CharField(_("customer name"), max_length=100)
    probability = models.PositiveSmallIntegerField(_("success probability (%)"), validators=PERCENT_VALIDATORS)
    summary = models.CharField(_("summary"), max_length=200)
    contact = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UNASSIGNED, db_index=True
    )
    # An existing customer the opportunity is about; a won opportunity links the customer it created.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage = models.ForeignKey(
        PipelineStage,
        verbose_name=_("stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    expected_amount = models.DecimalField(
        _("expected amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    products = models.ManyToManyField(
        "catalog.Product", verbose_name=_("products of interest"), blank=True, related_name="opportunities"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.TextField(_("reason for ending"), blank=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        db_table = "sal_chance"
        verbose_name = _("sales opportunity")
        verbose_name_plural = _("sales opportunities")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("assign_opportunity", _("Can assign sales opportunities")),
            ("develop_opportunity", _("Can make and execute development plans")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(probability__lte=100), name="sal_chance_probability_max_100"),
            models.CheckConstraint(
                condition=Q(expected_amount__isnull=True) | Q(expected_amount__gte=0),
                name="sal_chance_amount_not_negative",
            ),
            # An assigned opportunity always has its assignee.
            models.CheckConstraint(
                condition=Q(status="unassigned") | Q(owner__isnull=False), name="sal_chance_assigned_has_owner"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="sal_chance_status_created_idx"),
            models.Index(fields=["owner", "status"], name="sal_chance_owner_status_idx"),
            models.Index(fields=["created_by", "status"], name="sal_chance_creator_status_idx"),
            models.Index(fields=["source", "status"], name="sal_chance_source_status_idx"),
            models.Index(fields=["stage", "status"], name="sal_chance_stage_status_idx"),
            models.Index(fields=["customer_name"], name="sal_chance_customer_name_idx"),
            models.Index(fields=["created_at"], name="sal_chance_created_idx"),
        ]

    def __str__(self):
        return f"{self.customer_name} · {self.summary}"

    @property
    def is_unassigned(self):
        return self.status == self.Status.UNASSIGNED

    @property
    def is_developing(self):
        return self.status == self.Status.DEVELOPING

    @property
    def is_succeeded(self):
        return self.status == self.Status.SUCCEEDED

    @property
    def is_failed(self):
        return self.status == self.Status.FAILED

    @property
    def is_closed(self):
        return self.status in self.CLOSED_STATUSES


class PlanItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Plan items follow their opportunity's scope."""
        return self.filter(opportunity__in=Opportunity.objects.visible_to(user).values("pk"))


class PlanItem(VersionedModel):
    """One step of an opportunity's development plan (客户开发计划) and, once done, its result."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="plan_items"
    )
    date = models.DateField(_("date"))
    todo = models.CharField(_("to do"), max_length=500)
    result = models.CharField(_("result"), max_length=500, blank=True)
    result_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        db_table = "sal_plan"
        verbose_name = _("development plan item")
        verbose_name_plural = _("development plan items")
        ordering = ["date", "id"]
        # Reached through the opportunity: its develop permission governs them.
        default_permissions = ()
        indexes = [models.Index(fields=["opportunity", "date"], name="sal_plan_opportunity_date_idx")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.todo[:50]}"

    @property
    def is_done(self):
        return bool(self.result)


class StageChange(TimeStampedModel):
    """One move of an opportunity between pipeline stages (the pipeline's history)."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        PipelineStage,
        verbose_name=_("from stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_stage = models.ForeignKey(PipelineStage, verbose_name=_("to stage"), on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        db_table = "sal_stage_change"
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["created_at", "id"]
        default_permissions = ()
        indexes = [models.Index(fields=["opportunity", "created_at"], name="sal_stage_change_opp_idx")]

    def __str__(self):
        return f"{self.from_stage or '—'} → {self.to_stage}"
