"""The Celery application.

Tasks are autodiscovered from each app's tasks.py. With no broker
configured, settings make every task run in-process (eager), so the demo
works on a bare machine.
"""

import os
from logging.config import dictConfig

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("ecrin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs):
    """Workers and beat log through Django's LOGGING, masking filter
    included: with no receiver here Celery would put its own, unfiltered
    handlers on the root logger and emails would reach the worker log."""
    from django.conf import settings

    dictConfig(settings.LOGGING)


@app.task(name="ecrin.health.ping")
def health_ping(token: str) -> str:
    """Echo a token: proves a worker round-trip through broker and backend."""
    return f"pong:{token}"
