"""Validate API responses against the served OpenAPI document with jsonschema."""

from __future__ import annotations

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tracker.api.openapi import build_spec

SPEC = build_spec()
URI = "urn:tracker-api"
REGISTRY = Registry().with_resource(
    URI, Resource.from_contents(SPEC, default_specification=DRAFT202012)
)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def check(response, template: str, method: str = "get") -> dict:
    """The response's status is documented for the operation and its JSON body fits the schema.

    template is the spec's path, e.g. "/directives/{directive_id}".
    """
    status = str(response.status_code)
    responses = SPEC["paths"][template][method]["responses"]
    assert status in responses, (template, method, status, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    pointer = "/".join(
        ["", "paths", _escape(template), method, "responses", status, "content",
         _escape("application/json"), "schema"]
    )
    validator = Draft202012Validator(
        {"$ref": f"{URI}#{pointer}"},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    body = response.get_json()
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    return body
