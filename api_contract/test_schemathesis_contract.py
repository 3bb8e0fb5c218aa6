"""The API keeps the promises of its OpenAPI schema (Q-6).

Schemathesis loads ``/api/schema/`` from the Django application in-process (its WSGI transport, no
server) and runs every operation through its phases (coverage, fuzzing, stateful sequences) with
the checks below, once as an administrator and once as an account manager, each signed in by
token. Any 5xx, undocumented status code, response that does not match its schema, schema-valid
request refused, schema-violating request accepted, or authentication the operation ignores fails
the test, with the failures listed per operation and check and a curl command to reproduce each.

The run is bounded and reproducible: a few examples per operation, a fixed seed, deterministic
generation. CI runs it with the rest of ``scripts/test``.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from schemathesis.transport.wsgi import WSGITransport

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role
from crm.catalog.tests.factories import OrderLineFactory, ProductFactory, StockFactory
from crm.customers.tests.factories import ActivityFactory, ChurnRecordFactory, ContactFactory, CustomerFactory
from crm.sales.tests.factories import PlanItemFactory, developing
from crm.service.tests.factories import ServiceRequestFactory

# Requests go to the application in-process, so the run commits its data: a transactional test.
pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
]

# Writes check the records they name against the current data (an id that names no record, a
# name already taken, a transition the record's status does not allow): a request the schema
# accepts can still be refused with 400, and that is documented. Reads are held to the schema.
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
WRITE_STATUSES = ["2XX", "3XX", "400", "401", "403", "404", "409", "429", "5XX"]  # the default, and 400

EXAMPLES_PER_OPERATION = 10
SEED = 20261201


@pytest.fixture
def in_process_probes(monkeypatch):
    """Schemathesis 4.32's ``ignored_auth`` check re-sends a request without credentials through
    the WSGI transport but keeps the HTTP-only settings (redirects, TLS) of a network session,
    which Werkzeug's test client refuses. Drop them, as the transport does for its own requests."""
    send = WSGITransport.send

    def send_in_process(self, case, *, session=None, **kwargs):
        if session is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", send_in_process)


@pytest.fixture
def records(account_manager):
    """A little of everything, owned by the account manager, so reads and actions find records."""
    customers = CustomerFactory.create_batch(3, owner=account_manager, created_by=account_manager)
    for customer in customers:
        ContactFactory(customer=customer)
        ActivityFactory(customer=customer, created_by=account_manager)
        ServiceRequestFactory(customer=customer, created_by=account_manager)
        OrderLineFactory(order__customer=customer)
    ChurnRecordFactory(customer=customers[0])
    opportunity = developing(account_manager)
    PlanItemFactory(opportunity=opportunity, created_by=account_manager)
    StockFactory(product=ProductFactory())
    return customers


def run_contract(user):
    """Every failure of a schemathesis run as ``user``: ``{(operation, check): [details]}``."""
    token = Token.objects.create(user=user)
    headers = {"Authorization": f"Token {token.key}", "Accept-Language": "en"}
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "headers": headers,
            "workers": 1,
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True, "database": "none"},
            "cache": {"enabled": False},  # each run starts from nothing: CI is reproducible
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "operations": [
                {
                    "include-method": method,
                    "checks": {"positive_data_acceptance": {"expected-statuses": WRITE_STATUSES}},
                }
                for method in WRITE_METHODS
            ]
            + [
                {
                    # A report's subject, manager or region names a record checked against the
                    # viewer's scope like a write's ids: one outside it is a documented 400.
                    "include-path-regex": "^/api/v1/reports/",
                    "checks": {"positive_data_acceptance": {"expected-statuses": WRITE_STATUSES}},
                }
            ],
        }
    )
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), config=config, headers=headers
    )
    failures = {}
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    if node.status == Status.FAILURE:
                        failure = node.failure_info.failure
                        key = (failure.operation or event.recorder.label, node.name)
                        detail = f"{failure.title}: {failure.message}\n{node.failure_info.code_sample}"
                        failures.setdefault(key, []).append(detail)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            error = getattr(event, "value", None) or getattr(event, "exception", None)
            failures.setdefault((getattr(event, "label", "run"), "error"), []).append(repr(error))
    return failures


def report(failures):
    lines = []
    for (operation, check), details in sorted(failures.items()):
        lines.append(f"{operation} — {check} ({len(details)}×)\n    " + details[0].replace("\n", "\n    "))
    return "\n".join(lines)


@pytest.mark.parametrize("role", [Role.Key.ADMINISTRATOR, Role.Key.ACCOUNT_MANAGER])
def test_every_operation_keeps_its_schema(role, records, account_manager, in_process_probes):
    user = account_manager if role == Role.Key.ACCOUNT_MANAGER else user_with_role(role, username="admin_contract")
    failures = run_contract(user)
    assert not failures, "The API does not keep its schema:\n" + report(failures)
