"""The confirmation pages of erasure and retention: a GET changes nothing,
a POST without the typed phrase (or with a wrong one) changes nothing, and
the right phrase does the work. The pages name the clients and the counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Client
from core import roles
from privacy import holds
from privacy.erasure import jobs
from privacy.models import (
    Approval,
    ErasureJob,
    ErasureStep,
    RetentionRule,
    RetentionRun,
)
from tests.clienteling.factories import ClientFactory, EmailFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def compliance():
    return UserFactory(role=roles.COMPLIANCE)


@pytest.fixture
def job(compliance):
    client = ClientFactory(first_name="Ada", last_name="Exemple")
    EmailFactory(client=client)
    return jobs.erasure_request(
        acting_user=UserFactory(role=roles.COMPLIANCE), client=client
    )


def _inactive(first_name: str, last_name: str) -> Client:
    """A client past the inactivity period whatever its anchor: created and
    last heard from four years ago, with nothing since."""
    client = ClientFactory(first_name=first_name, last_name=last_name)
    long_ago = timezone.now() - timedelta(days=4 * 365)
    Client.objects.filter(pk=client.pk).update(
        created_at=long_ago, last_client_initiated_contact_at=long_ago
    )
    client.refresh_from_db()
    return client


def _tombstones() -> int:
    return Client.objects.erased().count()


# --- Erasure ------------------------------------------------------------------------


def test_erasure_page_asks_for_the_client_number_and_a_get_changes_nothing(
    client, compliance, job
):
    client.force_login(compliance)

    response = client.get(reverse("admin:privacy_erasurejob_approve", args=[job.pk]))

    assert response.status_code == 200
    assert "To confirm, type <strong" in response.text
    assert job.client.client_number in response.text
    assert 'name="typed_confirmation"' in response.text
    job.refresh_from_db()
    assert job.status == ErasureJob.Status.REQUESTED
    assert ErasureStep.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"confirm": "yes"}, "Type {number} in the box to confirm."),
        ({"confirm": "yes", "typed_confirmation": "C-0000"}, "is not {number}."),
        # The client number of someone else is as wrong as a typo.
        ({"confirm": "yes", "typed_confirmation": "other"}, "is not {number}."),
        # The right number posted by anything but the page's button.
        ({"typed_confirmation": "{number}"}, "Use the button on this page"),
    ],
)
def test_erasure_without_the_right_client_number_erases_nothing(  # noqa: PLR0917
    client, compliance, job, data, message, django_capture_on_commit_callbacks
):
    number = job.client.client_number
    data = {key: value.format(number=number) for key, value in data.items()}
    client.force_login(compliance)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("admin:privacy_erasurejob_approve", args=[job.pk]), data
        )

    assert response.status_code == 200
    assert message.format(number=number) in response.text
    assert "Nothing was changed." in response.text
    job.refresh_from_db()
    assert job.status == ErasureJob.Status.REQUESTED
    assert job.approved_at is None
    assert not callbacks  # no task enqueued
    assert ErasureStep.objects.count() == 0
    assert _tombstones() == 0


def test_erasure_with_the_client_number_erases_the_client(  # noqa: PLR0917
    client, compliance, job, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    client.force_login(compliance)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:privacy_erasurejob_approve", args=[job.pk]),
            # Case and spaces are forgiven: the number is what counts.
            {
                "confirm": "yes",
                "typed_confirmation": f"  {job.client.client_number.lower()} ",
            },
        )

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ErasureJob.Status.DONE
    assert Client.objects.get(pk=job.client_id).client_number.startswith("ERASED-")


# --- Retention -------------------------------------------------------------------


def test_retention_confirmation_names_who_would_be_erased_by_rule(client, compliance):
    ada, bob = _inactive("Ada", "Ancienne"), _inactive("Bob", "Dormant")
    recent = ClientFactory(first_name="Chloé", last_name="Récente")
    client.force_login(compliance)
    clients_before, runs_before = (
        Client.objects.live().count(),
        RetentionRun.objects.count(),
    )

    response = client.get(reverse("admin:privacy_retentionrun_run"))

    page = response.text
    assert response.status_code == 200
    assert "ERASE 2 CLIENTS" in page
    assert "This erases 2 clients" in page
    assert "Prospects and inactive clients" in page
    assert "2 clients are past the period" in page
    for person in (ada, bob):
        assert f"<td>{person.first_name} {person.last_name}</td>" in page
        assert f"<td>{person.client_number}</td>" in page
    assert recent.client_number not in page
    # staff read words, not the handlers' count keys
    assert "clients_erased" not in page
    # a GET erases nothing and starts nothing
    assert Client.objects.live().count() == clients_before
    assert RetentionRun.objects.count() == runs_before


def test_retention_confirmation_marks_held_clients_and_leaves_them_out_of_the_count(
    client, compliance
):
    held, free = _inactive("Hélène", "Tenue"), _inactive("Félix", "Libre")

    def provider(ids):
        return (
            {held.pk: [holds.Hold(kind="invoice", reference="x")]}
            if held.pk in ids
            else {}
        )

    holds.register_hold_provider(provider)
    client.force_login(compliance)
    try:
        page = client.get(reverse("admin:privacy_retentionrun_run")).text
    finally:
        holds.unregister_hold_provider(provider)

    assert "ERASE 1 CLIENT<" in page
    assert "1 of them are under a legal hold and kept." in page
    row = page[page.index(held.client_number) :]
    assert row[: row.index("</tr>")].endswith("Kept: under a legal hold</td>")
    row = page[page.index(free.client_number) :]
    assert row[: row.index("</tr>")].endswith("Erased</td>")


@pytest.mark.parametrize(
    "data",
    [
        {"confirm": "yes"},
        {"confirm": "yes", "typed_confirmation": "ERASE 3 CLIENTS"},
        {"confirm": "yes", "typed_confirmation": "yes"},
        {"typed_confirmation": "ERASE 2 CLIENTS"},
    ],
)
def test_retention_without_the_right_phrase_erases_no_one(
    client, compliance, data, django_capture_on_commit_callbacks
):
    _inactive("Ada", "Ancienne"), _inactive("Bob", "Dormant")
    client.force_login(compliance)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("admin:privacy_retentionrun_run"), data)

    assert response.status_code == 200
    assert "Nothing was changed." in response.text
    assert not callbacks
    assert not RetentionRun.objects.exists()
    assert _tombstones() == 0


def test_retention_refuses_a_phrase_that_was_right_before_more_clients_became_due(
    client, compliance
):
    _inactive("Ada", "Ancienne")
    client.force_login(compliance)
    assert (
        "ERASE 1 CLIENT<" in client.get(reverse("admin:privacy_retentionrun_run")).text
    )
    _inactive("Bob", "Dormant")

    response = client.post(
        reverse("admin:privacy_retentionrun_run"),
        {"confirm": "yes", "typed_confirmation": "ERASE 1 CLIENT"},
    )

    assert "is not ERASE 2 CLIENTS" in response.text
    assert "check it again" in response.text
    assert not RetentionRun.objects.exists()
    assert _tombstones() == 0


def test_retention_with_the_right_phrase_erases_the_clients_named(
    client, compliance, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    ada, bob = _inactive("Ada", "Ancienne"), _inactive("Bob", "Dormant")
    recent = ClientFactory()
    client.force_login(compliance)
    asked = client.post(
        reverse("admin:privacy_retentionrun_run"),
        {"confirm": "yes", "typed_confirmation": "erase 2 clients"},
    )
    # Four eyes: the request starts nothing until a second officer approves.
    approval = Approval.objects.get()
    assert asked.url == reverse("admin:privacy_approval_change", args=[approval.pk])
    assert not RetentionRun.objects.exists()
    assert _tombstones() == 0
    client.force_login(UserFactory(role=roles.COMPLIANCE))

    approve = reverse("admin:privacy_approval_approve", args=[approval.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            approve, {"confirm": "yes", "typed_confirmation": "erase 2 clients"}
        )

    run = RetentionRun.objects.get()
    assert Approval.objects.get().retention_run == run
    assert response.status_code == 302
    assert response.url == reverse("admin:privacy_retentionrun_report", args=[run.pk])
    assert not run.dry_run
    assert run.status == RetentionRun.Status.DONE
    assert run.counts["inactive_clients"]["clients_erased"] == 2
    assert set(Client.objects.erased().values_list("pk", flat=True)) == {
        ada.pk,
        bob.pk,
    }
    assert not Client.objects.get(pk=recent.pk).client_number.startswith("ERASED-")
    report = client.get(response.url).text
    assert "2 clients erased" in report
    assert "clients_erased" not in report


def test_a_real_run_cannot_start_from_the_dry_run_button(client, compliance):
    _inactive("Ada", "Ancienne")
    client.force_login(compliance)

    response = client.post(
        reverse("admin:privacy_retentionrun_start"), {"dry_run": "0"}
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:privacy_retentionrun_run")
    assert not RetentionRun.objects.exists()
    assert _tombstones() == 0


def test_the_dry_run_report_lists_who_would_be_erased_in_words(
    client, compliance, django_capture_on_commit_callbacks
):
    ada, bob = _inactive("Ada", "Ancienne"), _inactive("Bob", "Dormant")
    client.force_login(compliance)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:privacy_retentionrun_start"), {"dry_run": "1"}
        )
    report = client.get(response.url).text

    assert "2 clients would be erased" in report
    assert "0 clients would be kept under a legal hold" in report
    for person in (ada, bob):
        assert f"<td>{person.first_name} {person.last_name}</td>" in report
        assert f"<td>{person.client_number}</td>" in report
    for key in ("clients_erased", "clients_held", "rows_deleted", "history_purged"):
        assert key not in report
    assert _tombstones() == 0


def test_the_due_list_is_paginated(client, compliance, monkeypatch):
    from privacy import retention_preview

    monkeypatch.setattr(retention_preview, "PAGE_SIZE", 2)
    people = [_inactive("Client", f"Number{i}") for i in range(5)]
    client.force_login(compliance)
    url = reverse("admin:privacy_retentionrun_run")

    first = client.get(url).text
    last = client.get(url, {"page": 3}).text

    assert "ERASE 5 CLIENTS" in first
    assert "page 1 of 3, 2 shown" in first
    shown_first = [p for p in people if p.client_number in first]
    shown_last = [p for p in people if p.client_number in last]
    assert len(shown_first) == 2
    assert len(shown_last) == 1
    assert 'href="?page=2"' in first


def test_only_retention_runners_reach_the_run_page(client):
    client.force_login(UserFactory(role=roles.ADVISER))

    assert client.get(reverse("admin:privacy_retentionrun_run")).status_code == 403


def test_inactive_rule_off_means_no_client_to_erase(client, compliance):
    _inactive("Ada", "Ancienne")
    RetentionRule.objects.filter(code="inactive_clients").update(is_active=False)
    client.force_login(compliance)

    page = client.get(reverse("admin:privacy_retentionrun_run")).text

    assert "ERASE 0 CLIENTS" in page
