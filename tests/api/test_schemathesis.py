"""Property-based API testing against the live schema, once per role (schemathesis).

Every operation the schema documents is called with generated inputs by a
trader, a compliance officer and a quant, each with their own token, through
the real WSGI application. Bounded in examples per operation; the checks are
the ones that matter here: no 5xx, and every response the schema describes
matches it (status codes the schema does not list, such as 403 or 404, are
allowed: they are the role and scoping rules at work).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.factories import FillFactory, InstrumentFactory, ParentOrderFactory, UserFactory

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
BOUNDS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same inputs on every run: a failure reproduces
    database=None,
    suppress_health_check=list(HealthCheck),
)
ROLES = {"trader": "Cash Equities", "compliance": "", "quant": ""}


def _live_schema() -> schemathesis.schemas.BaseSchema:
    """The schema /api/schema/ serves (same generator and renderer), bound to the app."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    schema.app = get_wsgi_application()
    return schema


SCHEMA = _live_schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():  # type: ignore[no-untyped-def]
    """The WSGI handler closes the database connection when a request ends; the
    test's transaction must outlive the requests (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _token_for(role: str) -> dict[str, str]:
    desk = ROLES[role]
    user = UserFactory(username=f"st_{role}", role=role, desk=desk)
    order = ParentOrderFactory(
        order_id=f"ST-{role}", instrument=InstrumentFactory(symbol=f"ST{role[:2].upper()}"),
        quantity=Decimal(1000), desk=desk or "Cash Equities",
    )  # fmt: skip
    FillFactory(order=order, exec_id=f"STF-{role}", quantity=Decimal(100))
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


def test_the_schema_documents_the_api() -> None:
    paths = {op.path for op in OPERATIONS}
    assert {"/api/v1/orders/", "/api/v1/fills/", "/api/v1/pretrade/estimate/"} <= paths
    assert len(OPERATIONS) >= 15


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_operation_for_role(operation, role: str) -> None:  # type: ignore[no-untyped-def]
    headers = _token_for(role)

    @BOUNDS
    @given(case=operation.as_strategy())
    def run(case) -> None:  # type: ignore[no-untyped-def]
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
