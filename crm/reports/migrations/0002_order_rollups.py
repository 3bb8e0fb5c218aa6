"""The order rollups move from the catalog to the reports, which own them now.

Only Django's state moves: the tables keep their names (``orders_customer_year``,
``orders_owner_month``) and their rows; nothing is copied or rebuilt.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_initial"),
        ("catalog", "0003_order_rollups"),
        ("customers", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CustomerYearSales',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField()),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=14)),
                        ('orders', models.PositiveIntegerField()),
                        ('customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer')),
                    ],
                    options={
                        'db_table': 'orders_customer_year',
                        'default_permissions': (),
                        'indexes': [models.Index(fields=['year', '-amount', 'customer'], name='orders_cy_year_amount_idx')],
                        'constraints': [models.UniqueConstraint(fields=('customer', 'year'), name='orders_customer_year_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='OwnerMonthSales',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField()),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=14)),
                        ('orders', models.PositiveIntegerField()),
                        ('owner', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'orders_owner_month',
                        'default_permissions': (),
                        'indexes': [models.Index(fields=['month', 'owner'], name='orders_om_month_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('owner__isnull', False)), fields=('owner', 'month'), name='orders_owner_month_unique'), models.UniqueConstraint(condition=models.Q(('owner__isnull', True)), fields=('month',), name='orders_no_owner_month_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
