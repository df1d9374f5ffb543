"""Regenerate migrations/versions/0001_initial.py from the models (`make migration`).

Only while nothing has landed on main: after that a landed migration is never edited and
changes go into new revisions (`flask --app wsgi db migrate -m ...`).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from flask import Flask
from flask_migrate import revision

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import models  # noqa: E402,F401
from tracker.extensions import db, migrate  # noqa: E402


def main() -> None:
    target = ROOT / "migrations" / "versions" / "0001_initial.py"
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = Flask("regenerate")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp}/empty.db"
        db.init_app(app)
        migrate.init_app(app, db, directory=str(ROOT / "migrations"))
        with app.app_context():
            revision(autogenerate=True, rev_id="0001", message="initial")


if __name__ == "__main__":
    main()
