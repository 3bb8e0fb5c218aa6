from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

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
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", admin.site.urls),
]

# Unknown API addresses answer in the API error format (see crm.core.api).
handler404 = "crm.core.api.page_not_found"
