"""Edit pages (``CrmEditView``) check the permission before looking the record up, so a user
without it cannot tell existing ids from missing ones."""

import pytest
from django.apps import apps
from django.urls import reverse

# (page, model): core's tests name the business apps' models by label only.
EDIT_PAGES = [
    ("accounts:user-edit", "accounts.User"),
    ("accounts:user-password", "accounts.User"),
    ("accounts:role-edit", "accounts.Role"),
    ("accounts:department-edit", "accounts.Department"),
    ("dictionary:item-edit", "dictionary.DictItem"),
    ("sales:stage-edit", "sales.PipelineStage"),
]


def existing_pk(model):
    record = apps.get_model(model).objects.order_by("pk").first()
    assert record is not None, model
    return record.pk


@pytest.mark.parametrize("url_name, model", EDIT_PAGES)
def test_edit_page_refuses_existing_and_missing_ids_alike_without_the_permission(
    client_for, account_manager, administrator, url_name, model
):
    client = client_for(account_manager)
    for pk in (existing_pk(model), 999_999):
        for method in (client.get, client.post):
            assert method(reverse(url_name, args=[pk])).status_code == 403, (url_name, pk)


@pytest.mark.parametrize("url_name, model", EDIT_PAGES)
def test_edit_page_answers_not_found_for_a_missing_id_to_a_user_with_the_permission(
    client_for, administrator, url_name, model
):
    administrator.is_superuser = True  # every permission, whichever app's page
    administrator.save()
    client = client_for(administrator)
    assert client.get(reverse(url_name, args=[existing_pk(model)])).status_code == 200
    assert client.get(reverse(url_name, args=[999_999])).status_code == 404
