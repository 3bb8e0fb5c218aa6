from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="customer-list"),
    path("new/", views.CustomerCreateView.as_view(), name="customer-create"),
    path("transfer/", views.TransferView.as_view(), name="customer-transfer"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="follow-ups"),
    path("churn/", views.ChurnListView.as_view(), name="churn-list"),
    path("churn/<int:pk>/postpone/", views.ChurnPostponeView.as_view(), name="churn-postpone"),
    path("churn/<int:pk>/confirm-lost/", views.ChurnConfirmView.as_view(), name="churn-confirm"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="customer-detail"),
    path("<int:pk>/edit/", views.CustomerEditView.as_view(), name="customer-edit"),
    path("<int:pk>/delete/", views.CustomerDeleteView.as_view(), name="customer-delete"),
    path("<int:pk>/contacts/", views.ContactTabView.as_view(), name="contact-tab"),
    path("<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact-create"),
    path("<int:pk>/contacts/<int:child>/edit/", views.ContactEditView.as_view(), name="contact-edit"),
    path("<int:pk>/contacts/<int:child>/delete/", views.ContactDeleteView.as_view(), name="contact-delete"),
    path("<int:pk>/activities/", views.ActivityTabView.as_view(), name="activity-tab"),
    path("<int:pk>/activities/new/", views.ActivityCreateView.as_view(), name="activity-create"),
    path("<int:pk>/activities/<int:child>/edit/", views.ActivityEditView.as_view(), name="activity-edit"),
    path("<int:pk>/activities/<int:child>/delete/", views.ActivityDeleteView.as_view(), name="activity-delete"),
    path("<int:pk>/orders/", views.OrderTabView.as_view(), name="order-tab"),
    path("<int:pk>/churn/", views.ChurnTabView.as_view(), name="churn-tab"),
]
