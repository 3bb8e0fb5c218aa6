from django.urls import path

from . import views

app_name = "service"

urlpatterns = [
    path("new/", views.RequestCreateView.as_view(), name="create"),
    path("assignment/", views.AssignmentListView.as_view(), name="assignment"),
    path("handling/", views.HandlingListView.as_view(), name="handling"),
    path("feedback/", views.FeedbackListView.as_view(), name="feedback-list"),
    path("archive/", views.ArchiveListView.as_view(), name="archive"),
    path("customers/<int:customer_pk>/", views.CustomerRequestsView.as_view(), name="customer-requests"),
    path("<int:pk>/", views.RequestDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.RequestEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.RequestDeleteView.as_view(), name="delete"),
    path("<int:pk>/assign/", views.AssignView.as_view(), name="assign"),
    path("<int:pk>/handle/", views.HandleView.as_view(), name="handle"),
    path("<int:pk>/feedback/", views.FeedbackView.as_view(), name="feedback"),
]
