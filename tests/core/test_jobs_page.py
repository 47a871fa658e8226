"""The Jobs page: my jobs, everyone's for compliance, stop and start again,
and the header notice when one of mine ends."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core import jobs
from core.jobs import engine
from core.models import Job
from tests.clienteling.factories import adviser, compliance, customer_service
from tests.core import kinds  # noqa: F401 (registers tests.count)

pytestmark = pytest.mark.django_db

LIST = reverse("admin:core_job_changelist")


def a_job(owner, *, status=Job.Status.QUEUED, label="Counting to 3", **extra) -> Job:
    return Job.objects.create(
        kind="tests.count",
        label=label,
        params={"n": 3},
        owner=owner,
        status=status,
        created_at=timezone.now(),
        enqueued_at=timezone.now(),
        **extra,
    )


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)


@pytest.mark.parametrize("role", [adviser, customer_service])
def test_staff_see_their_own_jobs_only(client, role):
    me, someone = role(), adviser()
    a_job(me, label="Counting mine")
    a_job(someone, label="Counting theirs")
    client.force_login(me)
    page = client.get(LIST).content.decode()
    assert "Counting mine" in page
    assert "Counting theirs" not in page
    theirs = Job.objects.get(label="Counting theirs")
    assert client.get(
        reverse("admin:core_job_change", args=[theirs.pk])
    ).status_code in (
        302,
        404,
    )


def test_compliance_sees_everyones_jobs_and_can_narrow_to_their_own(client):
    officer = compliance()
    a_job(adviser(), label="Counting an advisers")
    a_job(officer, label="Counting the officers")
    client.force_login(officer)
    page = client.get(LIST).content.decode()
    assert "Counting an advisers" in page
    assert "Counting the officers" in page
    mine = client.get(LIST, {"whose": "mine"}).content.decode()
    assert "Counting an advisers" not in mine


def test_a_running_job_shows_its_progress_in_staff_words(client):
    me = adviser()
    a_job(
        me,
        status=Job.Status.RUNNING,
        progress_done=1,
        progress_total=4,
        progress_label="Counted 1 of 4",
    )
    client.force_login(me)
    page = client.get(LIST).content.decode()
    assert '<progress max="100" value="25">' in page
    assert "Counted 1 of 4" in page
    assert "tests.count" not in page


def test_stopping_asks_first_then_stops(client):
    me = adviser()
    job = a_job(me)
    client.force_login(me)
    url = reverse("admin:core_job_stop", args=[job.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Stop Counting to 3?" in page.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # the question changed nothing
    assert client.post(url).status_code == 200  # no confirmation: asks again
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.cancelled_by) == (Job.Status.CANCELLED, me)


def test_someone_elses_job_cannot_be_stopped(client):
    job = a_job(adviser())
    client.force_login(adviser())
    response = client.post(
        reverse("admin:core_job_stop", args=[job.pk]), {"confirm": "yes"}
    )
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED


def test_a_failed_job_is_started_again_from_its_page(client):
    me = adviser()
    job = a_job(me, status=Job.Status.FAILED, error="Nothing to count.", attempts=3)
    client.force_login(me)
    detail = client.get(
        reverse("admin:core_job_change", args=[job.pk])
    ).content.decode()
    assert "Start again" in detail
    assert "Nothing to count." in detail
    assert "3 of 3" in detail
    client.post(reverse("admin:core_job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.QUEUED, 0)


def test_a_done_job_cannot_be_started_again(client):
    me = adviser()
    job = a_job(me, status=Job.Status.DONE)
    client.force_login(me)
    response = client.post(reverse("admin:core_job_retry", args=[job.pk]), follow=True)
    assert (
        "Only a failed or cancelled job can be started again"
        in response.content.decode()
    )
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


def test_the_header_says_when_one_of_my_jobs_ended_until_i_look(client):
    me = adviser()
    a_job(
        me, status=Job.Status.DONE, label="Outreach list 12", finished_at=timezone.now()
    )
    client.force_login(me)
    home = client.get(reverse("admin:index")).content.decode()
    assert "Outreach list 12 is done." in home
    assert "See your jobs" in home
    client.get(LIST)
    assert "See your jobs" not in client.get(reverse("admin:index")).content.decode()


def test_two_ended_jobs_are_summed_up_with_the_failures(client):
    me = adviser()
    a_job(me, status=Job.Status.DONE, finished_at=timezone.now())
    a_job(me, status=Job.Status.FAILED, finished_at=timezone.now())
    client.force_login(me)
    home = client.get(reverse("admin:index")).content.decode()
    assert "2 of your jobs have ended, 1 of them failed." in home


def test_the_engine_cancel_is_what_the_page_uses():
    me = adviser()
    job = jobs.cancel(acting_user=me, job=a_job(me))
    assert job.status == Job.Status.CANCELLED
