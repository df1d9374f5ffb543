"""The organization for everyone to read (the header, signer and fields its reports use); admins
edit it on "Quản trị → Cơ quan" (tracker/admin/organization_views.py)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from tracker.auth.permissions import Action, requires
from tracker.constants import OFFICER
from tracker.organization import services

bp = Blueprint("organization", __name__, url_prefix="/organization")


def template_context() -> dict[str, object]:
    """``organization`` in every template: the page title, the footer, the login page."""
    return {"organization": services.current()}


def personal_page_key() -> int | None:
    """Cached pages are shared by role and unit; where tasks name officers, an officer's pages
    hold forms for their own tasks only, so an officer's pages are theirs alone."""
    if current_user.role == OFFICER and services.current().officer_assignees:
        return int(current_user.id)
    return None


@bp.route("/")
@requires(Action.READ)
def show():
    return render_template("organization/show.html", org=services.current())
