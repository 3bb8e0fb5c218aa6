"""The pipeline stages every installation starts with (R-OPP-9); administrators may change them."""

from django.db import migrations

STAGES = [("验证客户", 10, 10), ("需求分析", 30, 20), ("方案报价", 60, 30), ("谈判审核", 80, 40)]


def seed(apps, schema_editor):
    PipelineStage = apps.get_model("sales", "PipelineStage")
    for name, win_rate, sort_order in STAGES:
        PipelineStage.objects.get_or_create(name=name, defaults={"win_rate": win_rate, "sort_order": sort_order})


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]
    # Going back leaves the rows; reversing 0001 drops the table with them.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
