"""Liveness and readiness (config.health): what a load balancer sees."""

import pytest
from django.urls import reverse

from config import health
from tests.clienteling.factories import UserFactory

pytestmark = pytest.mark.django_db

STATES = {"ok", "failing", "skipped"}


def test_live_answers_without_login(client):
    response = client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_ready_without_a_broker_checks_database_and_storage(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get(reverse("health-ready"))

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "broker": "skipped",
            "worker": "skipped",
            "beat": "skipped",
            "private_storage": "ok",
        },
    }


def test_ready_fails_when_private_storage_is_missing(client, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "gone"

    response = client.get("/health/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["private_storage"] == "failing"
    # an anonymous caller learns ok/failing per check, nothing more
    assert set(body) == {"status", "checks"}
    assert set(body["checks"].values()) <= STATES


def test_ready_fails_when_the_broker_is_unreachable(client, settings):
    # nothing listens on port 1
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/health/ready")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"] == "failing"
    assert checks["worker"] == "failing"
    assert checks["database"] == "ok"


def test_signed_in_staff_see_the_reason_of_each_failure(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "gone"
    client.force_login(UserFactory(is_staff=True))

    body = client.get("/health/ready").json()

    assert body["reasons"] == {
        "broker": "broker unreachable (ConnectionError)",
        "worker": "broker unreachable",
        # the sweeper's schedule is installed by a migration, never run here
        "beat": "beat has not run the job sweeper yet",
        "private_storage": "the folder does not exist",
    }


def test_beat_is_failing_when_the_sweeper_last_ran_long_ago(settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    task = PeriodicTask.objects.get(name=health.BEAT_TASK)
    task.last_run_at = timezone.now() - timedelta(minutes=20)
    task.save()

    with pytest.raises(health.Failing, match="last tick was 20 min ago"):
        health.check_beat()

    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=timezone.now())
    assert health.check_beat() is None


def test_ready_is_not_in_the_request_log_unless_failing(client, caplog, settings):
    settings.CELERY_BROKER_URL = ""
    with caplog.at_level("INFO", logger="ecrin.request"):
        client.get("/health/ready")
        client.get("/health/live")
        settings.PRIVATE_STORAGE_ROOT = settings.PRIVATE_STORAGE_ROOT / "gone"
        client.get("/health/ready")

    lines = [r for r in caplog.records if r.name == "ecrin.request"]
    assert [(r.path, r.status) for r in lines] == [("/health/ready", 503)]
