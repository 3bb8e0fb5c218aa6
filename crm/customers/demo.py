"""Demo customers of the four demo account managers, with contacts and interaction records.

Idempotent: a customer whose name exists is left alone. A few customers date back more than
six months, so the churn check has something to find.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm.dictionary.models import DictItem, DictType

from . import services
from .models import ChurnRecord, Customer, CustomerNumberCounter

MANAGERS = ["liqiang", "wangfang", "sunli", "zhoujie"]

# name, region value, city/district for the address, days since creation
CUSTOMERS = [
    ("北京华信科技有限公司", "beijing", "北京市海淀区中关村大街27号", 420),
    ("北京东方红电子设备有限公司", "beijing", "北京市朝阳区酒仙桥路10号", 300),
    ("北京金桥商贸有限责任公司", "beijing", "北京市丰台区南四环西路188号", 35),
    ("北京中科恒远软件股份有限公司", "beijing", "北京市海淀区上地信息路9号", 12),
    ("天津海河机械制造有限公司", "north", "天津市河西区友谊路32号", 250),
    ("石家庄宏达医药有限公司", "north", "石家庄市长安区中山东路58号", 90),
    ("太原晋阳煤炭物资有限公司", "north", "太原市小店区长风街5号", 60),
    ("呼和浩特草原乳业有限公司", "north", "呼和浩特市赛罕区昭乌达路16号", 20),
    ("河北燕赵建材集团有限公司", "north", "保定市竞秀区朝阳北大街88号", 210),
    ("武汉长江光电有限公司", "central_south", "武汉市东湖高新区光谷大道77号", 150),
    ("长沙湘江工程机械有限公司", "central_south", "长沙市岳麓区麓谷大道618号", 45),
    ("广州珠江电器股份有限公司", "central_south", "广州市天河区天河路385号", 80),
    ("深圳鹏城通信技术有限公司", "central_south", "深圳市南山区科技园南区12栋", 30),
    ("郑州中原粮油贸易有限公司", "central_south", "郑州市金水区花园路39号", 190),
    ("南宁绿城食品有限公司", "central_south", "南宁市青秀区民族大道100号", 15),
    ("海口椰风旅游开发有限公司", "central_south", "海口市龙华区滨海大道69号", 8),
    ("沈阳北方重工配件有限公司", "northeast", "沈阳市铁西区北二中路6号", 380),
    ("大连海湾船舶服务有限公司", "northeast", "大连市中山区人民路55号", 120),
    ("长春一汽零部件供应有限公司", "northeast", "长春市绿园区东风大街2259号", 70),
    ("哈尔滨冰城医疗器械有限公司", "northeast", "哈尔滨市南岗区红旗大街180号", 25),
    ("吉林松花江化工有限公司", "northeast", "吉林市船营区解放西路12号", 5),
    ("成都天府软件园科技有限公司", "west", "成都市高新区天府大道中段1268号", 100),
    ("重庆山城汽车销售有限公司", "west", "重庆市渝北区金开大道66号", 55),
    ("西安古都文化传媒有限公司", "west", "西安市雁塔区高新路52号", 40),
    ("昆明春城花卉进出口有限公司", "west", "昆明市官渡区关上中路8号", 200),
    ("兰州黄河水务设备有限公司", "west", "兰州市城关区东岗西路480号", 18),
    ("贵阳数谷大数据有限公司", "west", "贵阳市观山湖区长岭北路45号", 10),
    ("乌鲁木齐天山棉纺有限公司", "west", "乌鲁木齐市新市区北京南路36号", 65),
    ("银川塞上农业科技有限公司", "west", "银川市金凤区北京中路160号", 28),
    ("拉萨雪域高原商贸有限公司", "west", "拉萨市城关区北京中路20号", 3),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "军", "杰", "涛", "明", "超", "霞", "平", "刚", "丽", "强"]
POSITIONS = ["总经理", "采购经理", "技术总监", "财务主管", "行政经理", "设备科长", "副总经理"]
BANKS = ["中国工商银行", "中国建设银行", "中国银行", "中国农业银行", "招商银行", "交通银行"]
PLACES = ["客户公司会议室", "我司展厅", "电话", "视频会议", "行业展会", "客户工厂车间"]
SUMMARIES = [
    ("产品介绍与需求了解", "介绍了主要产品线，客户对新款设备表现出兴趣，需要进一步提供报价。"),
    ("报价方案沟通", "就报价方案逐项说明，客户希望在批量采购上获得更多折扣。"),
    ("售后回访", "回访设备使用情况，客户反馈运行稳定，提出培训需求。"),
    ("合同条款商谈", "讨论付款方式与交货周期，法务部门将于下周给出意见。"),
    ("年度合作规划", "与客户高层交流明年采购计划，预计采购量增长两成。"),
    ("技术交流", "双方技术人员交流接口方案，确定下一步联调时间。"),
]


def _item(dict_type, value):
    return DictItem.objects.filter(dict_type=dict_type, value=value).first()


def _phone(rng, area="010"):
    return f"{area}-{rng.randint(60000000, 89999999)}"


def seed(stdout):
    User = get_user_model()
    managers = list(User.objects.filter(username__in=MANAGERS).order_by("username"))
    if not managers:
        return
    managers.sort(key=lambda u: MANAGERS.index(u.username))
    existing = set(Customer.objects.filter(name__in=[c[0] for c in CUSTOMERS]).values_list("name", flat=True))
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data
    grades = list(DictItem.objects.filter(dict_type=DictType.CUSTOMER_GRADE).order_by("sort_order"))
    methods = list(DictItem.objects.filter(dict_type=DictType.FOLLOW_UP_METHOD).order_by("sort_order"))
    today = timezone.localdate()
    created = 0
    for index, (name, region, address, age_days) in enumerate(CUSTOMERS):
        if name in existing:
            continue
        owner = managers[(index + index // 4) % len(managers)]
        customer = services.create_customer(
            by=owner,
            # The newest few were created from opportunities and still lack details.
            require_complete=False,
            name=name,
            owner=owner,
            region=_item(DictType.REGION, region),
            grade=grades[index % len(grades)] if grades and index % 9 != 8 else None,
            satisfaction=rng.randint(2, 5) if age_days > 4 else None,
            credit=rng.randint(2, 5) if age_days > 4 else None,
            address=address,
            post_code=f"{rng.randint(100000, 850000)}",
            phone=_phone(rng),
            fax=_phone(rng) if age_days > 4 else "",
            website=f"www.demo{index + 1:02d}.example.com",
            licence_number=f"91{rng.randint(10**15, 10**16 - 1)}",
            legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            registered_capital=rng.choice([100, 200, 500, 1000, 3000, 5000]),
            annual_turnover=rng.choice([800, 1500, 3200, 6800, 12000]) * 10000,
            bank=rng.choice(BANKS) + address[:3] + "分行",
            bank_account=f"{rng.randint(10**15, 10**16 - 1)}",
            local_tax_number=f"DS{rng.randint(10**11, 10**12 - 1)}",
            national_tax_number=f"GS{rng.randint(10**11, 10**12 - 1)}",
        )
        created_day = today - datetime.timedelta(days=age_days)
        if age_days:
            Customer.objects.filter(pk=customer.pk).update(
                created_at=timezone.make_aware(datetime.datetime.combine(created_day, datetime.time(9, 30))),
                number=services.next_customer_number(created_day),
            )
        for _n in range(1 + index % 3):
            services.create_contact(
                customer=customer,
                by=owner,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else ""),
                gender=rng.choice(["male", "female"]),
                position=rng.choice(POSITIONS),
                office_phone=_phone(rng),
                mobile=f"1{rng.choice([3, 5, 8])}{rng.randint(100000000, 999999999)}",
            )
        visits = 1 + index % 3
        for n in range(visits):
            day = max(created_day, today - datetime.timedelta(days=rng.randint(1, max(age_days, 2))))
            summary, details = rng.choice(SUMMARIES)
            last = n == visits - 1
            next_day = today + datetime.timedelta(days=rng.randint(0, 10)) if last and index % 2 == 0 else None
            services.create_activity(
                customer=customer,
                by=owner,
                date=day,
                place=rng.choice(PLACES),
                summary=summary,
                details=details,
                follow_up_method=rng.choice(methods) if methods else None,
                next_contact_date=next_day,
            )
        created += 1
    if created:
        # Older demo customers took today's number first and got a number of their day
        # instead; give today's unused numbers back so the first real customer is not 0031.
        prefix = f"KH{today:%Y%m%d}"
        used = Customer.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
        last_used = int(used[0][len(prefix) :]) if used else 0
        CustomerNumberCounter.objects.filter(day=today).update(last=last_used)
        # Run the daily churn check once the whole demo is loaded: the catalog's demo orders
        # come after this app in seed order, and the check must see them.
        transaction.on_commit(lambda: _seed_churn(managers))
        stdout.write(f"Customers: {created} demo customers with contacts and interaction records.\n")


def _seed_churn(managers):
    """Run the churn check, then show one postponed warning and one confirmed loss."""
    services.open_churn_warnings()
    records = list(
        ChurnRecord.objects.filter(status=ChurnRecord.Status.WARNING)
        .filter(Q(customer__owner__in=managers))
        .select_related("customer", "customer__owner")
        .order_by("customer__created_at")
    )
    # The first demo manager (liqiang) gets the postponed example, so it shows right after login.
    records.sort(key=lambda r: r.customer.owner_id != managers[0].pk)
    if records:
        record = records[0]
        services.postpone_churn(
            record, measure="由客户经理上门拜访，提供新品试用与九折优惠。", by=record.customer.owner
        )
    if len(records) > 2:
        record = records[-1]
        services.confirm_churn(
            record,
            reason="客户已转向竞争对手采购，多次沟通无果。",
            reason_category=_item(DictType.CHURN_REASON, "competitor"),
            by=record.customer.owner,
        )
