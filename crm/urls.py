from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from crm.core.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/", include("crm.accounts.urls")),
    path("dictionary/", include("crm.dictionary.urls")),
    path("customers/", include("crm.customers.urls")),
    path("catalog/", include("crm.catalog.urls")),
    path("sales/", include("crm.sales.urls")),
    path("service/", include("crm.service.urls")),
    path("reports/", include("crm.reports.urls")),
    path("audit/", include("crm.audit.urls")),
    path("api/v1/", include("crm.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the Content-Security-Policy allows no
    # inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
if settings.CRM_ENABLE_DJANGO_ADMIN:
    # Off in production unless asked for: it bypasses the CRM's rules, scopes and operation log.
    urlpatterns.append(path("django-admin/", admin.site.urls))

# Unknown API addresses and bad requests (e.g. a body over the size limit) answer in the API
# error format (see crm.core.api).
handler400 = "crm.core.api.bad_request"
handler404 = "crm.core.api.page_not_found"
