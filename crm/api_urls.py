"""/api/v1/: each app contributes its routes from its own ``api.py``."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from crm.accounts import api as accounts_api
from crm.dictionary import api as dictionary_api

router = DefaultRouter()
accounts_api.register(router)
dictionary_api.register(router)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    *router.urls,
]
