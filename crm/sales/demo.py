"""Demo sales opportunities in every status, with development plans and pipeline history.

Supervisor zhangwei creates and assigns most of them; account managers liqiang, wangfang and
sunli develop them (and create a few of their own). Everything goes through the services, so
won opportunities create their customers as they would in use. Idempotent: an opportunity
whose customer name and summary exist is left alone.
"""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from crm.catalog.models import Product
from crm.customers.models import Customer
from crm.dictionary.models import DictItem, DictType

from . import services
from .models import Opportunity, PipelineStage, StageChange

U, D, S, F = "unassigned", "developing", "succeeded", "failed"


@dataclass
class Demo:
    name: str
    summary: str
    source: str
    probability: int
    contact: str
    phone: str
    description: str
    creator: str
    days_ago: int
    status: str = U
    assignee: str = ""
    stage: int | None = None  # index into the active stages: it moves through each up to this one
    amount: str = ""
    close_in: int | None = None  # expected close date, days from today
    products: list = field(default_factory=list)
    plan: list = field(default_factory=list)  # (days after assignment, to-do, result or "")
    existing: str = ""  # the name of an existing customer it is about
    gender: str = ""  # of the first contact, when success creates the customer
    position: str = ""
    reason: str = ""  # why it failed


OPPORTUNITIES = [
    Demo("青岛海润水产有限公司", "冷库监控系统与笔记本采购", "exhibition", 40, "赵海", "13953200011",
         "展会上留下联系方式，计划为新建冷库配置监控终端与 20 台笔记本电脑。", "zhangwei", 2),
    Demo("济南泉城教育科技有限公司", "智慧教室投影仪批量采购", "website", 30, "钱老师", "0531-86001234",
         "官网留言咨询 40 间教室的投影设备，预算待定。", "zhangwei", 1),
    Demo("天津港联物流有限公司", "调度中心大屏显示器", "phone", 50, "孙经理", "022-25701188",
         "电话咨询调度中心显示器与台式机整体方案。", "liqiang", 3),
    Demo("佛山南海陶瓷有限公司", "办公电脑更新换代", "referral", 60, "梁先生", "13690001234",
         "老客户介绍，约 60 台办公电脑需要更新。", "sunli", 4),
    Demo("北京智联云计算有限公司", "机房服务器扩容", "referral", 50, "周工", "13801012345",
         "客户计划扩容机房，关注服务器与显示器。", "zhangwei", 20, D, "liqiang", 1, "360000", 30,
         ["P0013", "P0010"],
         [(1, "电话沟通扩容需求与时间表", "已确认需 10 台服务器，下月立项"),
          (6, "上门演示服务器配置方案", "客户技术负责人认可方案"),
          (18, "提交正式报价", ""), (26, "跟进商务审批", "")]),
    Demo("天津滨海制药有限公司", "车间电视看板", "exhibition", 30, "刘主任", "022-66001122",
         "展会结识，车间需要电视机做生产看板。", "zhangwei", 8, D, "liqiang", 0, "45000", 45, ["P0001"],
         [(1, "寄送产品资料", "资料已送达"), (10, "预约参观样板车间", "")]),
    Demo("石家庄冀中能源物资有限公司", "笔记本电脑年度集采", "advertising", 40, "马科长", "0311-87654321",
         "看到广告后来电，年度集采约 80 台笔记本。", "zhangwei", 40, D, "liqiang", 3, "980000", 10,
         ["P0003", "P0004"],
         [(2, "了解集采流程", "需走公开招标"), (9, "准备投标资料", "已提交"), (30, "参加开标", "进入商务谈判"),
          (38, "商务谈判第二轮", "")]),
    Demo("北京朝阳国际会展中心", "展馆投影与音响", "website", 30, "何女士", "010-84601234",
         "官网咨询展馆投影仪与配套设备。", "zhangwei", 15, D, "wangfang", 2, "210000", 25, ["P0012"],
         [(1, "电话了解场馆情况", "共 6 个展厅"), (5, "现场勘查", "已完成，需定制安装"), (16, "方案报价", "")]),
    Demo("保定直隶建筑设计院", "绘图工作站与打印机", "phone", 20, "冯工", "0312-5012345",
         "设计院需要高配台式机与打印机。", "wangfang", 5, D, "wangfang", None, "120000", 60, ["P0009", "P0011"],
         [(1, "约见设计院信息科", "")]),
    Demo("广州天河数码城有限公司", "门店收银电脑", "exhibition", 50, "黄经理", "13802223344",
         "连锁门店更新收银电脑与显示器。", "zhangwei", 18, D, "sunli", 1, "88000", 20, ["P0009", "P0010", "P0014"],
         [(1, "寄送样机", "样机已签收"), (7, "收集门店试用反馈", "反馈良好"), (20, "确认采购数量", "")]),
    Demo("深圳前海金融服务有限公司", "交易室显示器", "referral", 60, "陈总", "13926667788",
         "交易室需要 120 台显示器，预算充足。", "zhangwei", 35, D, "sunli", 3, "150000", 7, ["P0010"],
         [(2, "拜访陈总", "确认需求"), (10, "提交样品", "测试通过"), (25, "价格谈判", "已基本达成一致"),
          (33, "合同法务审核", "")]),
    Demo("廊坊新航城物业管理有限公司", "物业中心空调与电脑", "phone", 70, "吴经理", "0316-2345678",
         "新物业中心开业，采购空调与办公电脑。", "zhangwei", 50, S, "liqiang", 3, "76000", -5, ["P0008", "P0009"],
         [(1, "电话沟通", "确认采购清单"), (8, "报价", "客户接受"), (20, "签约", "合同已签")],
         gender="male", position="行政经理"),
    Demo("东莞松山湖智造有限公司", "产线电脑与打印机", "exhibition", 60, "邓小姐", "13712345678",
         "产线升级需要台式机与打印机。", "zhangwei", 45, S, "sunli", 2, "64000", -10, ["P0009", "P0011"],
         [(2, "上门了解产线", "需 20 台台式机"), (12, "方案报价", "通过"), (25, "签约", "已签")],
         gender="female", position="采购主管"),
    Demo("北京华信科技有限公司", "新办公区笔记本增补", "referral", 80, "", "",
         "老客户新办公区需增补笔记本电脑。", "liqiang", 30, S, "liqiang", 3, "196000", -3, ["P0003"],
         [(1, "确认数量与型号", "30 台 i60"), (8, "报价", "客户接受")], existing="北京华信科技有限公司"),
    Demo("唐山钢联贸易有限公司", "仓库监控电视", "advertising", 20, "曹经理", "0315-2801234",
         "广告来电，仓库需要电视机做监控显示。", "zhangwei", 60, F, "wangfang", 0, "30000", None, ["P0005"],
         [(2, "电话沟通", "客户预算不足"), (15, "再次跟进", "客户已选择其他供应商")],
         reason="客户预算不足，已选择其他供应商。"),
    Demo("沧州运河化工有限公司", "化验室电脑", "phone", 30, "林主任", "0317-3012345",
         "化验室电脑更新，需求较小。", "liqiang", 55, F, "liqiang", 1, "18000", None, ["P0009"],
         [(3, "上门拜访", "需求暂缓")], reason="客户项目取消。"),
]  # fmt: skip


def _at(days_ago, hour=10):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def seed(stdout):
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["zhangwei", "liqiang", "wangfang", "sunli"])}
    if len(users) < 4:
        return
    stages = list(PipelineStage.objects.filter(is_active=True).order_by("sort_order", "pk"))
    sources = {i.value: i for i in DictItem.objects.filter(dict_type=DictType.OPPORTUNITY_SOURCE)}
    products = {p.external_key: p for p in Product.objects.all()}
    existing = set(Opportunity.objects.values_list("customer_name", "summary"))
    created = 0
    for demo in OPPORTUNITIES:
        if (demo.name, demo.summary) in existing:
            continue
        customer = None
        if demo.existing:
            customer = Customer.objects.filter(name=demo.existing).select_related("owner").first()
            if customer is None or customer.owner.username not in users:
                continue  # the customers demo is not loaded
            # Its manager found the opportunity and develops it.
            demo = replace(demo, creator=customer.owner.username, assignee=customer.owner.username)
        _seed_one(
            demo, users=users, stages=stages, source=sources.get(demo.source), products=products, customer=customer
        )
        created += 1
    if created:
        stdout.write(f"Sales opportunities: {created} added.\n")


def _seed_one(demo, *, users, stages, source, products, customer):
    today = timezone.localdate()
    opportunity = services.create_opportunity(
        by=users[demo.creator],
        source=source,
        customer=customer,
        customer_name=demo.name,
        probability=demo.probability,
        summary=demo.summary,
        contact=demo.contact,
        contact_phone=demo.phone,
        description=demo.description,
        expected_amount=Decimal(demo.amount) if demo.amount and demo.status == U else None,
        products=[products[key] for key in demo.products if key in products],
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(created_at=_at(demo.days_ago, 9))
    if demo.status == U:
        return
    manager = users[demo.assignee]
    opportunity = services.assign_opportunity(opportunity, to=manager, by=users["zhangwei"])
    assigned = max(demo.days_ago - 1, 0)  # days ago
    Opportunity.objects.filter(pk=opportunity.pk).update(assigned_at=_at(assigned, 11))
    for offset, todo, result in demo.plan:
        date = today - datetime.timedelta(days=assigned - offset)
        item = services.add_plan_item(opportunity, by=manager, date=date, todo=todo)
        if result:
            services.record_result(item, by=manager, expected_version=item.version, result=result)
    if demo.stage is not None and stages:
        for step, stage in enumerate(stages[: min(demo.stage, len(stages) - 1) + 1]):
            services.move_stage(opportunity, by=manager, stage=stage)
            StageChange.objects.filter(opportunity=opportunity, to_stage=stage).update(
                created_at=_at(max(assigned - 3 - step * 5, 0), 15)
            )
    opportunity.refresh_from_db()
    services.update_pipeline(
        opportunity,
        by=manager,
        expected_version=opportunity.version,
        expected_amount=Decimal(demo.amount) if demo.amount else None,
        expected_close_date=today + datetime.timedelta(days=demo.close_in) if demo.close_in is not None else None,
    )
    if demo.status == S:
        services.succeed_opportunity(
            opportunity,
            by=manager,
            contact_gender=demo.gender,
            contact_position=demo.position,
            contact_phone=demo.phone,
        )
    elif demo.status == F:
        services.fail_opportunity(opportunity, by=manager, reason=demo.reason)
    if demo.status in (S, F):
        Opportunity.objects.filter(pk=opportunity.pk).update(closed_at=_at(max(assigned - 25, 1), 16))
