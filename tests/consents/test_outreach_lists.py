"""Outreach lists: asked for on the page, built by the task (in-process
here; tests/consents/test_outreach_worker.py runs a real worker), then
downloaded under permission, scope and expiry."""

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consents import outreach, registry, selectors
from consents.models import OutreachList, Purpose
from consents.selectors import Reason
from core import jobs, roles
from core.jobs import files as job_files
from core.models import AccessLogEntry, Job
from privacy.erasure import engine
from tests.clienteling.factories import (
    BoutiqueFactory,
    UserFactory,
    adviser,
    compliance,
    customer_service,
)
from tests.consents.factories import ClientFactory, grant
from tests.consents.outreach_people import expected_rows, populate, read_csv

pytestmark = pytest.mark.django_db

PAGE = "admin:consents_outreach"
NEWSLETTERS_BY_EMAIL = {"purpose": registry.NEWSLETTERS, "channel": "email"}


def _ask(client, captured, data=NEWSLETTERS_BY_EMAIL):
    """POST the form; the task runs in-process when the request commits."""
    with captured(execute=True):
        return client.post(reverse(PAGE), data)


def _download_url(outreach_list):
    return reverse("admin:consents_outreach_download", args=[outreach_list.pk])


def _built(user, people=None, *, channel="email", boutique=None):
    """A list built in-process for `user` (service level)."""
    outreach_list = outreach.outreach_list_request(
        acting_user=user,
        purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
        channel=channel,
        boutique=boutique,
    )
    return outreach.outreach_list_build(list_id=outreach_list.pk)


# --- Asking for a list, and the build -----------------------------------------


def test_asking_builds_the_list_after_commit_with_rows_and_counts(
    client, django_capture_on_commit_callbacks
):
    # given an adviser's boutique with one client per outcome
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)
    client.force_login(user)
    # when the adviser asks for the newsletters by email
    response = _ask(client, django_capture_on_commit_callbacks)
    # then the page redirects and the list is built with the eligible rows
    assert response.status_code == 302
    outreach_list = OutreachList.objects.get()
    assert outreach_list.status == OutreachList.Status.DONE
    assert outreach_list.requested_by == user
    assert not outreach_list.whole_house
    assert outreach_list.scope_boutique_ids == [people.boutique.pk]
    assert read_csv(outreach_list) == [
        ["client number", "name", "email", "basis"],
        *expected_rows(people),
    ]
    assert outreach_list.eligible_count == 2
    assert outreach_list.soft_opt_in_count == 1
    assert outreach_list.excluded_by_reason == people.excluded
    assert outreach_list.excluded_count == 5
    assert outreach_list.progress_done == outreach_list.progress_total == 7
    assert outreach_list.expires_at == outreach_list.finished_at + timedelta(days=7)


def test_the_file_has_the_channel_address_and_nothing_else(settings):
    # given a consenting client with an email, a mobile and a landline
    people = populate(BoutiqueFactory())
    consenting = people.eligible[0]
    consenting.phones.create(number="+33199000002", kind="landline")
    grant(consenting, registry.EVENTS)
    user = adviser(people.boutique)
    # when a list is built for events by text message
    outreach_list = outreach.outreach_list_request(
        acting_user=user,
        purpose=Purpose.objects.get(code=registry.EVENTS),
        channel="sms",
    )
    outreach_list = outreach.outreach_list_build(list_id=outreach_list.pk)
    # then the row carries the mobile number, not the email or the landline
    assert read_csv(outreach_list) == [
        ["client number", "name", "mobile phone", "basis"],
        [consenting.client_number, consenting.full_name, "+33199000001", "consent"],
    ]


def test_a_list_for_the_boutique_channel_has_no_address_column():
    people = populate(BoutiqueFactory())

    outreach_list = _built(adviser(people.boutique), channel="boutique")

    rows = read_csv(outreach_list)
    assert rows[0] == ["client number", "name", "basis"]
    assert all(len(row) == 3 for row in rows)


def test_small_chunks_give_the_same_file_and_counts(monkeypatch):
    # given the same clients built once in one chunk
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)
    whole = _built(user)
    # when built again two clients at a time
    monkeypatch.setattr(outreach, "CHUNK_SIZE", 2)
    sizes = []
    eligibility = selectors.outreach_eligibility

    def counting(**kwargs):
        sizes.append(len(kwargs["client_ids"]))
        return eligibility(**kwargs)

    monkeypatch.setattr(selectors, "outreach_eligibility", counting)
    chunked = _built(user)
    # then the rows and counts are the same, and no chunk held more than two
    assert read_csv(chunked) == read_csv(whole)
    assert chunked.excluded_by_reason == whole.excluded_by_reason
    assert chunked.eligible_count == whole.eligible_count == 2
    assert max(sizes) <= 2
    assert len(sizes) == 4  # seven clients


def test_an_advisers_list_has_only_their_boutiques_clients():
    mine = populate(BoutiqueFactory())
    theirs = populate(BoutiqueFactory(), prefix="Other")

    outreach_list = _built(adviser(mine.boutique))

    assert read_csv(outreach_list)[1:] == expected_rows(mine)
    assert theirs.eligible[0].client_number not in str(read_csv(outreach_list))
    assert outreach_list.progress_total == 7


def test_a_managers_list_for_one_boutique_has_only_that_boutiques_clients():
    first = populate(BoutiqueFactory())
    second = populate(BoutiqueFactory(), prefix="Second")
    manager = UserFactory(
        role=roles.MANAGER, boutiques=[first.boutique, second.boutique]
    )

    both = _built(manager)
    one = _built(manager, boutique=second.boutique)

    assert both.eligible_count == 4
    assert read_csv(one)[1:] == expected_rows(second)


def test_a_name_that_a_spreadsheet_would_run_is_neutralised():
    boutique = BoutiqueFactory()
    sly = ClientFactory(
        home_boutique=boutique, first_name='=HYPERLINK("http://x")', last_name="A"
    )
    sly.emails.create(address="sly@example.com", is_primary=True)
    grant(sly, registry.NEWSLETTERS)

    outreach_list = _built(adviser(boutique))

    assert read_csv(outreach_list)[1][1] == '\'=HYPERLINK("http://x") A'


# --- Bad input: form errors, nothing enqueued -----------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"purpose": "no_such_purpose", "channel": "email"}, "purpose"),
        # A contract purpose cannot be used for outreach (as before).
        ({"purpose": "my_account", "channel": "email"}, "purpose"),
        # Nor a purpose that is not marketing.
        ({"purpose": "fraud_counterfeiting", "channel": "email"}, "purpose"),
        ({"purpose": "allergy_aware_service", "channel": "email"}, "purpose"),
        ({"purpose": "customer_relations", "channel": "email"}, "purpose"),
        ({"purpose": registry.NEWSLETTERS, "channel": "pigeon"}, "channel"),
        ({"channel": "email"}, "purpose"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_enqueued(
    client, django_capture_on_commit_callbacks, data, field
):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))

    with (
        mock.patch("consents.tasks.build_outreach_list.delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(reverse(PAGE), data)

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    errors = str(response.context["form"].errors)
    assert (
        "Select a valid choice" in errors
        or "required" in errors
        or "is not a marketing purpose" in errors
    )
    assert not OutreachList.objects.exists()
    assert callbacks == []
    delay.assert_not_called()


def test_a_boutique_outside_the_advisers_scope_is_refused(
    client, django_capture_on_commit_callbacks
):
    mine, theirs = BoutiqueFactory(), BoutiqueFactory()
    client.force_login(adviser(mine))

    with (
        mock.patch("consents.tasks.build_outreach_list.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse(PAGE), {**NEWSLETTERS_BY_EMAIL, "boutique": theirs.pk}
        )

    assert response.status_code == 400
    assert "boutique" in response.context["form"].errors
    assert not OutreachList.objects.exists()
    delay.assert_not_called()


def test_the_service_refuses_what_the_form_would_not_offer():
    mine, theirs = BoutiqueFactory(), BoutiqueFactory()
    user = adviser(mine)
    contract = Purpose.objects.get(code="my_account")

    with pytest.raises(ValidationError) as refused:
        outreach.outreach_list_request(
            acting_user=user, purpose=contract, channel="pigeon", boutique=theirs
        )

    assert set(refused.value.message_dict) == {"purpose", "channel", "boutique"}
    assert not OutreachList.objects.exists()


def test_the_page_and_asking_need_the_permission(client):
    client.force_login(customer_service())

    page = client.get(reverse(PAGE))
    asked = client.post(reverse(PAGE), NEWSLETTERS_BY_EMAIL)

    assert page.status_code == asked.status_code == 403
    assert not OutreachList.objects.exists()


# --- The page -------------------------------------------------------------------


def test_the_page_lists_the_users_lists_with_status_and_download_link(client):
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)
    ready = _built(user)
    queued = OutreachList.objects.create(
        requested_by=user,
        purpose=Purpose.objects.get(code=registry.EVENTS),
        channel="post",
        scope_boutique_ids=[people.boutique.pk],
        created_at=timezone.now(),
    )
    someone_elses = _built(adviser(people.boutique))
    client.force_login(user)

    response = client.get(reverse(PAGE))

    assert response.status_code == 200
    assert f'id="outreach-list-{ready.pk}"' in response.text
    assert f'id="outreach-list-{queued.pk}"' in response.text
    assert f'id="outreach-list-{someone_elses.pk}"' not in response.text
    assert _download_url(ready) in response.text
    assert _download_url(queued) not in response.text
    assert f"{Reason.SUPPRESSED}: 2" in response.text
    # a list still to build keeps the page refreshing
    assert 'http-equiv="refresh"' in response.text


def test_the_page_does_not_refresh_when_nothing_builds(client):
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)
    _built(user)
    client.force_login(user)

    response = client.get(reverse(PAGE))

    assert 'http-equiv="refresh"' not in response.text


# --- Download -------------------------------------------------------------------


def test_the_requester_downloads_the_csv_and_the_export_is_logged(client):
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)
    outreach_list = _built(user)
    client.force_login(user)

    response = client.get(_download_url(outreach_list))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content).decode()
    assert people.eligible[0].client_number in body
    entry = AccessLogEntry.objects.get(action="export")
    assert entry.user == user
    assert entry.object_type == "consents.outreachlist"
    assert entry.object_id == str(outreach_list.pk)
    assert entry.count == 2


def test_another_adviser_of_the_same_boutique_gets_a_404_and_it_is_logged(client):
    people = populate(BoutiqueFactory())
    outreach_list = _built(adviser(people.boutique))
    colleague = adviser(people.boutique)
    client.force_login(colleague)

    response = client.get(_download_url(outreach_list))

    assert response.status_code == 404
    assert not AccessLogEntry.objects.filter(action="export").exists()
    assert AccessLogEntry.objects.filter(
        action="denied", user=colleague, object_id=str(outreach_list.pk)
    ).exists()


def test_compliance_downloads_any_list(client):
    people = populate(BoutiqueFactory())
    outreach_list = _built(adviser(people.boutique))
    officer = compliance()
    client.force_login(officer)

    response = client.get(_download_url(outreach_list))

    assert response.status_code == 200
    assert AccessLogEntry.objects.filter(action="export", user=officer).exists()


def test_the_any_list_permission_without_every_boutique_opens_only_own_lists(
    client,
):
    # given an adviser of the same boutique also granted the compliance
    # permission, but not the sight of every boutique's clients
    people = populate(BoutiqueFactory())
    outreach_list = _built(adviser(people.boutique))
    odd = adviser(people.boutique)
    odd.user_permissions.add(
        Permission.objects.get(codename="download_any_outreach_list")
    )
    client.force_login(odd)

    response = client.get(_download_url(outreach_list))

    assert response.status_code == 404
    assert not AccessLogEntry.objects.filter(action="export").exists()


def test_staff_without_either_permission_get_a_403(client):
    people = populate(BoutiqueFactory())
    outreach_list = _built(adviser(people.boutique))
    client.force_login(customer_service())

    response = client.get(_download_url(outreach_list))

    assert response.status_code == 403


def test_download_is_refused_after_expiry_with_a_clear_message(client):
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)
    outreach_list = _built(user)
    # the download window is the job's result expiry
    Job.objects.filter(pk=outreach_list.job_id).update(
        result_expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(user)

    response = client.get(_download_url(outreach_list))

    assert response.status_code == 302
    assert response["Location"] == reverse(PAGE)
    message = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "This list expired on" in message
    assert "build a new one" in message
    assert not AccessLogEntry.objects.filter(action="export").exists()


def test_the_expiry_follows_the_setting(settings):
    settings.OUTREACH_LIST_DOWNLOAD_DAYS = 2
    people = populate(BoutiqueFactory())

    outreach_list = _built(adviser(people.boutique))

    assert outreach_list.expires_at - outreach_list.finished_at == timedelta(days=2)


def test_a_requester_who_left_the_boutique_can_no_longer_download(client):
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)
    outreach_list = _built(user)
    user.boutiques.set([BoutiqueFactory()])
    client.force_login(user)

    response = client.get(_download_url(outreach_list))

    assert response.status_code == 302
    message = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "boutiques you no longer work in" in message
    assert not AccessLogEntry.objects.filter(action="export").exists()


# --- Re-checks when the job runs, idempotence, the sweep ---------------------------


@pytest.fixture
def _registry_after_flush(transactional_db, monkeypatch):
    """A refused job records its failure outside the caller's transaction:
    these tests commit, so the registry and roles are synced again."""
    from consents.registry import sync_registry
    from core.jobs import engine
    from core.roles import sync_roles

    sync_registry()
    sync_roles()
    # the job waits for the in-process run below (no worker takes it)
    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)


@pytest.mark.usefixtures("_registry_after_flush")
def test_a_requester_who_lost_the_permission_before_the_run_gets_a_failed_list():
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)
    outreach_list = outreach.outreach_list_request(
        acting_user=user,
        purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
        channel="email",
    )
    user.groups.clear()
    user = type(user).objects.get(pk=user.pk)  # no cached permissions

    outreach_list = outreach.outreach_list_build(list_id=outreach_list.pk)

    assert outreach_list.status == OutreachList.Status.FAILED
    assert outreach_list.error == outreach.NO_PERMISSION
    assert outreach_list.file_name == ""
    assert list(outreach.storage_dir().iterdir()) == []


@pytest.mark.usefixtures("_registry_after_flush")
def test_a_requester_moved_to_another_boutique_before_the_run_gets_a_failed_list():
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)
    outreach_list = outreach.outreach_list_request(
        acting_user=user,
        purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
        channel="email",
    )
    user.boutiques.set([BoutiqueFactory()])

    outreach_list = outreach.outreach_list_build(list_id=outreach_list.pk)

    assert outreach_list.status == OutreachList.Status.FAILED
    assert outreach_list.error == outreach.SCOPE_CHANGED
    assert list(outreach.storage_dir().iterdir()) == []


def test_running_a_done_list_again_changes_nothing():
    people = populate(BoutiqueFactory())
    outreach_list = _built(adviser(people.boutique))
    before = OutreachList.objects.values().get(pk=outreach_list.pk)
    files = sorted(outreach.storage_dir().iterdir())

    again = outreach.outreach_list_build(list_id=outreach_list.pk)

    assert OutreachList.objects.values().get(pk=again.pk) == before
    assert sorted(outreach.storage_dir().iterdir()) == files


def test_a_redelivery_while_a_live_build_holds_the_list_changes_nothing():
    people = populate(BoutiqueFactory())
    outreach_list = outreach.outreach_list_request(
        acting_user=adviser(people.boutique),
        purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
        channel="email",
    )
    # its job held by a live worker (a lease not run out)
    Job.objects.filter(pk=outreach_list.job_id).update(
        status="running",
        attempts=1,
        lease_token=uuid.uuid4(),
        lease_until=timezone.now() + timedelta(minutes=1),
    )
    before = OutreachList.objects.values().get(pk=outreach_list.pk)
    job_before = Job.objects.values().get(pk=outreach_list.job_id)

    outreach.outreach_list_build(list_id=outreach_list.pk)

    assert OutreachList.objects.values().get(pk=outreach_list.pk) == before
    assert Job.objects.values().get(pk=outreach_list.job_id) == job_before
    assert list(outreach.storage_dir().iterdir()) == []


def test_a_list_whose_worker_died_is_taken_over_and_its_partial_file_swept(
    django_capture_on_commit_callbacks,
):
    # given a list left building by a killed worker (its job's lease ran
    # out), with its partial file
    people = populate(BoutiqueFactory())
    outreach_list = outreach.outreach_list_request(
        acting_user=adviser(people.boutique),
        purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
        channel="email",
    )
    dead = uuid.uuid4()
    Job.objects.filter(pk=outreach_list.job_id).update(
        status="running",
        attempts=1,
        lease_token=dead,
        lease_until=timezone.now() - timedelta(minutes=1),
        progress_done=2,
        progress_total=7,
    )
    left = job_files.partial_path(outreach_list.job_id, dead, outreach.RESULT_NAME)
    left.write_text("client number,name\n")
    # when the jobs sweeper runs (it sends the job again, built in-process)
    with django_capture_on_commit_callbacks(execute=True):
        result = jobs.sweep()
    # then the list is rebuilt whole and the dead build's file is gone
    outreach_list = OutreachList.objects.get(pk=outreach_list.pk)
    assert result["resumed"] == [outreach_list.job_id]
    assert result["partial_files_removed"] == 1
    assert outreach_list.status == OutreachList.Status.DONE
    assert outreach_list.attempt == 2
    assert read_csv(outreach_list)[1:] == expected_rows(people)
    assert not left.exists()


def test_a_live_builds_partial_file_is_left_alone():
    people = populate(BoutiqueFactory())
    outreach_list = outreach.outreach_list_request(
        acting_user=adviser(people.boutique),
        purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
        channel="email",
    )
    live_token = uuid.uuid4()
    Job.objects.filter(pk=outreach_list.job_id).update(
        status="running",
        attempts=3,
        lease_token=live_token,
        lease_until=timezone.now() + timedelta(minutes=1),
    )
    live = job_files.partial_path(
        outreach_list.job_id, live_token, outreach.RESULT_NAME
    )
    live.write_text("client number,name\n")

    removed = jobs.sweep()["partial_files_removed"]

    assert removed == 0
    assert live.exists()


def test_the_sweep_deletes_expired_files_and_marks_the_lists(
    django_capture_on_commit_callbacks,
):
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)
    old, fresh = _built(user), _built(user)
    Job.objects.filter(pk=old.job_id).update(
        result_expires_at=timezone.now() - timedelta(seconds=1)
    )
    old_file = outreach.storage_dir() / old.file_name

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = jobs.sweep()

    old = OutreachList.objects.get(pk=old.pk)
    fresh = OutreachList.objects.get(pk=fresh.pk)
    assert result["results_expired"] == 1
    assert old.status == OutreachList.Status.EXPIRED
    assert not old_file.exists()
    assert fresh.status == OutreachList.Status.DONE
    assert (outreach.storage_dir() / fresh.file_name).exists()
    assert callbacks == []  # nothing sent to a worker


def test_an_expired_list_on_the_page_says_so_without_a_link(client):
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)
    outreach_list = _built(user)
    Job.objects.filter(pk=outreach_list.job_id).update(
        result_expires_at=timezone.now() - timedelta(seconds=1)
    )
    jobs.sweep()
    client.force_login(user)

    response = client.get(reverse(PAGE))
    download = client.get(_download_url(outreach_list))

    assert "Expired on" in response.text
    assert _download_url(outreach_list) not in response.text
    assert download.status_code == 302


def test_the_lists_own_sweep_is_unscheduled_the_jobs_sweeper_does_its_work():
    from django_celery_beat.models import PeriodicTask

    assert not PeriodicTask.objects.filter(
        task="consents.sweep_outreach_lists"
    ).exists()
    assert PeriodicTask.objects.get(name="core.jobs.sweep").enabled


# --- Admin ------------------------------------------------------------------------


def test_compliance_reads_every_list_in_the_admin_with_download_links(client):
    people = populate(BoutiqueFactory())
    outreach_list = _built(adviser(people.boutique))
    client.force_login(compliance())

    changelist = client.get(reverse("admin:consents_outreachlist_changelist"))
    change = client.get(
        reverse("admin:consents_outreachlist_change", args=[outreach_list.pk])
    )

    assert changelist.status_code == change.status_code == 200
    assert _download_url(outreach_list) in changelist.text
    assert f"{Reason.SUPPRESSED}: 2" in change.text


def test_advisers_have_no_admin_list_of_outreach_lists(client):
    client.force_login(adviser(BoutiqueFactory()))

    response = client.get(reverse("admin:consents_outreachlist_changelist"))

    assert response.status_code == 403


def test_the_admin_is_read_only_even_for_superusers(admin_client):
    response = admin_client.get(reverse("admin:consents_outreachlist_add"))

    assert response.status_code == 403


# --- Erasure of a client on a ready list ------------------------------------------


def test_erasing_a_client_withdraws_the_lists_naming_them(settings, tmp_path):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    paris, london = populate(BoutiqueFactory()), populate(BoutiqueFactory(), "L")
    naming = _built(adviser(paris.boutique))
    other = _built(adviser(london.boutique))
    gone = paris.eligible[0]
    assert any(row[0] == gone.client_number for row in read_csv(naming))

    counts = engine.erase_clients(client_ids=[gone.pk])

    assert counts["storage"]["outreach_lists_files"] == 1
    naming.refresh_from_db()
    other.refresh_from_db()
    assert naming.status == OutreachList.Status.EXPIRED
    assert naming.error == outreach.ERASED_CLIENT_ON_LIST
    assert not (outreach.storage_dir() / naming.file_name).exists()
    assert other.status == OutreachList.Status.DONE
    assert (outreach.storage_dir() / other.file_name).exists()
    with pytest.raises(ValidationError, match="a client on this list was erased"):
        outreach.outreach_list_open_for_download(
            acting_user=naming.requested_by, outreach_list=naming
        )


@pytest.mark.parametrize(
    "code",
    ["fraud_counterfeiting", "allergy_aware_service", "customer_relations"],
)
def test_the_service_refuses_a_purpose_that_is_not_outreach_naming_it(code):
    user = adviser(BoutiqueFactory())
    purpose = Purpose.objects.get(code=code)

    with pytest.raises(ValidationError) as refused:
        outreach.outreach_list_request(
            acting_user=user, purpose=purpose, channel="email"
        )

    message = refused.value.message_dict["purpose"][0]
    assert f"“{purpose.name}” is not a marketing purpose" in message
    assert "Newsletters, invitations and news" in message
    assert not OutreachList.objects.exists()


def test_the_form_offers_only_the_registrys_outreach_purposes(client):
    client.force_login(adviser(BoutiqueFactory()))

    response = client.get(reverse(PAGE))

    offered = {p.code for p in response.context["form"].fields["purpose"].queryset}
    assert offered == set(registry.OUTREACH_PURPOSE_CODES)
    assert offered == {registry.NEWSLETTERS, registry.EVENTS}
    assert "Fighting fraud" not in response.content.decode()
    assert "Allergy-aware service" not in response.content.decode()


def test_fighting_fraud_posted_gets_a_clear_error_and_nothing_is_written(client):
    client.force_login(adviser(BoutiqueFactory()))

    response = client.post(
        reverse(PAGE), {"purpose": "fraud_counterfeiting", "channel": "email"}
    )

    assert response.status_code == 400
    assert (
        "“Fighting fraud and counterfeiting” is not a marketing purpose"
        in response.content.decode()
    )
    assert not OutreachList.objects.exists()


def test_the_download_of_a_list_erasure_withdrew_answers_404(
    client, settings, tmp_path
):
    # given a ready list naming a client, and its requester signed in
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    paris = populate(BoutiqueFactory())
    naming = _built(adviser(paris.boutique))
    client.force_login(naming.requested_by)
    assert client.get(_download_url(naming)).status_code == 200

    # when the client is erased
    engine.erase_clients(client_ids=[paris.eligible[0].pk])

    # then the download is not found (not a 500, not the file)
    response = client.get(_download_url(naming))
    assert response.status_code == 404
    assert not (outreach.storage_dir() / naming.file_name).exists()
