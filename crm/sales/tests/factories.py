"""Factories for opportunities and plan items; other apps' tests may import these."""

import datetime

import factory
from django.utils import timezone

from crm.accounts.tests.factories import UserFactory
from crm.sales.models import Opportunity, PipelineStage, PlanItem


class OpportunityFactory(factory.django.DjangoModelFactory):
    """An unassigned opportunity with every field R-OPP-1 requires."""

    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    customer_name = factory.Sequence(lambda n: f"潜在客户{n}有限公司")
    probability = 50
    summary = factory.Sequence(lambda n: f"采购笔记本电脑{n}")
    contact = "王经理"
    contact_phone = "13800138000"
    description = "客户计划更新办公设备。"
    created_by = factory.SubFactory(UserFactory)
    status = Opportunity.Status.UNASSIGNED


def developing(owner, *, by=None, stage=None, **kwargs):
    """An opportunity already assigned to ``owner``."""
    return OpportunityFactory(
        owner=owner,
        created_by=by or owner,
        assigned_by=by or owner,
        assigned_at=timezone.now(),
        status=Opportunity.Status.DEVELOPING,
        stage=stage,
        **kwargs,
    )


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    opportunity = factory.SubFactory(OpportunityFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1))
    todo = factory.Sequence(lambda n: f"电话回访{n}")


def stage(name):
    """A stage seeded by the data migration (验证客户, 需求分析, 方案报价, 谈判审核)."""
    return PipelineStage.objects.get(name=name)
