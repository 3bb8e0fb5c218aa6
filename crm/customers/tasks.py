from celery import shared_task

from . import services


@shared_task
def open_churn_warnings():
    """Daily: open a churn warning for each customer who stopped ordering (R-LOST-1).

    Also ``manage.py open_churn_warnings``. Idempotent, so a retried or doubled run is harmless.
    """
    return len(services.open_churn_warnings())
