"""A request body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused before any view; under /api/ the
refusal is in the API's error format, not Django's HTML 400 page."""

import json

from django.test import override_settings

LIMIT = 1024 * 1024  # 1 MB
BIG_BODY = json.dumps({"name": "x" * (LIMIT + 1)})


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_an_oversized_api_body_answers_413_in_the_api_error_format(client_for, account_manager):
    response = client_for(account_manager).post("/api/v1/customers/", BIG_BODY, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "request_too_large",
        "message": "The request body is too large (at most 1 MB).",
        "errors": {},
    }


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_an_oversized_api_body_with_a_token_answers_in_the_api_error_format(api_for, account_manager):
    response = api_for(account_manager).post("/api/v1/customers/", BIG_BODY, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_an_oversized_form_on_a_page_still_gets_the_400_page(client_for, account_manager):
    response = client_for(account_manager).post("/customers/new/", {"name": "x" * (LIMIT + 1)})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
