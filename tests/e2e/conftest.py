"""Real-browser journeys: the real app on a loopback port, driven by Debian's Chromium.

Each journey gets its own migrated SQLite database and a werkzeug server in a background thread.
Every browser context aborts and records any request that is not for that server, and collects
console errors, page errors and 5xx responses; `Guard.check()` fails the journey on any of them.
A failing journey leaves a screenshot and the HTML of every open page in tests/e2e/artifacts/.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from config import TestConfig
from tracker import create_app
from tracker.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
DEMO_PASSWORD = "Demo@TraVinh2023"  # noqa: S105 - the published demo password
PHONE = {"width": 390, "height": 844}


@dataclass
class LiveServer:
    """The app served on 127.0.0.1:<port>; `today` can be moved between steps of a journey."""

    app: Flask
    url: str

    def set_today(self, day: dt.date | str) -> None:
        self.app.config["TRACKER_TODAY"] = str(day)


def build_live_app(tmp: Path, today: str, *, directives: bool = True) -> Flask:
    """A migrated SQLite database with the demo units, users and rules (and directives)."""
    from tracker.demo import seed

    app = create_app(
        TestConfig(),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'e2e.db'}",
        UPLOAD_DIR=tmp / "uploads",
        OUTBOX_DIR=tmp / "outbox",
        WTF_CSRF_ENABLED=True,  # a real browser posts real forms: keep CSRF on
        TRACKER_TODAY=today,
    )
    with app.app_context():
        upgrade()
        if directives:
            seed.seed_demo()
        else:
            seed.seed_units()
            seed.seed_users()
            seed.seed_rules()
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Factory: `live_server(today="2023-03-20", directives=True)` starts the app on a free port."""
    started: list[tuple[object, threading.Thread, Flask]] = []

    def start(today: str, *, directives: bool = True) -> LiveServer:
        app = build_live_app(tmp_path, today, directives=directives)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append((server, thread, app))
        return LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")

    yield start
    for server, thread, app in started:
        server.shutdown()  # type: ignore[attr-defined]
        server.server_close()  # type: ignore[attr-defined]
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright (Playwright's own browser download is never used)."""
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is missing at /usr/bin/chromium: `make test` installs it "
            "(apt-get install -y chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class Guard:
    """What a journey must not do: leave the server, log console errors, hit a 5xx."""

    origin: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    checked: bool = False

    def is_local(self, url: str) -> bool:
        return url == self.origin or url.startswith(self.origin + "/") or url.startswith(
            ("data:", "blob:", "about:")
        )

    def problems(self) -> list[str]:
        foreign = [u for u in self.requests if not self.is_local(u)]
        found = []
        if foreign or self.blocked:
            found.append(f"requests left {self.origin}: {sorted(set(foreign + self.blocked))}")
        if self.console_errors:
            found.append(f"console errors: {self.console_errors}")
        if self.page_errors:
            found.append(f"page errors: {self.page_errors}")
        if self.server_errors:
            found.append(f"server errors: {self.server_errors}")
        return found

    def check(self) -> None:
        self.checked = True
        problems = self.problems()
        assert not problems, "; ".join(problems)


class Browsing:
    """Browser contexts for several users of one journey, all guarded by one Guard."""

    def __init__(self, browser, server: LiveServer) -> None:
        self.browser = browser
        self.server = server
        self.guard = Guard(origin=server.url)
        self.contexts: list = []
        self.pages: list = []

    def _watch(self, context) -> None:
        guard = self.guard

        def route(route) -> None:
            url = route.request.url
            if guard.is_local(url):
                route.continue_()
            else:
                guard.blocked.append(url)
                route.abort()

        context.route("**/*", route)

    def new_page(self, *, phone: bool = False):
        """A fresh context (no cookies) with its guards, on the login page; ``phone``: a
        390×844 touch screen, as the officers' phones."""
        size = PHONE if phone else {"width": 1400, "height": 1000}
        extra = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}
        context = self.browser.new_context(
            base_url=self.server.url,
            accept_downloads=True,
            locale="vi-VN",
            viewport=size,
            **extra,
        )
        context.set_default_timeout(15_000)
        self._watch(context)
        page = context.new_page()
        guard = self.guard
        page.on("request", lambda request: guard.requests.append(request.url))
        page.on(
            "console",
            lambda msg: guard.console_errors.append(f"{page.url}: {msg.text}")
            if msg.type == "error"
            else None,
        )
        page.on("pageerror", lambda exc: guard.page_errors.append(f"{page.url}: {exc}"))
        page.on(
            "response",
            lambda response: guard.server_errors.append(f"{response.status} {response.url}")
            if response.status >= 500
            else None,
        )
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm buttons
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def login(self, username: str, password: str = DEMO_PASSWORD, *, phone: bool = False):
        """A new page logged in as `username` through the login form."""
        page = self.new_page(phone=phone)
        page.goto("/login")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
        assert "/login" not in page.url, f"login as {username} failed: {page.url}"
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, request: pytest.FixtureRequest) -> Iterator[Callable[[LiveServer], Browsing]]:
    """Factory: `browsing(server)` gives guarded pages; the guard is checked again at teardown."""
    made: list[Browsing] = []

    def make(server: LiveServer) -> Browsing:
        session = Browsing(browser, server)
        made.append(session)
        request.node.e2e_browsing = made
        return session

    yield make
    try:
        for session in made:
            failed = getattr(request.node, "e2e_failed", False)
            if not session.guard.checked and not failed:
                session.guard.check()
    finally:
        for session in made:
            session.close()


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:120]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On a failed journey, save a screenshot and the HTML of each open page."""
    report = yield
    if report.when == "call" and report.failed:
        item.e2e_failed = True  # type: ignore[attr-defined]
        ARTIFACTS.mkdir(exist_ok=True)
        for s_index, session in enumerate(getattr(item, "e2e_browsing", [])):
            for p_index, page in enumerate(session.pages):
                if page.is_closed():
                    continue
                stem = ARTIFACTS / _safe_name(f"{item.name}-{s_index}-{p_index}")
                try:
                    page.screenshot(path=f"{stem}.png", full_page=True)
                    Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
                except Exception as exc:  # never hide the real failure behind this one
                    report.sections.append(("e2e artifacts", f"could not save {stem}: {exc}"))
                else:
                    report.sections.append(("e2e artifacts", f"saved {stem}.png and .html"))
    return report
