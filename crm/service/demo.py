"""Demo service requests: about twenty, in every status, for the demo customers.

Runs after the customers' demo (app order). Without customers it seeds nothing; once any
request exists it changes nothing. Requests go through the real services, then their times are
spread over the last two months so lists and reports look lived-in.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from crm.customers.models import Customer
from crm.dictionary.models import DictItem, DictType

from . import services
from .models import ServiceRequest, ServiceRound

# (type value, summary, details, final step, satisfaction of each feedback round)
# final step: "new", "assigned", "handled", "archived"; a satisfaction below 3 adds a round.
SAMPLES = [
    ("complaint", "投诉送货延迟三天", "上周下的订单承诺三天到货，至今未送达，影响客户生产安排。", "archived", [2, 4]),
    (
        "consultation",
        "咨询打印机耗材批量价格",
        "客户计划年度集中采购耗材，询问 500 件以上的阶梯价格。",
        "archived",
        [5],
    ),
    ("suggestion", "建议增加月结付款方式", "客户财务希望按月对账结算，减少每单付款的手续。", "archived", [4]),
    ("complaint", "投诉产品包装破损", "到货的三箱中有一箱外包装破损，部分产品外壳有划痕。", "archived", [3]),
    ("consultation", "咨询产品保修期限", "客户询问去年采购的设备保修是否包含上门服务。", "archived", [5]),
    ("consultation", "咨询发票开具流程", "客户新换了财务负责人，询问增值税专用发票的开具流程。", "archived", [4]),
    ("suggestion", "建议提供电子版使用手册", "纸质手册容易丢失，希望能在网上下载 PDF 版本。", "archived", [3]),
    ("complaint", "投诉账单金额有误", "三月账单比合同价格多出 1200 元，请核实。", "archived", [5]),
    ("complaint", "投诉客服电话无人接听", "客户连续两天拨打服务热线无人接听。", "assigned", [1]),
    ("consultation", "咨询系统升级服务内容", "客户想了解明年的系统升级服务包含哪些模块。", "assigned", []),
    ("suggestion", "建议优化订货网站搜索功能", "按型号搜索时经常找不到产品，希望支持模糊搜索。", "assigned", []),
    ("complaint", "投诉安装人员迟到", "约定上午九点安装，工程师十一点才到。", "assigned", []),
    ("consultation", "咨询售后上门服务范围", "客户在郊区新建仓库，询问是否提供上门服务。", "handled", []),
    ("complaint", "投诉退货处理缓慢", "退货申请提交两周仍未处理，款项未退回。", "handled", []),
    ("suggestion", "建议延长周末服务时间", "客户周末也有生产，希望周六提供技术支持。", "handled", []),
    ("consultation", "询问批量采购折扣政策", "客户下季度预计采购量翻倍，询问折扣政策。", "handled", []),
    ("complaint", "投诉产品性能不达标", "新到的设备连续运行两小时后出现过热报警。", "new", []),
    ("consultation", "咨询新产品到货时间", "客户关注的新型号何时可以供货。", "new", []),
    ("suggestion", "建议提供培训服务", "客户新员工较多，希望提供一次产品使用培训。", "new", []),
    ("consultation", "咨询合同续签事宜", "客户年度框架合同下月到期，询问续签流程。", "new", []),
]

HANDLING = {
    "complaint": ["已向客户致歉，并协调物流与仓库加急处理。", "已安排工程师上门处理，问题现场解决。"],
    "consultation": ["已电话详细解答，并邮件发送了相关资料。", "已安排销售工程师上门讲解。"],
    "suggestion": ["已记录建议并提交产品部门评估，告知客户处理进度。", "建议已采纳，已告知客户上线时间。"],
}
RESULTS = {True: "客户确认问题已解决，表示满意。", False: "客户认为处理不够及时，问题仍未彻底解决。"}


def _user(username, candidates):
    preferred = [u for u in candidates if u.username == username]
    return preferred[0] if preferred else (candidates[0] if candidates else None)


def seed(stdout):
    if ServiceRequest.objects.exists():
        return
    customers = [
        c
        for c in Customer.objects.filter(status=Customer.Status.NORMAL, owner__isnull=False)
        .select_related("owner")
        .order_by("pk")
        if c.owner.is_active and c.owner.has_perm(services.ADD) and c.owner.has_perm(services.FEEDBACK)
    ]
    types = {item.value: item for item in DictItem.objects.filter(dict_type=DictType.SERVICE_TYPE)}
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    supervisors = [u for u in users if u.has_perm(services.ASSIGN)]
    supervisor = _user("zhangwei", supervisors)
    handlers = list(services.assignable_users(supervisor).order_by("username")) if supervisor else []
    desk = _user("zhoujie", handlers)  # the customer service desk takes complaints
    if not customers or not supervisor or not desk or len(types) < 3:
        return

    now = timezone.now()
    for index, (type_value, summary, details, final, satisfactions) in enumerate(SAMPLES):
        customer = customers[index % len(customers)]
        manager = customer.owner
        handler = desk if type_value == "complaint" or manager not in handlers else manager
        created = now - datetime.timedelta(days=60 - index * 3, hours=index % 5)
        request = services.create_service_request(
            customer=customer, service_type=types[type_value], summary=summary, details=details, by=manager
        )
        times = {"created_at": created, "updated_at": created}
        if final != "new":
            services.assign_service_request(request, to=handler, by=supervisor)
            times["assigned_at"] = created + datetime.timedelta(hours=2)
        for number, satisfaction in enumerate(satisfactions, start=1):
            services.handle_service_request(request, handling=HANDLING[type_value][(number - 1) % 2], by=handler)
            services.record_feedback(request, result=RESULTS[satisfaction >= 3], satisfaction=satisfaction, by=manager)
            handled_at = created + datetime.timedelta(days=2 * number - 1)
            feedback_at = created + datetime.timedelta(days=2 * number)
            ServiceRound.objects.filter(request=request, number=number).update(
                handled_at=handled_at, feedback_at=feedback_at, created_at=handled_at, updated_at=feedback_at
            )
            times["updated_at"] = feedback_at
        if final == "handled":
            services.handle_service_request(request, handling=HANDLING[type_value][0], by=handler)
            handled_at = created + datetime.timedelta(days=1)
            ServiceRound.objects.filter(request=request).update(
                handled_at=handled_at, created_at=handled_at, updated_at=handled_at
            )
            times["updated_at"] = handled_at
        if request.status == ServiceRequest.Status.ARCHIVED:
            times["archived_at"] = times["updated_at"]
        ServiceRequest.objects.filter(pk=request.pk).update(**times)
    stdout.write(f"Service requests: {len(SAMPLES)} demo requests created.\n")
