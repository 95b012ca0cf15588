"""schemathesis against the OpenAPI schema: generated requests to every operation, as an admin,
a bounded number of examples each. No answer may be a server error (5xx) or break the schema
the operation declares."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.conftest import ADMIN_PASSWORD, login

EXAMPLES = 15  # per operation: bounded so CI stays quick


def test_no_server_errors_and_answers_match_the_schema(client: TestClient) -> None:
    headers = login(client, "admin", ADMIN_PASSWORD)
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    failures: list[str] = []
    operations = 0
    for found in schema.get_all_operations():
        operation = found.ok()
        operations += 1

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            run()
        except Exception as failed:  # gathered, reported together below
            failures.append(f"{operation.method.upper()} {operation.path}: {failed}"[:600])
    assert operations >= 50
    assert not failures, "\n\n".join(failures)
