from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("contribution/", views.ContributionView.as_view(), name="contribution"),
    path("composition/", views.CompositionView.as_view(), name="composition"),
    path("service/", views.ServiceCompositionView.as_view(), name="service"),
    path("churn/", views.ChurnAnalysisView.as_view(), name="churn"),
]

# Sales targets (base data the dashboard measures against).
from . import target_views  # noqa: E402

urlpatterns += [
    path("targets/", target_views.TargetListView.as_view(), name="targets"),
    path("targets/<str:kind>/<int:pk>/<int:year>/", target_views.TargetEditView.as_view(), name="target-edit"),
]
