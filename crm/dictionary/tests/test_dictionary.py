"""Data dictionary (R-DICT-1, R-DICT-2): seed items, rules, pickers, pages and API."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError
from django.urls import reverse

from crm.accounts.services import _permissions
from crm.accounts.tests.factories import RoleFactory, UserFactory
from crm.core.concurrency import StaleEditError
from crm.dictionary import services
from crm.dictionary.fields import DictChoiceField
from crm.dictionary.models import DictItem, DictType


def items(dict_type):
    return list(DictItem.objects.of_type(dict_type).values_list("label", "value"))


def field_errors(error):
    return {field: [str(m) for m in messages] for field, messages in error.value.message_dict.items()}


@pytest.fixture
def item(db):
    return services.create_item(dict_type="地区", label="华东", value="huadong", sort_order=6)


@pytest.fixture
def system_item(db):
    return DictItem.objects.get(dict_type=DictType.CUSTOMER_GRADE, value="3")


# Seed items -------------------------------------------------------------------------------------


def test_customer_grades_are_seeded_as_fixed_system_items(db):
    grades = DictItem.objects.of_type(DictType.CUSTOMER_GRADE)
    assert [(g.label, g.value) for g in grades] == [
        ("普通客户", "1"),
        ("重点开发客户", "2"),
        ("大客户", "3"),
        ("合作伙伴", "4"),
        ("战略合作伙伴", "5"),
    ]
    assert not any(g.editable for g in grades)


def test_the_specified_picklists_are_seeded(db):
    assert [label for label, _v in items(DictType.REGION)] == ["北京", "华北", "中南", "东北", "西部"]
    assert [label for label, _v in items(DictType.SERVICE_TYPE)] == ["咨询", "建议", "投诉"]
    assert {"电话", "邮件", "上门拜访", "短信"} <= {label for label, _v in items(DictType.FOLLOW_UP_METHOD)}
    assert {"台", "件", "套"} <= {label for label, _v in items(DictType.PRODUCT_UNIT)}
    for dict_type in (DictType.OPPORTUNITY_SOURCE, DictType.INDUSTRY, DictType.CHURN_REASON):
        assert items(dict_type), dict_type


def test_dictionary_table_is_bas_dict():
    assert DictItem._meta.db_table == "bas_dict"


def test_every_reference_to_a_dictionary_item_protects_it():
    # "An item in use cannot be deleted, only disabled": no business table may cascade or null it.
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is DictItem:
                assert field.remote_field.on_delete in (models.PROTECT, models.RESTRICT), field


# Services ---------------------------------------------------------------------------------------


def test_create_item_trims_and_is_editable(db):
    created = services.create_item(dict_type=" 地区 ", label=" 华东 ", value=" huadong ")
    assert (created.dict_type, created.label, created.value, created.editable) == ("地区", "华东", "huadong", True)


def test_create_item_needs_type_label_and_value(db):
    with pytest.raises(ValidationError) as error:
        services.create_item(dict_type="", label=" ", value=None)
    assert set(field_errors(error)) == {"dict_type", "label", "value"}


def test_label_and_value_are_unique_within_a_type(item):
    with pytest.raises(ValidationError) as error:
        services.create_item(dict_type="地区", label="华东", value="huadong")
    assert set(field_errors(error)) == {"label", "value"}
    services.create_item(dict_type="行业", label="华东", value="huadong")  # another type: fine


def test_update_item(item):
    services.update_item(item, expected_version=1, dict_type="地区", label="华东区", value="huadong", sort_order=9)
    item.refresh_from_db()
    assert (item.label, item.sort_order, item.version) == ("华东区", 9, 2)


def test_update_item_from_a_stale_version_is_refused(item):
    services.update_item(item, expected_version=1, dict_type="地区", label="A", value="huadong")
    with pytest.raises(StaleEditError):
        services.update_item(item, expected_version=1, dict_type="地区", label="B", value="huadong")


def test_update_item_to_a_taken_label_is_refused(item):
    with pytest.raises(ValidationError) as error:
        services.update_item(item, expected_version=1, dict_type="地区", label="北京", value="huadong")
    assert list(field_errors(error)) == ["label"]


def test_disable_and_enable_an_item(item):
    services.set_item_active(item, active=False)
    assert items("地区")[-1] != ("华东", "huadong")
    assert not DictItem.objects.get(pk=item.pk).is_active
    services.set_item_active(item, active=True)
    assert DictItem.objects.get(pk=item.pk).is_active


def test_system_items_cannot_be_edited_disabled_or_deleted(system_item):
    with pytest.raises(ValidationError):
        services.update_item(system_item, expected_version=1, dict_type=system_item.dict_type, label="X", value="3")
    with pytest.raises(ValidationError):
        services.set_item_active(system_item, active=False)
    with pytest.raises(ValidationError):
        services.delete_item(system_item)
    system_item.refresh_from_db()
    assert (system_item.label, system_item.is_active) == ("大客户", True)


def test_unused_item_can_be_deleted(item):
    services.delete_item(item)
    assert not DictItem.objects.filter(pk=item.pk).exists()


def test_item_in_use_cannot_be_deleted_and_the_message_says_disable_it(item, monkeypatch):
    def protected(self, *args, **kwargs):
        raise ProtectedError("in use", set())

    monkeypatch.setattr(DictItem, "delete", protected)
    with pytest.raises(ValidationError) as error:
        services.delete_item(item)
    assert "Disable it instead" in error.value.messages[0]


def test_known_types_lists_each_type_once(item):
    types = services.known_types()
    assert len(types) == len(set(types))
    assert "地区" in types and DictType.CUSTOMER_GRADE in types


# Pickers ----------------------------------------------------------------------------------------


def test_picker_offers_active_items_of_one_type_in_sort_order(item):
    services.create_item(dict_type="地区", label="华南", value="south", sort_order=0, is_active=False)
    field = DictChoiceField("地区")
    labels = [i.label for i in field.queryset]
    assert labels == ["北京", "华北", "中南", "东北", "西部", "华东"]


def test_picker_keeps_a_records_disabled_current_item(item):
    services.set_item_active(item, active=False)
    assert item not in DictChoiceField("地区").queryset
    assert item in DictChoiceField("地区", current=item).queryset
    assert item in DictChoiceField("地区", current=item.pk).queryset
    assert DictChoiceField("地区", current=item).clean(str(item.pk)) == item


def test_picker_refuses_an_item_of_another_type(item):
    grade = DictItem.objects.of_type(DictType.CUSTOMER_GRADE).first()
    with pytest.raises(ValidationError):
        DictChoiceField("地区").clean(str(grade.pk))


# Pages ------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client_for, administrator):
    return client_for(administrator)


def test_dictionary_pages_need_their_permissions(client_for, account_manager, item):
    client = client_for(account_manager)
    for url in [
        reverse("dictionary:item-list"),
        reverse("dictionary:item-create"),
        reverse("dictionary:item-edit", args=[item.pk]),
        reverse("dictionary:item-delete", args=[item.pk]),
    ]:
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    assert DictItem.objects.filter(pk=item.pk).exists()


def test_list_filters_by_type_label_and_value(admin_client, item):
    url = reverse("dictionary:item-list")
    rows = admin_client.get(url, {"dict_type": "地区", "page_size": 100}).context["rows"]
    assert {row.dict_type for row in rows} == {"地区"}
    assert len(rows) == 6
    assert [r.label for r in admin_client.get(url, {"label": "华"}).context["rows"]] == ["华北", "华东"]
    assert [r.label for r in admin_client.get(url, {"value": "huad"}).context["rows"]] == ["华东"]


def test_list_sorts_by_type_then_sort_order(admin_client, item):
    rows = admin_client.get(reverse("dictionary:item-list"), {"dict_type": "地区"}).context["rows"]
    assert [r.sort_order for r in rows] == sorted(r.sort_order for r in rows)


def test_system_items_show_view_instead_of_edit_and_delete(admin_client, system_item):
    html = admin_client.get(reverse("dictionary:item-list"), {"dict_type": DictType.CUSTOMER_GRADE}).content.decode()
    assert reverse("dictionary:item-delete", args=[system_item.pk]) not in html
    assert reverse("dictionary:item-edit", args=[system_item.pk]) in html


def test_create_item_page_suggests_existing_types(admin_client):
    response = admin_client.get(reverse("dictionary:item-create") + "?dict_type=地区")
    html = response.content.decode()
    assert '<datalist id="dict-types">' in html
    assert '<option value="企业客户等级">' in html
    assert response.context["form"].initial["dict_type"] == "地区"


def test_create_item_through_the_page(admin_client):
    response = admin_client.post(
        reverse("dictionary:item-create"),
        {"dict_type": "地区", "label": "华东", "value": "huadong", "sort_order": 6, "is_active": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dictionary:item-list") + "?dict_type=%E5%9C%B0%E5%8C%BA"
    assert DictItem.objects.filter(dict_type="地区", value="huadong", editable=True).exists()


def test_create_duplicate_item_shows_the_error(admin_client, item):
    response = admin_client.post(
        reverse("dictionary:item-create"), {"dict_type": "地区", "label": "华东", "value": "huadong2", "sort_order": 1}
    )
    assert response.status_code == 400
    assert DictItem.objects.filter(dict_type="地区", label="华东").count() == 1


def test_disable_an_item_through_the_edit_page(admin_client, item):
    response = admin_client.post(
        reverse("dictionary:item-edit", args=[item.pk]),
        {"dict_type": "地区", "label": "华东", "value": "huadong", "sort_order": 6, "version": 1},
    )
    assert response.status_code == 302
    assert not DictItem.objects.get(pk=item.pk).is_active


def test_system_item_page_is_read_only(admin_client, system_item):
    url = reverse("dictionary:item-edit", args=[system_item.pk])
    page = admin_client.get(url)
    assert all(field.disabled for name, field in page.context["form"].fields.items() if name != "version")
    assert "This is a system item" in page.content.decode()
    response = admin_client.post(url, {"dict_type": "X", "label": "Y", "value": "Z", "sort_order": 1, "version": 1})
    assert response.status_code == 400
    system_item.refresh_from_db()
    assert (system_item.dict_type, system_item.label) == (DictType.CUSTOMER_GRADE, "大客户")


def test_delete_item_asks_then_deletes(admin_client, item):
    url = reverse("dictionary:item-delete", args=[item.pk])
    assert "华东" in admin_client.get(url).content.decode()
    admin_client.post(url)
    assert not DictItem.objects.filter(pk=item.pk).exists()


def test_deleting_a_system_item_is_refused_with_a_message(admin_client, system_item):
    response = admin_client.post(reverse("dictionary:item-delete", args=[system_item.pk]), follow=True)
    assert "This is a system item" in response.content.decode()
    assert DictItem.objects.filter(pk=system_item.pk).exists()


# API --------------------------------------------------------------------------------------------


@pytest.fixture
def admin_api(api_for, administrator):
    return api_for(administrator)


def test_api_lists_and_filters_items(admin_api, item):
    body = admin_api.get("/api/v1/dictionary/", {"dict_type": "地区", "page_size": 50}).json()
    assert body["count"] == 6
    assert admin_api.get("/api/v1/dictionary/", {"search": "huadong"}).json()["results"][0]["label"] == "华东"
    inactive = admin_api.get("/api/v1/dictionary/", {"is_active": "false"}).json()
    assert inactive["count"] == DictItem.objects.filter(is_active=False).count()


def test_api_create_update_delete(admin_api):
    created = admin_api.post(
        "/api/v1/dictionary/",
        {"dict_type": "地区", "label": "华东", "value": "huadong", "editable": False},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["editable"] is True  # only migrations make system items
    patched = admin_api.patch(f"/api/v1/dictionary/{body['id']}/", {"is_active": False, "version": 1}, format="json")
    assert patched.json()["is_active"] is False
    assert patched.json()["label"] == "华东"
    assert admin_api.delete(f"/api/v1/dictionary/{body['id']}/").status_code == 204


def test_api_refuses_to_change_or_delete_system_items(admin_api, system_item):
    url = f"/api/v1/dictionary/{system_item.pk}/"
    assert admin_api.patch(url, {"label": "X", "version": 1}, format="json").status_code == 400
    assert admin_api.delete(url).status_code == 400
    assert DictItem.objects.get(pk=system_item.pk).label == "大客户"


def test_api_needs_the_dictionary_permissions(api_for, item):
    viewer_role = RoleFactory()
    viewer_role.permissions.set(_permissions(["dictionary.view_dictitem"]))
    viewer = api_for(UserFactory(roles=[viewer_role]))
    assert viewer.get("/api/v1/dictionary/").status_code == 200
    assert viewer.post("/api/v1/dictionary/", {"dict_type": "T", "label": "L", "value": "V"}).status_code == 403
    assert viewer.delete(f"/api/v1/dictionary/{item.pk}/").status_code == 403


def test_api_names_the_field_that_clashes(admin_api, item):
    response = admin_api.post(
        "/api/v1/dictionary/", {"dict_type": "地区", "label": "华东", "value": "other"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"label": ["This type already has an item with this label."]}
