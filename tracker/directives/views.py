from __future__ import annotations

from flask import Blueprint, render_template

from tracker.core import clock
from tracker.directives import queries
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.models import LEAD
from tracker.directives.presenters import directive_status

bp = Blueprint("directives", __name__)


@bp.route("/")
def index():
    """The first page after login: the directives of the current (or latest) period."""
    period = queries.default_period()
    directives = queries.directives_of_period(period) if period else []
    as_of = clock.today()
    return render_template(
        "directives/index.html",
        period=period,
        directives=directives,
        as_of=as_of,
        status_of=lambda d: directive_status(d, as_of),
        field_labels=FIELD_LABELS,
        LEAD=LEAD,
    )
