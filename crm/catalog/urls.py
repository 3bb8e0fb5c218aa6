from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product-detail"),
    path("stock/", views.StockListView.as_view(), name="stock-list"),
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/runs/<int:pk>/", views.ImportRunView.as_view(), name="import-run"),
    path("import/runs/<int:pk>/errors.csv", views.ImportErrorsDownloadView.as_view(), name="import-errors"),
    path("import/template/<str:kind>.<str:fmt>", views.ImportTemplateView.as_view(), name="import-template"),
]
