"""WSGI entry point: `gunicorn wsgi:app`. Starts no scheduler and no threads."""

import gc

from tracker import create_app

app = create_app()

# What start-up built (the app, compiled templates and SQL, imported modules) lives as long as
# the worker: freezing it keeps the collector from walking it again and again, and a larger
# first threshold lets a request's short-lived objects die by reference count before a
# collection starts. A page computed at province scale spent a tenth to a third of its time
# in collections otherwise (measured in README "Performance"); cycles are still collected.
gc.freeze()
gc.set_threshold(50_000, 20, 100)
