"""WSGI entry point: `gunicorn wsgi:app`. Starts no scheduler and no threads."""

from tracker import create_app

app = create_app()
