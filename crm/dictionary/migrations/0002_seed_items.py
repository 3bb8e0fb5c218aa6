"""The dictionary items every installation starts with (REQUIREMENTS R-DICT-1)."""

from django.db import migrations

# (type, editable, [(label, value), ...]); values of the customer grade are fixed by the spec.
SEED = [
    ("企业客户等级", False, [("普通客户", "1"), ("重点开发客户", "2"), ("大客户", "3"), ("合作伙伴", "4"),
                            ("战略合作伙伴", "5")]),
    ("地区", True, [("北京", "beijing"), ("华北", "north"), ("中南", "central_south"), ("东北", "northeast"),
                   ("西部", "west")]),
    ("服务类型", False, [("咨询", "consultation"), ("建议", "suggestion"), ("投诉", "complaint")]),
    ("机会来源", True, [("电话咨询", "phone"), ("网站", "website"), ("展会", "exhibition"), ("客户介绍", "referral"),
                     ("广告", "advertising"), ("其他", "other")]),
    ("跟进方式", True, [("电话", "phone"), ("邮件", "email"), ("上门拜访", "visit"), ("短信", "sms"),
                     ("微信", "wechat"), ("会议", "meeting")]),
    ("行业", True, [("制造业", "manufacturing"), ("零售业", "retail"), ("信息技术", "it"), ("金融", "finance"),
                   ("教育", "education"), ("医疗", "healthcare"), ("政府机构", "government")]),
    ("流失原因", True, [("价格因素", "price"), ("产品质量", "quality"), ("服务不满意", "service"),
                     ("转向竞争对手", "competitor"), ("客户经营不善", "business_failure"), ("其他", "other")]),
    ("产品单位", True, [("台", "unit"), ("件", "piece"), ("套", "set"), ("箱", "box"), ("个", "each")]),
]


def seed(apps, schema_editor):
    DictItem = apps.get_model("dictionary", "DictItem")
    for dict_type, editable, items in SEED:
        for order, (label, value) in enumerate(items, start=1):
            DictItem.objects.get_or_create(
                dict_type=dict_type, value=value,
                defaults={"label": label, "sort_order": order, "editable": editable, "is_active": True},
            )


def unseed(apps, schema_editor):
    DictItem = apps.get_model("dictionary", "DictItem")
    for dict_type, _editable, items in SEED:
        DictItem.objects.filter(dict_type=dict_type, value__in=[v for _l, v in items]).delete()


class Migration(migrations.Migration):
    dependencies = [("dictionary", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
