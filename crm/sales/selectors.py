"""Reads of opportunities, plans and the pipeline, always through the reader's data scope."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Min, Prefetch, Q, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Opportunity, PipelineStage, PlanItem, StageChange

Status = Opportunity.Status

MONEY = DecimalField(max_digits=16, decimal_places=2)
BOARD_CARDS_PER_STAGE = 30


def opportunities_for(user):
    """Opportunities the user may see, with what a list row shows."""
    return Opportunity.objects.visible_to(user).select_related("source", "owner", "created_by", "stage", "customer")


def opportunity_for(user, pk):
    """One opportunity in the user's scope, or 404."""
    return get_object_or_404(opportunities_for(user).select_related("assigned_by"), pk=pk)


def unassigned_for(user):
    return opportunities_for(user).filter(status=Status.UNASSIGNED)


def with_plan_progress(queryset, *, today=None):
    """Annotate each opportunity with its plan's size, steps done and next open date (one query)."""
    today = today or timezone.localdate()
    open_steps = Q(plan_items__result="")
    return queryset.annotate(
        plan_total=Count("plan_items", distinct=True),
        plan_done=Count("plan_items", filter=~open_steps, distinct=True),
        next_step_date=Min("plan_items__date", filter=open_steps),
        overdue_steps=Count("plan_items", filter=open_steps & Q(plan_items__date__lt=today), distinct=True),
    )


def assigned_to(user):
    """The opportunities assigned to ``user`` (their development plans), with plan progress."""
    return with_plan_progress(opportunities_for(user).filter(owner=user))


def opportunities_for_customer(user, customer):
    """The opportunities about a customer (or won into it) that the user may see, newest first."""
    return opportunities_for(user).filter(customer=customer).order_by("-created_at", "-pk")


def plan_items_of(opportunity):
    return opportunity.plan_items.select_related("created_by").order_by("date", "pk")


def stage_changes_of(opportunity):
    return opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by").order_by("created_at", "pk")


def plan_item_for(opportunity, pk):
    return get_object_or_404(PlanItem.objects.filter(opportunity=opportunity), pk=pk)


def stage_for(pk):
    """Stages are company-wide configuration: whoever may see them sees every one."""
    return get_object_or_404(PipelineStage, pk=pk)


def active_stages():
    return PipelineStage.objects.filter(is_active=True).order_by("sort_order", "pk")


def stages():
    """Every stage, with how many opportunities are in it now (for the configuration list)."""
    return PipelineStage.objects.annotate(
        open_count=Count("opportunities", filter=Q(opportunities__status=Status.DEVELOPING))
    )


def due_plan_steps(user, *, today=None):
    """How many steps of the user's developing opportunities are due today or overdue."""
    today = today or timezone.localdate()
    return PlanItem.objects.filter(
        opportunity__owner=user, opportunity__status=Status.DEVELOPING, result="", date__lte=today
    ).count()


def unassigned_count(user):
    return Opportunity.objects.visible_to(user).filter(status=Status.UNASSIGNED).count()


# Pipeline board ---------------------------------------------------------------------------------


@dataclass
class BoardColumn:
    stage: PipelineStage | None
    count: int = 0
    amount: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")
    cards: list = field(default_factory=list)

    @property
    def hidden_count(self):
        return self.count - len(self.cards)


def weighted_amount():
    """Expected amount × success probability, in the database."""
    return ExpressionWrapper(
        Coalesce(F("expected_amount"), Value(Decimal("0"))) * F("probability") / Value(Decimal("100")),
        output_field=MONEY,
    )


def board(queryset):
    """Developing opportunities of ``queryset`` (already scoped and filtered) grouped by stage.

    Counts and amounts are aggregated in the database; each column shows its first
    ``BOARD_CARDS_PER_STAGE`` cards, soonest expected close first. Active stages always have a
    column; an inactive stage or no stage gets one only while opportunities are in it.
    """
    developing = queryset.filter(status=Status.DEVELOPING)
    totals = {
        row["stage"]: row
        for row in developing.order_by()
        .values("stage")
        .annotate(
            count=Count("pk"),
            amount=Coalesce(Sum("expected_amount"), Value(Decimal("0")), output_field=MONEY),
            weighted=Coalesce(Sum(weighted_amount()), Value(Decimal("0")), output_field=MONEY),
        )
    }
    ranked = developing.annotate(
        board_rank=Window(
            RowNumber(),
            partition_by=[F("stage")],
            order_by=[F("expected_close_date").asc(nulls_last=True), F("pk").asc()],
        )
    ).filter(board_rank__lte=BOARD_CARDS_PER_STAGE)
    cards = {}
    for opportunity in ranked.order_by("stage", "board_rank"):
        cards.setdefault(opportunity.stage_id, []).append(opportunity)

    used = [pk for pk in totals if pk is not None]
    stage_rows = PipelineStage.objects.filter(Q(is_active=True) | Q(pk__in=used)).order_by("sort_order", "pk")
    columns = [BoardColumn(stage=None)] if None in totals else []
    columns += [BoardColumn(stage=stage) for stage in stage_rows]
    for column in columns:
        key = column.stage.pk if column.stage else None
        row = totals.get(key)
        if row:
            column.count, column.amount, column.weighted = row["count"], row["amount"], row["weighted"]
        column.cards = cards.get(key, [])
    return columns


def board_totals(columns):
    return {
        "count": sum(c.count for c in columns),
        "amount": sum((c.amount for c in columns), Decimal("0")),
        "weighted": sum((c.weighted for c in columns), Decimal("0")),
    }


def opportunity_detail(user, pk):
    """One opportunity with its plan, stage history and products, for the development page."""
    return get_object_or_404(
        opportunities_for(user)
        .select_related("assigned_by")
        .prefetch_related(
            "products",
            Prefetch("plan_items", queryset=PlanItem.objects.select_related("created_by").order_by("date", "pk")),
            Prefetch(
                "stage_changes",
                queryset=StageChange.objects.select_related("from_stage", "to_stage", "changed_by").order_by(
                    "created_at", "pk"
                ),
            ),
        ),
        pk=pk,
    )
