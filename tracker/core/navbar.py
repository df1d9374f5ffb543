"""The navigation bar, rendered once per person and data version rather than on every page.

Every page, a cached one too, wraps its content in the bar: some thirty links, the menus a role
may open, the person's name and unit, the bell's and the inbox's counts. Rendering it cost a
page served from the page cache more than the rest of its work. What it shows depends on the
person (role, name, unit: any change to them moves the data version), on the two counts, on the
application's URL prefix, and on nothing else: so it is kept under those, in a small LRU per
process. The logout form's CSRF token is the reader's own, put in on the way out.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from tracker.core import versioning
from tracker.extensions import db

_SLOT = f"csrf-slot-{secrets.token_hex(12)}"
MAX_ENTRIES = 500  # a few KB each: people active within the same data version


class _Kept:
    def __init__(self) -> None:
        self.entries: OrderedDict[tuple, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self.lock:
            html = self.entries.get(key)
            if html is not None:
                self.entries.move_to_end(key)
            return html

    def put(self, key: tuple, html: str) -> None:
        with self.lock:
            self.entries[key] = html
            while len(self.entries) > MAX_ENTRIES:
                self.entries.popitem(last=False)


def navbar(n_todo: int = 0, n_unread: int = 0) -> Markup:
    """The bar for the signed-in person with their inbox's and bell's counts (the bare bar
    before sign-in)."""
    if not current_user.is_authenticated:
        return Markup(render_template("_navbar.html"))  # noqa: S704 - our template's output
    session = db.session()
    fresh = versioning.has_uncommitted_changes(session)  # the person may just have changed
    key = (current_user.id, versioning.current(session), n_todo, n_unread, request.script_root)
    kept: _Kept = current_app.extensions["navbar"]
    html = None if fresh else kept.get(key)
    if html is None:
        html = render_template("_navbar.html", n_todo=n_todo, n_unread=n_unread,
                               csrf_token=lambda: _SLOT)
        if not fresh:
            kept.put(key, html)
    return Markup(html.replace(_SLOT, generate_csrf()))  # noqa: S704 - our template's output


def init_app(app) -> None:  # noqa: ANN001
    app.extensions["navbar"] = _Kept()
    app.add_template_global(navbar, "navbar")
