"""Helpers shared by the import and management tests (not a conftest: other engineers own
tests/directives too)."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa
from flask import Flask

from tracker.calendar.models import CalendarException
from tracker.core.models import AuditEvent
from tracker.directives.models import Assignment, Directive, Period, SourceDocument
from tracker.extensions import db
from tracker.intake.models import ImportDraft, RoutingRule

SEED_REPORT = (
    Path(__file__).resolve().parents[2] / "tracker" / "demo" / "data" / "bao-cao-thang-02-2023.txt"
)


@pytest.fixture
def base(app: Flask) -> Flask:
    """Units, demo users and routing rules, but no directive yet: the report is not imported."""
    from tracker.demo.seed import seed_rules, seed_units, seed_users

    seed_units()
    seed_users()
    seed_rules()
    db.session.commit()
    return app


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def snapshot() -> dict[str, int]:
    """Row counts of every table these features write; equal before and after = nothing written."""
    db.session.expire_all()
    return {
        model.__tablename__: count(model)
        for model in (
            AuditEvent, Directive, Assignment, SourceDocument, Period, ImportDraft, RoutingRule,
            CalendarException,
        )
    }


def seed_docx_bytes() -> bytes:
    """The seed report as a Word file: one paragraph per blank-line-separated block."""
    text = SEED_REPORT.read_text(encoding="utf-8")
    document = docx.Document()
    for part in text.split("\n\n"):
        if part.strip():
            document.add_paragraph(part.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class FormScraper(HTMLParser):
    """Collect what a browser would submit from the forms of a page: {action: [(name, value)]}."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, list[tuple[str, str]]] = {}
        self._action: str | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._action = a.get("action", "")
            self.forms.setdefault(self._action, [])
        elif self._action is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind in ("submit", "file"):
                return
            self.forms[self._action].append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[self._action].append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._action = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self._action is not None:
            self.forms[self._action].append((self._textarea, "".join(self._text)))
            self._textarea = None


def scrape_forms(html: str) -> dict[str, list[tuple[str, str]]]:
    parser = FormScraper()
    parser.feed(html)
    return parser.forms
