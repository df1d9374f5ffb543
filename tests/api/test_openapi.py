"""The OpenAPI document matches the API: same routes, and schemathesis finds no 5xx and no
response that breaks the document, on generated requests with a real token."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_api import issue_token
from tests.directives.pagedata import spread_over_buckets
from tracker.api.openapi import build_spec


def test_document_lists_exactly_the_api_routes(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    documented = {
        (path, method) for path, ops in build_spec()["paths"].items() for method in ops
    }
    assert routes == documented


def test_served_document_is_valid_openapi_31(app, demo, runner):
    token = issue_token(runner, "xem")
    loaded = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, headers={"Authorization": f"Bearer {token}"}
    )
    labels = {op.ok().label for op in loaded.get_all_operations()}
    assert "POST /assignments/{assignment_id}/progress" in labels
    assert {"GET /directives", "GET /assignments", "GET /periods"} <= labels
    assert loaded.raw_schema == build_spec()


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    # What the document admits is accepted, what it refuses is refused (as_of, period, ...).
    negative_data_rejection,
    positive_data_acceptance,
]


def test_api_conforms_to_its_document(app, demo, runner):
    """Generated requests (valid and invalid) against every operation, with an officer token.

    Driven through the Python API (pytest 9 and schemathesis's pytest plugin disagree); a
    modest, derandomized example count keeps it fast and repeatable.
    """
    spread_over_buckets()
    token = issue_token(runner, "gddt")
    headers = {"Authorization": f"Bearer {token}"}
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    ran, statuses = [], Counter()
    operations = [result.ok() for result in loaded.get_all_operations()]
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=15,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses[response.status_code] += 1

        run()
        ran.append(operation.label)
    assert len(ran) >= 12
    assert statuses[200] and statuses[400] and statuses[404], statuses


def test_the_documented_date_pattern_is_exactly_the_dates_the_api_accepts():
    """as_of: what the document's pattern admits, the API parses, and the other way round."""
    import datetime as dt
    import re as regex

    from tracker.api.openapi import DATE_PATTERN
    from tracker.core.formatting import parse_vn_date

    pattern = regex.compile(DATE_PATTERN)
    day = dt.date(2000, 1, 1)
    while day <= dt.date(2100, 12, 31):
        for text in (day.strftime("%d/%m/%Y"), day.isoformat()):
            assert pattern.match(text) and parse_vn_date(text) == day, text
        day += dt.timedelta(days=1)
    for text in ("31/02/2023", "29/02/2023", "29/02/2100", "2023-02-29", "32/01/2023",
                 "00/01/2023", "31/04/2024", "1/1/2023", "01/13/2023", "tháng ba"):
        assert not pattern.match(text), text


def test_stateful_runs_follow_the_documented_links(app, demo, runner):
    """Schemathesis's stateful phase: sequences of calls chained by the document's links (list
    → directive → assignment → progress → read back) with an officer token; every response
    conforms to the document and none is a 5xx."""
    from hypothesis import settings as hypothesis_settings

    spread_over_buckets()
    token = issue_token(runner, "gddt")
    headers = {"Authorization": f"Bearer {token}"}
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    assert {"GET /directives/{directive_id}", "POST /assignments/{assignment_id}/progress",
            "GET /assignments/{assignment_id}"} <= loaded.operations_with_incoming_links()
    machine = loaded.as_state_machine()
    calls = Counter()

    class Checked(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, **kwargs):
            calls[f"{case.method} {case.path}"] += 1
            case.validate_response(response, checks=CHECKS[:4])

    Checked.run(settings=hypothesis_settings(
        max_examples=25, stateful_step_count=6, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck),
    ))
    assert calls["GET /directives/{directive_id}"] and calls["GET /assignments/{assignment_id}"]
