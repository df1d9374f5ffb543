"""The organization for everyone to read (the header, signer and fields its reports use); admins
edit it on "Quản trị → Cơ quan" (tracker/admin/organization_views.py)."""

from __future__ import annotations

from flask import Blueprint, render_template

from tracker.auth.permissions import Action, requires
from tracker.organization import services

bp = Blueprint("organization", __name__, url_prefix="/organization")


def template_context() -> dict[str, object]:
    """``organization`` in every template: the page title, the footer, the login page."""
    return {"organization": services.current()}


@bp.route("/")
@requires(Action.READ)
def show():
    return render_template("organization/show.html", org=services.current())
