"""/api/v1/: each app contributes its routes from its own ``api.py``."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from crm.accounts import api as accounts_api
from crm.catalog import api as catalog_api
from crm.customers import api as customers_api
from crm.dictionary import api as dictionary_api
from crm.reports import api as reports_api
from crm.sales import api as sales_api
from crm.service import api as service_api

router = DefaultRouter()
accounts_api.register(router)
dictionary_api.register(router)
customers_api.register(router)
catalog_api.register(router)
sales_api.register(router)
service_api.register(router)
reports_api.register(router)

urlpatterns = [
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="api-token"),
    *router.urls,
]
