"""A killed worker, a duplicate delivery, holds, twice-requested erasures."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from clienteling.models import ClientEmail
from core import jobs as core_jobs
from core import roles
from core.jobs import engine
from core.models import Job
from privacy import holds
from privacy.erasure import jobs
from privacy.models import ErasureJob, ErasureStep
from tests.clienteling.factories import (
    ClientFactory,
    EmailFactory,
    UserFactory,
)
from tests.privacy.factories import run_erasure


class InjectedCrash(Exception):
    """Stands for the worker dying after a step committed."""


def _client_with_data():
    client = ClientFactory()
    EmailFactory(client=client, address=f"c{client.pk}@example.com")
    return client


@pytest.mark.django_db
def test_a_run_that_died_after_a_step_resumes_at_the_next_step(
    monkeypatch, settings, tmp_path
):
    # given an approved erasure whose first attempt dies after the email step
    # (the real worker kills are the drills: test_erasure_drills.py)
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    compliance = UserFactory()
    client = _client_with_data()
    job = jobs.erasure_request(acting_user=UserFactory(), client=client)
    jobs.erasure_approve(acting_user=compliance, job=job)  # sent on commit: never

    def crash(step_name):
        if step_name == "clienteling.ClientEmail":
            raise InjectedCrash

    monkeypatch.setattr(jobs, "after_step", crash)
    job.refresh_from_db()
    core_jobs.run(job.job_id)
    job.refresh_from_db()
    assert job.status == ErasureJob.Status.APPROVED
    assert job.job.status == Job.Status.RUNNING  # left to the sweeper
    done_before = dict(
        ErasureStep.objects.filter(job=job, done_at__isnull=False).values_list(
            "name", "done_at"
        )
    )
    assert "clienteling.ClientEmail" in done_before
    assert "finish" not in done_before
    monkeypatch.setattr(jobs, "after_step", None)

    # when another worker takes the job over once its lease ran out
    later = timezone.now() + timedelta(seconds=settings.JOBS_LEASE_SECONDS + 1)
    assert core_jobs.run(job.job_id, now=later)["outcome"] == "done"

    # then one complete erasure, one receipt, no step done twice
    job.refresh_from_db()
    assert job.status == ErasureJob.Status.DONE
    assert job.job.status == Job.Status.DONE
    assert job.job.attempts == 2
    steps = ErasureStep.objects.filter(job=job)
    assert all(s.done_at for s in steps)
    for name, done_at in done_before.items():
        assert steps.get(name=name).done_at == done_at
    assert job.receipt["steps"]["clienteling.ClientEmail"] == {
        "deleted": 1,
        "history_purged": 1,
    }
    assert ErasureJob.objects.filter(client=client, status="done").count() == 1
    assert len(settings.ERASURE_REPLAY_LOG.read_text().splitlines()) == 1
    assert not ClientEmail.objects.filter(client=client).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_job_delivered_twice_concurrently_does_the_work_once(
    settings, tmp_path, monkeypatch
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    compliance = UserFactory()
    client = _client_with_data()
    job = jobs.erasure_request(acting_user=UserFactory(), client=client)
    # Both deliveries come from the test, none from approval.
    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)
    jobs.erasure_approve(acting_user=compliance, job=job)
    barrier = threading.Barrier(2)
    outcomes = []

    def deliver():
        try:
            barrier.wait()
            outcomes.append(run_erasure(job)["outcome"])
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    job.refresh_from_db()
    # one delivery claims the job and does every step; the other steps aside
    assert sorted(outcomes) == ["done", "skipped"], outcomes
    assert not ErasureStep.objects.filter(job=job, done_at__isnull=True).exists()
    assert job.job.attempts == 1
    assert job.status == ErasureJob.Status.DONE
    assert job.receipt["steps"]["suppression"]["added"] == 1
    assert job.receipt["steps"]["clienteling.ClientEmail"] == {
        "deleted": 1,
        "history_purged": 1,
    }
    assert len(settings.ERASURE_REPLAY_LOG.read_text().splitlines()) == 1


@pytest.mark.django_db
def test_a_rerun_of_a_finished_job_changes_nothing(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    compliance = UserFactory(role=roles.COMPLIANCE)
    client = _client_with_data()
    job = jobs.erasure_request(acting_user=UserFactory(), client=client)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.erasure_approve(acting_user=compliance, job=job)  # in-process
    job.refresh_from_db()
    receipt = job.receipt

    again = run_erasure(job)

    job.refresh_from_db()
    assert again["outcome"] == "skipped"
    assert job.receipt == receipt


@pytest.mark.django_db
def test_erasure_requested_twice_finds_nothing_to_do(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    compliance = UserFactory(role=roles.COMPLIANCE)
    client = _client_with_data()
    job = jobs.erasure_request(acting_user=UserFactory(), client=client)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.erasure_approve(acting_user=compliance, job=job)
    client.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        jobs.erasure_request(acting_user=compliance, client=client)

    assert "Nothing to do" in refused.value.messages[0]
    assert ErasureJob.objects.filter(client=client).count() == 1


@pytest.mark.django_db
def test_a_second_request_while_one_is_open_is_refused():
    compliance = UserFactory(role=roles.COMPLIANCE)
    client = _client_with_data()
    first = jobs.erasure_request(acting_user=compliance, client=client)

    with pytest.raises(ValidationError, match=f"#{first.pk}"):
        jobs.erasure_request(acting_user=compliance, client=client)

    assert ErasureJob.objects.count() == 1


@pytest.fixture
def fake_hold():
    def provider(client_ids):
        return {
            cid: [
                holds.Hold(
                    kind="open complaint",
                    reference=f"orders.Complaint#{cid}",
                    categories=("identity", "contact"),
                )
            ]
            for cid in client_ids
        }

    holds.register_hold_provider(provider)
    yield provider
    holds.unregister_hold_provider(provider)


@pytest.mark.django_db
def test_erasure_under_a_hold_is_refused_with_the_holds_listed(fake_hold):
    compliance = UserFactory(role=roles.COMPLIANCE)
    client = _client_with_data()

    with pytest.raises(ValidationError) as refused:
        jobs.erasure_request(acting_user=compliance, client=client)

    assert refused.value.messages == [
        "Erasure refused: legal holds apply.",
        f"open complaint: Complaint #{client.pk}",
    ]
    assert not ErasureJob.objects.exists()
    assert ClientEmail.objects.filter(client=client).exists()


@pytest.mark.django_db
def test_partial_erasure_keeps_what_the_hold_needs_and_says_so(
    fake_hold, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    compliance = UserFactory(role=roles.COMPLIANCE)
    client = _client_with_data()
    client.birth_date = None
    client.title = "mrs"
    client.save()
    from clienteling.models import Collection, Interest

    Interest.objects.create(
        client=client, collection=Collection.objects.create(name="X")
    )

    job = jobs.erasure_request(
        acting_user=UserFactory(), client=client, allow_partial=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        jobs.erasure_approve(acting_user=compliance, job=job)

    job.refresh_from_db()
    client.refresh_from_db()
    assert job.status == ErasureJob.Status.DONE
    assert job.partial
    assert job.holds[0]["reference"] == f"orders.Complaint#{client.pk}"
    assert "Partly erased" in job.outcome
    assert ClientEmail.objects.filter(client=client).exists()  # contact: held
    assert not Interest.objects.filter(client=client).exists()  # preferences: not
    assert not client.client_number.startswith("ERASED-")  # identity: held
    assert job.receipt["steps"]["clienteling.ClientEmail"] == {"skipped_held": True}


@pytest.mark.django_db
def test_approval_needs_a_requested_job():
    compliance = UserFactory(role=roles.COMPLIANCE)
    job = jobs.erasure_request(acting_user=UserFactory(), client=_client_with_data())
    jobs.erasure_cancel(acting_user=compliance, job=job)

    with pytest.raises(ValidationError, match="already cancelled"):
        jobs.erasure_approve(acting_user=compliance, job=job)

    assert not ErasureStep.objects.filter(job=job).exists()
