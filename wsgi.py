"""Entry point for `flask --app wsgi` and gunicorn (`gunicorn wsgi:app`)."""

import gc

from configurator import create_app

app = create_app()
# What the imports and the app built lives as long as the process: out of the cycle
# collector's generations, a full collection no longer walks it (50 ms with Flask,
# SQLAlchemy and the engine loaded).
gc.freeze()
