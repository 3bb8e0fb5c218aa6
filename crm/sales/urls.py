from django.urls import path

from . import views

app_name = "sales"

urlpatterns = [
    path("opportunities/", views.OpportunityListView.as_view(), name="opportunity-list"),
    path("opportunities/new/", views.OpportunityCreateView.as_view(), name="opportunity-create"),
    path("opportunities/<int:pk>/", views.OpportunityDetailView.as_view(), name="opportunity-detail"),
    path("opportunities/<int:pk>/edit/", views.OpportunityEditView.as_view(), name="opportunity-edit"),
    path("opportunities/<int:pk>/delete/", views.OpportunityDeleteView.as_view(), name="opportunity-delete"),
    path("opportunities/<int:pk>/assign/", views.AssignView.as_view(), name="opportunity-assign"),
    path("opportunities/<int:pk>/reassign/", views.ReassignView.as_view(), name="opportunity-reassign"),
    path("opportunities/<int:pk>/succeed/", views.SucceedView.as_view(), name="opportunity-succeed"),
    path("opportunities/<int:pk>/fail/", views.FailView.as_view(), name="opportunity-fail"),
    path("opportunities/<int:pk>/stage/", views.StageMoveView.as_view(), name="opportunity-stage"),
    path("opportunities/<int:pk>/pipeline/", views.PipelineEditView.as_view(), name="opportunity-pipeline"),
    path("opportunities/<int:pk>/stage-history/", views.StageHistoryTabView.as_view(), name="stage-history"),
    path("opportunities/<int:pk>/plan/new/", views.PlanItemCreateView.as_view(), name="plan-item-create"),
    path("opportunities/<int:pk>/plan/<int:item>/edit/", views.PlanItemEditView.as_view(), name="plan-item-edit"),
    path("opportunities/<int:pk>/plan/<int:item>/result/", views.PlanItemResultView.as_view(), name="plan-item-result"),
    path("opportunities/<int:pk>/plan/<int:item>/delete/", views.PlanItemDeleteView.as_view(), name="plan-item-delete"),
    path("unassigned/", views.UnassignedListView.as_view(), name="unassigned"),
    path("my-plans/", views.MyPlansListView.as_view(), name="my-plans"),
    path("pipeline/", views.BoardView.as_view(), name="board"),
    path("stages/", views.StageListView.as_view(), name="stage-list"),
    path("stages/new/", views.StageCreateView.as_view(), name="stage-create"),
    path("stages/<int:pk>/edit/", views.StageEditView.as_view(), name="stage-edit"),
    path("stages/<int:pk>/delete/", views.StageDeleteView.as_view(), name="stage-delete"),
    path("customers/<int:pk>/opportunities/", views.CustomerOpportunitiesView.as_view(), name="customer-opportunities"),
]
