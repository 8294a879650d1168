"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi run`."""

from dora import create_app

app = create_app()
