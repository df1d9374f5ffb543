"""Rendered read pages, kept per worker process and shared by everyone who would see the same.

The dashboard, the lists, a directive page and a unit page cost tens of milliseconds to compute
(every bucket rule for hundreds of directives, a Jinja loop over them), and the same page is
opened again and again between two changes: the morning round of a leader, forty officers
opening the dashboard after the weekly digest. So a read page's title and content are cached
under everything they depend on:

- the data version (tracker/core/versioning.py): any committed change makes every copy stale;
  or, for a page that says which parts of the data it shows (``scopes``: a period, a unit, a
  directive), the tokens of those parts and of ``base``, so a change elsewhere leaves it valid;
  parts found while computing it (``depends_on``: the rows of a list) are checked on each hit;
- today's date (the buckets move at midnight, Vietnam time);
- the URL: endpoint, path arguments and query string;
- what the reader may do: role and unit (the action buttons and forms differ), never the person
  (except an officer where tasks name officers: ``set_personal_key``); a page that is the same
  for every reader (``shared``: no form, no button, nothing read from the reader) is kept once
  for all of them, so a change costs it one computation, not one per role and unit.

The navigation bar, flashed messages and the footer are rendered for each request around the
cached part. Forms in a cached part carry a placeholder instead of the CSRF token, replaced by
the reader's own token on the way out. A request whose own transaction has written is never
served from, or stored into, the cache. Memory is bounded (``PAGE_CACHE_MB`` per process, least
recently used first out; 0 turns the cache off).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import current_app, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from tracker.core import clock, versioning
from tracker.extensions import db

_SEPARATOR = Markup(f"<!--page-part-{secrets.token_hex(8)}-->")  # noqa: S704 - a constant
_CSRF_SLOT = f"csrf-slot-{secrets.token_hex(12)}"
_FRAGMENT_LAYOUT = "_page_parts.html"
_CACHED_LAYOUT = "_cached_page.html"


# title, content, whether the content holds the CSRF placeholder; the scopes found while it was
# computed (depends_on) and their tokens then
Entry = tuple[str, str, bool, tuple[str, ...], tuple[str, ...]]


def _cost(entry: Entry) -> int:
    return len(entry[0]) + len(entry[1])


class PageCache:
    """An LRU of (title, content, has_csrf_slot) bounded in characters, for one app.

    ``generation`` is the day: a new day empties it. Data versions are part of each key, so a
    page of data that changed is never found again and ages out."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._size = 0
        self._generation: tuple | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, generation: tuple, key: tuple) -> Entry | None:
        with self._lock:
            if generation != self._generation:
                # a new day: nothing kept can be served again
                self._entries.clear()
                self._size = 0
                self._generation = generation
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, generation: tuple, key: tuple, entry: Entry) -> None:
        cost = _cost(entry)
        if cost > self.max_chars:
            return
        with self._lock:
            if generation != self._generation:
                return  # the day changed while this page was being computed
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= _cost(old)
            self._entries[key] = entry
            self._size += cost
            while self._size > self.max_chars:
                _, dropped = self._entries.popitem(last=False)
                self._size -= _cost(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0
            self._generation = None

    def __len__(self) -> int:
        return len(self._entries)


def cache_for(app: Any = None) -> PageCache | None:
    """This app's page cache, or None when PAGE_CACHE_MB is 0."""
    app = app or current_app
    return app.extensions.get("page_cache")


def init_app(app: Any) -> None:
    megabytes = float(app.config.get("PAGE_CACHE_MB", 0) or 0)
    if megabytes > 0:
        # str sizes in characters; Vietnamese HTML is mostly 1-2 bytes per character in memory
        app.extensions["page_cache"] = PageCache(int(megabytes * 1024 * 1024 / 2))
    app.after_request(mark_response)


_PERSONAL = "page_cache_personal"
_DEPENDS = "page_cache_depends"


def depends_on(scopes: Iterable[str]) -> None:
    """While a page is computed: more parts of the data it shows, known only once computed (the
    directives on a list's page). Its copy is served again only while their tokens stay."""
    found = g.get(_DEPENDS)
    if found is not None:
        found.update(scopes)


def mark_response(response: Any) -> Any:
    """``X-Page-Cache: hit|miss|bypass|off`` on a read page, so a load test counts hits across
    worker processes."""
    outcome = g.get("page_cache")
    if outcome is not None:
        response.headers["X-Page-Cache"] = outcome
    return response


def set_personal_key(app: Any, personal: Callable[[], object]) -> None:
    """Who else in the key: ``personal()`` returns something that tells readers apart when a
    page's forms differ by person (a task named to one officer of a unit), else None."""
    app.extensions[_PERSONAL] = personal


def _key(versions: tuple, *, shared: bool) -> tuple:
    page = (
        versions,
        request.endpoint,
        tuple(sorted((request.view_args or {}).items())),
        tuple(sorted(request.args.items(multi=True))),
    )
    if shared:
        return page
    personal = current_app.extensions.get(_PERSONAL)
    return (*page, current_user.role, current_user.unit_id,
            personal() if personal is not None else None)


Scopes = Callable[[], "list[str] | None"]


def _versions(session: Any, scopes: Scopes | None) -> tuple:
    """What the page is valid under: the parts' tokens, or the whole data version."""
    parts = scopes() if scopes is not None else None
    if parts is None:
        return ("*", versioning.current(session))
    return (tuple(parts), versioning.scope_tokens(session, parts))


def render_page(
    template: str, build: Callable[[], Mapping[str, Any]], scopes: Scopes | None = None,
    *, shared: bool = False,
) -> str:
    """Render a read page: ``build()`` computes the template's context; when an identical page
    was rendered under the same data versions today, its title and content are reused and
    ``build`` is not called.

    ``scopes()`` names the parts of the data the page shows (``cache_scopes.period_scope``,
    ``unit_scope``, ``directive_scope``), or None when it shows any part: then any change makes
    it stale. Leave it out unless every row the page reads is placed in those scopes.

    ``shared``: the page is the same whoever reads it (``build`` and the template read nothing
    of the reader: no form, no action); one copy serves every role and unit. Checked for each
    shared page by tests/core/test_page_scopes.py.

    The template must start with ``{% extends layout or "base.html" %}`` and put everything in
    its ``title`` and ``content`` blocks.
    """
    cache = cache_for()
    session = db.session()
    if cache is None or versioning.has_uncommitted_changes(session):
        g.page_cache = "off" if cache is None else "bypass"
        return render_template(template, **build())
    generation = clock.today()
    started = versioning.current(session)
    key = _key(_versions(session, scopes), shared=shared)
    entry = cache.get(generation, key)
    if entry is not None and entry[3] and versioning.scope_tokens(session, entry[3]) != entry[4]:
        entry = None  # a part found while computing it has changed since
    g.page_cache = "miss" if entry is None else "hit"
    if entry is None:
        entry, keep = _compute(template, build, session, started)
        if keep:
            cache.put(generation, key, entry)
    title, content, has_slot = entry[:3]
    if has_slot:
        content = content.replace(_CSRF_SLOT, generate_csrf())
    # both parts are the output of our own autoescaping templates, not user input
    return render_template(
        _CACHED_LAYOUT,
        page_title=Markup(title),  # noqa: S704
        page_content=Markup(content),  # noqa: S704
    )


def _compute(
    template: str, build: Callable[[], Mapping[str, Any]], session: Any, started: str
) -> tuple[Entry, bool]:
    """The page's title and content as a cache entry, and whether it may be kept."""
    setattr(g, _DEPENDS, set())
    try:
        context = dict(build())
    finally:
        found = tuple(sorted(g.pop(_DEPENDS)))
    html = render_template(
        template, **context, layout=_FRAGMENT_LAYOUT, page_parts_separator=_SEPARATOR,
        csrf_token=lambda: _CSRF_SLOT,
    )
    title, _, content = html.partition(_SEPARATOR)
    tokens: tuple[str, ...] = ()
    keep = not versioning.has_uncommitted_changes(session)
    if found and keep:
        # the found parts' tokens first, then the data version: when no change was committed
        # since the request began, those tokens are the ones of the data the page was built on
        tokens = versioning.scope_tokens(session, found)
        keep = versioning.committed(session) == started
    entry = (title, content, _CSRF_SLOT in content, found, tokens)
    real_token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    leaked = real_token is not None and real_token in content
    return entry, keep and not leaked
