"""The templates' ``url_for``: Flask's, with each distinct link built once per process.

A dashboard builds some 35 links per request and the first page about 20, most with the same
query arguments on every request of the day (the period, the day, a bucket); werkzeug's
building and URL-encoding took 3-13 µs each. A link is a pure function of the endpoint, its
arguments and the prefix the app is mounted under, so it is kept under those. Links with
Flask's own options (``_external``, ``_anchor``, ...) or unhashable arguments are built each
time, as is any link outside a request.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for

MAX_LINKS = 4096  # then the memory starts over: a few hundred kB per worker at most
_LINKS = "tracker.links"


def kept_url_for(endpoint: str, **values: Any) -> str:
    """``flask.url_for(endpoint, **values)``, from the per-process memory when it has it."""
    if not has_request_context() or any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    # a relative endpoint (".detail") names the current request's blueprint's
    blueprint = request.blueprint if endpoint.startswith(".") else None
    # in the order given (the query string follows it), with each value's type: 1, 1.0 and
    # True are equal keys but different links
    key = (request.script_root, blueprint, endpoint,
           *((name, type(value), value) for name, value in values.items()))
    links: dict[tuple, str] = current_app.extensions[_LINKS]
    try:
        link = links.get(key)
    except TypeError:  # a list among the values
        return url_for(endpoint, **values)
    if link is None:
        link = url_for(endpoint, **values)
        if len(links) >= MAX_LINKS:
            links.clear()
        links[key] = link
    return link


def init_app(app: Flask) -> None:
    app.extensions[_LINKS] = {}
    app.add_template_global(kept_url_for, "url_for")
