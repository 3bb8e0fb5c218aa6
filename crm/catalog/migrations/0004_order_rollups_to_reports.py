"""The order rollups now belong to the reports (reports 0002): drop them from the catalog's state.

The tables stay, with their rows: the reports' models use the same names.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0003_order_rollups"),
        ("reports", "0002_order_rollups"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CustomerYearSales"),
                migrations.DeleteModel(name="OwnerMonthSales"),
            ],
            database_operations=[],
        ),
    ]
