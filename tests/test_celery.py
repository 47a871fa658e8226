import pytest

from config.celery import health_ping


@pytest.mark.celery_worker
def test_health_task_round_trips_through_a_real_worker(celery_worker):
    result = health_ping.delay("abc123")

    assert result.get(timeout=20) == "pong:abc123"
    # The result went through the database backend, not memory.
    from django_celery_results.models import TaskResult

    assert TaskResult.objects.filter(task_id=result.id, status="SUCCESS").exists()


def test_without_a_broker_tasks_run_in_process(settings):
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        assert health_ping.delay("local").get(timeout=1) == "pong:local"
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
