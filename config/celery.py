"""The Celery application.

Tasks are autodiscovered from each app's tasks.py. With no broker
configured, settings make every task run in-process (eager), so the demo
works on a bare machine.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("ecrin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="ecrin.health.ping")
def health_ping(token: str) -> str:
    """Echo a token: proves a worker round-trip through broker and backend."""
    return f"pong:{token}"
