"""The OpenAPI schema tells the truth (Q-6): documented error responses, nullable fields, and a
schema that generates without warnings and validates."""

import inspect

import pytest
from django.core.management import call_command
from rest_framework import serializers
from rest_framework.test import APIClient

from crm import api_urls
from crm.core.schema import CrmAutoSchema


def api_serializers():
    """Every serializer class the API's modules define."""
    modules = {inspect.getmodule(viewset) for _prefix, viewset, _basename in api_urls.router.registry}
    found = set()
    for module in modules:
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, serializers.Serializer) and value.__module__ == module.__name__:
                found.add(value)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def can_be_null(model, source_attrs):
    """Whether following ``source_attrs`` from ``model`` can meet a null (a nullable relation on
    the way, or a nullable final field)."""
    for position, attr in enumerate(source_attrs):
        try:
            field = model._meta.get_field(attr)
        except Exception:  # a property or method: nothing to say about it
            return False
        if field.null:
            return True
        if position < len(source_attrs) - 1:
            if not field.is_relation:
                return False
            model = field.related_model
    return False


def nullable_fields_not_marked():
    missing = []
    for serializer_class in api_serializers():
        meta = getattr(serializer_class, "Meta", None)
        model = getattr(meta, "model", None)
        for name, field in serializer_class().fields.items():
            if field.allow_null or not field.read_only:
                continue
            dotted = "." in (field.source or "")
            if (model is not None and dotted and can_be_null(model, field.source_attrs)) or (
                field.default is None and not field.required
            ):
                missing.append(f"{serializer_class.__name__}.{name}")
    return missing


@pytest.mark.django_db
def test_read_only_fields_through_a_nullable_relation_are_marked_nullable():
    assert nullable_fields_not_marked() == []


def test_the_nullability_check_sees_a_field_through_a_nullable_relation():
    from crm.sales.models import Opportunity

    assert can_be_null(Opportunity, ["owner", "display_name"])
    assert not can_be_null(Opportunity, ["summary"])


@pytest.fixture
def schema(api_for, administrator):
    response = api_for(administrator).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def responses(schema, path, method):
    return schema["paths"][path][method]["responses"]


def test_error_responses_are_documented_with_the_error_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "errors"}
    listing = responses(schema, "/api/v1/customers/", "get")
    assert set(listing) == {"200", "400", "401", "403", "404"}  # 400 filters, 404 a page past the last
    assert listing["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_a_record_address_documents_404_a_body_400_413_415_and_a_deletion_400(schema):
    body = {"400", "401", "403", "413", "415"}
    assert set(responses(schema, "/api/v1/customers/{id}/", "get")) == {"200", "401", "403", "404"}
    assert set(responses(schema, "/api/v1/customers/{id}/", "patch")) == {"200", "404", *body}
    assert set(responses(schema, "/api/v1/customers/", "post")) == {"201", *body}
    assert set(responses(schema, "/api/v1/customers/{id}/", "delete")) == {"204", "400", "401", "403", "404"}


def test_the_token_endpoint_documents_bad_input_and_bad_credentials(schema):
    token = responses(schema, "/api/v1/auth/token/", "post")
    assert {"200", "400", "401"} <= set(token)


def test_operations_a_viewset_does_not_implement_are_not_in_the_schema(schema):
    assert "post" not in schema["paths"]["/api/v1/churn-records/"]
    assert "delete" not in schema["paths"]["/api/v1/churn-records/{id}/"]
    assert APIClient().get("/api/schema/").status_code == 401  # the schema itself is not public


def test_pagination_parameters_are_documented_from_1(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/customers/"]["get"]["parameters"]}
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1}


def test_text_query_parameters_say_a_nul_character_is_refused(schema, api_for, administrator):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/departments/"]["get"]["parameters"]}
    assert parameters["search"]["schema"]["pattern"] == "^[^\\x00]*$"
    assert api_for(administrator).get("/api/v1/departments/", {"search": "a\x00b"}).status_code == 400


def test_a_decimal_may_be_sent_as_a_number_or_a_string(schema):
    amount = schema["components"]["schemas"]["OpportunityRequest"]["properties"]["expected_amount"]
    assert {"type": "number"} in amount["anyOf"]


def test_the_schema_class_is_the_projects():
    from rest_framework.settings import api_settings

    assert api_settings.DEFAULT_SCHEMA_CLASS is CrmAutoSchema


def test_schema_generates_without_warnings_and_validates(tmp_path):
    # --fail-on-warn turns any warning or error of the generator into a failure; --validate checks
    # the result against the OpenAPI 3 specification.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "openapi" in (tmp_path / "schema.yml").read_text()
