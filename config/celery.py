"""The Celery application.

Tasks are autodiscovered from each app's tasks.py. With no broker
configured, settings make every task run in-process (eager), so the demo
works on a bare machine.
"""

import os
from logging.config import dictConfig

from celery import Celery
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_postrun,
    task_prerun,
)

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


@before_task_publish.connect
def carry_the_request_id(headers=None, **kwargs):
    """A task enqueued while serving a request carries the request's id in
    its message headers (or, enqueued by a task, that task's id)."""
    from config.logging import TASK_HEADER, current_request_id

    request_id = current_request_id()
    if headers is not None and request_id:
        headers.setdefault(TASK_HEADER, request_id)


_TOKENS: dict[str, object] = {}


@task_prerun.connect
def adopt_the_request_id(task_id=None, task=None, **kwargs):
    """The worker logs the task's lines with the id it was enqueued with."""
    from config.logging import TASK_HEADER, request_id_var, valid_request_id

    request = getattr(task, "request", None)
    value = getattr(request, TASK_HEADER, None) or (
        getattr(request, "headers", None) or {}
    ).get(TASK_HEADER)
    request_id = valid_request_id(value)
    if request_id and task_id:
        _TOKENS[task_id] = request_id_var.set(request_id)


@task_postrun.connect
def drop_the_request_id(task_id=None, **kwargs):
    from config.logging import request_id_var

    token = _TOKENS.pop(task_id, None)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context: clear it instead
            request_id_var.set("")


@app.task(name="ecrin.health.ping")
def health_ping(token: str) -> str:
    """Echo a token: proves a worker round-trip through broker and backend."""
    return f"pong:{token}"
