from django.urls import path

from . import views

app_name = "dictionary"

urlpatterns = [
    path("", views.DictItemListView.as_view(), name="item-list"),
    path("new/", views.DictItemCreateView.as_view(), name="item-create"),
    path("<int:pk>/edit/", views.DictItemEditView.as_view(), name="item-edit"),
    path("<int:pk>/delete/", views.DictItemDeleteView.as_view(), name="item-delete"),
]
