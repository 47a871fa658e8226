"""Retention at each rule's boundary (a day before, a day after), the dry
run against the real run, resumption, and the nightly schedule."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from clienteling.models import Client, IpAddressSeen, WebEvent
from core import jobs as core_jobs
from core.models import AccessLogEntry
from privacy import approvals, retention
from privacy.models import RetentionRule, RetentionRun
from tests.clienteling.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=ZoneInfo("Europe/Paris"))


def _days(code: str) -> int:
    return RetentionRule.objects.get(code=code).effective_days()


def _client(anchor: datetime) -> Client:
    client = ClientFactory()
    Client.objects.filter(pk=client.pk).update(
        created_at=anchor, last_client_initiated_contact_at=anchor
    )
    return client


def _web_event(anchor: datetime, n: int) -> WebEvent:
    return WebEvent.objects.create(
        client=ClientFactory(),
        kind="product_view",
        occurred_at=anchor,
        external_id=f"web-{n}",
    )


def _ip(anchor: datetime, n: int) -> IpAddressSeen:
    return IpAddressSeen.objects.create(
        client=ClientFactory(),
        ip_address=f"192.0.2.{n}",
        first_seen_at=anchor,
        last_seen_at=anchor,
    )


def _access(anchor: datetime) -> AccessLogEntry:
    # `at` is auto_now_add and the trigger refuses UPDATE: insert the row
    # with its date directly (inserts are allowed).
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO privacy_accesslogentry (at, action, object_type, "
            "object_id, path, outcome) VALUES (%s, 'view', 'x.y', '', '', '')",
            [anchor],
        )
    return AccessLogEntry.objects.order_by("-id").first()


def _run(dry_run: bool) -> RetentionRun:
    return retention.retention_run_now(acting_user=None, dry_run=dry_run, now=NOW)


@pytest.mark.parametrize(
    ("code", "make", "exists", "count_key"),
    [
        (
            "inactive_clients",
            lambda anchor, n: _client(anchor),
            lambda obj: (
                not Client.objects.get(pk=obj.pk).client_number.startswith("ERASED-")
            ),
            "clients_erased",
        ),
        (
            "web_activity",
            _web_event,
            lambda obj: WebEvent.objects.filter(pk=obj.pk).exists(),
            "rows_deleted",
        ),
        (
            "ip_addresses",
            _ip,
            lambda obj: IpAddressSeen.objects.filter(pk=obj.pk).exists(),
            "rows_deleted",
        ),
        (
            "access_log",
            lambda anchor, n: _access(anchor),
            lambda obj: AccessLogEntry.objects.filter(pk=obj.pk).exists(),
            "rows_deleted",
        ),
    ],
)
def test_a_day_before_the_boundary_is_kept_a_day_after_is_erased(  # noqa: PLR0917
    code, make, exists, count_key, settings, tmp_path
):
    # given one row a day inside the period and one a day past it
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    RetentionRule.objects.exclude(code=code).update(is_active=False)
    boundary = NOW - timedelta(days=_days(code))
    inside = make(boundary + timedelta(days=1), 1)
    past = make(boundary - timedelta(days=1), 2)

    # when
    dry = _run(dry_run=True)
    assert exists(inside)
    assert exists(past)  # the dry run wrote nothing
    real = _run(dry_run=False)

    # then
    assert exists(inside)
    assert not exists(past)
    assert real.counts[code][count_key] == 1
    assert dry.counts == real.counts


def test_cookie_choices_are_cleared_after_13_months():
    days = _days("cookie_choices")
    RetentionRule.objects.exclude(code="cookie_choices").update(is_active=False)
    inside = ClientFactory(
        cookie_consent="accepted", cookie_consent_at=NOW - timedelta(days=days - 1)
    )
    past = ClientFactory(
        cookie_consent="accepted", cookie_consent_at=NOW - timedelta(days=days + 1)
    )

    run = _run(dry_run=False)

    inside.refresh_from_db()
    past.refresh_from_db()
    assert inside.cookie_consent == "accepted"
    assert (past.cookie_consent, past.cookie_consent_at) == ("", None)
    assert run.counts["cookie_choices"] == {"clients_cleared": 1}


def test_the_access_log_period_comes_from_its_setting(settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 90
    assert RetentionRule.objects.get(code="access_log").effective_days() == 90


def test_dry_run_counts_equal_the_real_runs_over_several_batches(
    monkeypatch, settings, tmp_path
):
    # given more due rows than one batch, of every kind
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    monkeypatch.setattr(retention, "BATCH", 3)
    old = NOW - timedelta(days=4 * 365)
    for n in range(7):
        _client(old)
        _web_event(old, n)
        _ip(old, n)
    _client(NOW - timedelta(days=10))

    dry = _run(dry_run=True)
    real = _run(dry_run=False)
    again = _run(dry_run=True)

    assert dry.counts == real.counts
    assert dry.counts["inactive_clients"]["clients_erased"] >= 7
    assert again.counts["inactive_clients"] == {}
    assert again.counts["web_activity"] == {}


def test_a_stopped_run_resumes_where_it_stopped(monkeypatch, settings, tmp_path):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    monkeypatch.setattr(retention, "BATCH", 2)
    RetentionRule.objects.exclude(code="web_activity").update(is_active=False)
    for n in range(5):
        _web_event(NOW - timedelta(days=500), n)
    run = retention.retention_run_start(acting_user=None, dry_run=False, now=NOW)
    batch, calls = retention._batch, []

    def dies_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return batch(*args, **kwargs)

    # when the worker stops after two batches...
    monkeypatch.setattr(retention, "_batch", dies_on_the_third)
    assert core_jobs.run(run.job_id)["outcome"] != "done"
    run.refresh_from_db()
    assert run.counts["web_activity"]["rows_deleted"] == 4
    assert WebEvent.objects.count() == 1

    # ...another picks it up once its lease has run out, from the cursor
    later = timezone.now() + timedelta(seconds=django_settings.JOBS_LEASE_SECONDS + 1)
    assert core_jobs.run(run.job_id, now=later)["outcome"] == "done"

    run.refresh_from_db()
    assert run.counts["web_activity"]["rows_deleted"] == 5
    assert run.status == RetentionRun.Status.DONE
    assert run.job.attempts == 2
    assert not WebEvent.objects.exists()


def test_a_run_stopped_from_the_jobs_page_says_so_and_starts_again_from_its_cursor(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    RetentionRule.objects.exclude(code="web_activity").update(is_active=False)
    _web_event(NOW - timedelta(days=500), 1)
    officer = UserFactory()
    # Four eyes: asked by one officer, started by the other's approval.
    asked = approvals.retention_run_request(acting_user=UserFactory(), now=NOW)
    run = approvals.approval_approve(
        acting_user=officer, approval=asked, now=NOW
    ).retention_run

    with django_capture_on_commit_callbacks(execute=True):
        core_jobs.cancel(acting_user=officer, job=run.job)
    run.refresh_from_db()
    assert run.status == RetentionRun.Status.STOPPED
    assert run.get_status_display() == "Stopped before the end"
    assert run.finished_at is not None
    assert WebEvent.objects.count() == 1

    core_jobs.retry(acting_user=officer, job=run.job)
    run.refresh_from_db()
    assert run.status == RetentionRun.Status.RUNNING
    assert run.finished_at is None
    assert core_jobs.run(run.job_id)["outcome"] == "done"
    run.refresh_from_db()
    assert run.status == RetentionRun.Status.DONE
    assert not WebEvent.objects.exists()


def test_held_clients_are_skipped_by_retention_and_counted(settings, tmp_path):
    from privacy import holds

    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    RetentionRule.objects.exclude(code="inactive_clients").update(is_active=False)
    held = _client(NOW - timedelta(days=4 * 365))
    free = _client(NOW - timedelta(days=4 * 365))

    def provider(ids):
        return {held.pk: [holds.Hold(kind="invoice", reference="orders.Invoice#1")]}

    holds.register_hold_provider(provider)
    try:
        run = _run(dry_run=False)
    finally:
        holds.unregister_hold_provider(provider)

    assert run.counts["inactive_clients"] == {"clients_erased": 1, "clients_held": 1}
    assert Client.objects.get(pk=free.pk).client_number.startswith("ERASED-")
    assert not Client.objects.get(pk=held.pk).client_number.startswith("ERASED-")


def test_rules_without_a_handler_are_reported_not_silently_skipped(monkeypatch):
    # given the invoices rule with its handler (orders/retention.py) missing
    RetentionRule.objects.exclude(code__in=["invoices", "contact_history"]).update(
        is_active=False
    )
    monkeypatch.delitem(retention.HANDLERS, "invoices", raising=False)

    run = _run(dry_run=True)
    report = {line.rule.code: line.note for line in retention.retention_report(run=run)}

    assert report["invoices"].startswith("No handler installed")
    assert "retention.py" in report["invoices"]
    assert "erased with the client" in report["contact_history"]


def test_other_apps_handlers_are_found_by_name_and_may_not_replace_one(
    monkeypatch,
):
    from django.core.exceptions import ImproperlyConfigured

    from orders import retention as orders_retention

    found = retention.app_handlers()
    assert set(found) == set(orders_retention.RETENTION_HANDLERS)
    assert found["invoices"].due is orders_retention.invoices_due_for_retention

    monkeypatch.setitem(
        orders_retention.RETENTION_HANDLERS,
        "access_log",
        orders_retention.RETENTION_HANDLERS["invoices"],
    )
    with pytest.raises(ImproperlyConfigured, match="access_log"):
        retention.app_handlers()


def test_seeded_rules_and_schedules():
    from django_celery_beat.models import PeriodicTask

    codes = set(RetentionRule.objects.values_list("code", flat=True))
    assert codes == {
        "inactive_clients",
        "web_activity",
        "ip_addresses",
        "cookie_choices",
        "card_references",
        "contact_history",
        "invoices",
        "access_log",
    }
    assert RetentionRule.objects.get(code="inactive_clients").period_days == 1095
    assert RetentionRule.objects.get(code="invoices").period_days == 3653
    assert {"privacy.retention_nightly", "core.jobs.sweep"} <= set(
        PeriodicTask.objects.values_list("task", flat=True)
    )
    assert django_settings.ACCESS_LOG_RETENTION_DAYS >= 30
