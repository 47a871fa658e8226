"""An erasure request (Art. 17) is completed only once an erasure linked to
it (ErasureJob.request) is done; an erasure started from a request is
linked to it, and only to the client's own verified, open erasure request
(decision 0021)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from privacy import requests as dsr
from privacy.erasure import jobs as erasure_jobs
from privacy.models import DataSubjectRequest, ErasureJob
from tests.clienteling.factories import ClientFactory, compliance
from tests.privacy.factories import DataSubjectRequestFactory, verified_erasure_request

pytestmark = pytest.mark.django_db

Status = DataSubjectRequest.Status
Done = ErasureJob.Status


@pytest.fixture
def officer():
    return compliance()


@pytest.fixture
def asked(officer):
    return verified_erasure_request(ClientFactory(), officer=officer)


def _job(asked, officer, status=None, *, partial=False):
    """An erasure started from the request; brought to `status` directly
    (the completion rule reads the status and partial flag only)."""
    job = erasure_jobs.erasure_request(
        acting_user=officer, client=asked.client, request=asked, allow_partial=True
    )
    if status is not None:
        ErasureJob.objects.filter(pk=job.pk).update(status=status, partial=partial)
        job.refresh_from_db()
    return job


def _refused_completion(asked, officer, match, outcome=""):
    versions = asked.history.count()
    with pytest.raises(ValidationError, match=match):
        dsr.request_close(
            acting_user=officer, request=asked, status=Status.COMPLETED, outcome=outcome
        )
    asked.refresh_from_db()
    assert (asked.status, asked.closed_at) == (Status.IN_PROGRESS, None)
    assert asked.history.count() == versions


def test_starting_an_erasure_from_a_request_links_it(asked, officer):
    job = _job(asked, officer)
    assert job.request == asked
    assert list(asked.erasures.all()) == [job]


def test_without_an_erasure_the_request_cannot_be_completed(asked, officer):
    _refused_completion(asked, officer, "Start the erasure of this client")


def test_an_erasure_of_the_client_not_linked_to_the_request_does_not_count(
    asked, officer
):
    job = erasure_jobs.erasure_request(acting_user=officer, client=asked.client)
    ErasureJob.objects.filter(pk=job.pk).update(status=Done.DONE)
    _refused_completion(asked, officer, "Start the erasure of this client")


@pytest.mark.parametrize(
    ("status", "match"),
    [
        (Done.REQUESTED, r"Erasure #\d+ is awaiting approval: complete the request"),
        # Approved covers queued and running since erasures run as core.jobs
        # (the job row says which).
        (
            Done.APPROVED,
            r"is approved, being carried out: complete the request once it is done",
        ),
        (Done.REFUSED, r"was refused \(legal hold\): nothing was erased"),
        (Done.CANCELLED, r"was cancelled: start the erasure again"),
    ],
)
def test_an_erasure_not_done_refuses_completion_saying_what_to_do(
    asked, officer, status, match
):
    _job(asked, officer, status)
    _refused_completion(asked, officer, match)


def test_a_done_erasure_completes_the_request(asked, officer):
    _job(asked, officer, Done.DONE)
    closed = dsr.request_close(
        acting_user=officer, request=asked, status=Status.COMPLETED
    )
    assert closed.status == Status.COMPLETED


def test_a_partial_erasure_completes_only_saying_what_was_kept(asked, officer):
    _job(asked, officer, Done.DONE, partial=True)
    _refused_completion(asked, officer, "was partial: data under legal hold was kept")

    closed = dsr.request_close(
        acting_user=officer,
        request=asked,
        status=Status.COMPLETED,
        outcome="Erased, except the invoices kept 10 years (Code de commerce).",
    )
    assert closed.status == Status.COMPLETED


def test_an_erasure_refused_for_a_legal_hold_lets_the_request_be_refused(
    asked, officer
):
    _job(asked, officer, Done.REFUSED)
    closed = dsr.request_close(
        acting_user=officer,
        request=asked,
        status=Status.REFUSED,
        outcome="An open complaint holds the data (Art. 17(3)(e)).",
    )
    assert closed.status == Status.REFUSED


def test_other_kinds_are_not_held_by_erasures(officer):
    request = dsr.request_verify_identity(
        acting_user=officer,
        request=DataSubjectRequestFactory(kind=DataSubjectRequest.Kind.OBJECTION),
        method="known_email",
    )
    closed = dsr.request_close(
        acting_user=officer, request=request, status=Status.COMPLETED
    )
    assert closed.status == Status.COMPLETED


# --- Which request an erasure may answer ----------------------------------------


def _refused_link(officer, client, request, match):
    with pytest.raises(ValidationError, match=match):
        erasure_jobs.erasure_request(
            acting_user=officer, client=client, request=request
        )
    assert not ErasureJob.objects.exists()


def test_an_erasure_answers_only_an_erasure_request(officer):
    access = DataSubjectRequestFactory()
    _refused_link(officer, access.client, access, "is not an erasure request")


def test_an_erasure_answers_only_its_own_clients_request(asked, officer):
    _refused_link(officer, ClientFactory(), asked, "is about another client")


def test_an_erasure_waits_for_the_identity_check(officer):
    received = DataSubjectRequestFactory(kind=DataSubjectRequest.Kind.ERASURE)
    _refused_link(officer, received.client, received, "Verify the identity")


def test_a_closed_request_takes_no_erasure(asked, officer):
    dsr.request_close(
        acting_user=officer, request=asked, status=Status.WITHDRAWN, outcome="x"
    )
    asked.refresh_from_db()
    _refused_link(officer, asked.client, asked, "is withdrawn by the person")


# --- Pages ------------------------------------------------------------------------


def test_the_request_page_starts_the_erasure_with_the_request_filled_in(
    client, asked, officer
):
    client.force_login(officer)
    page = client.get(
        reverse("admin:privacy_datasubjectrequest_change", args=[asked.pk])
    ).text
    start = (
        reverse("admin:privacy_erasurejob_add")
        + f"?client={asked.client_id}&amp;request={asked.pk}"
    )
    assert f'id="dsr-erasure" href="{start}"' in page

    form = client.get(start.replace("&amp;", "&")).text
    assert f'<option value="{asked.pk}" selected>' in form


def test_the_erasure_form_refuses_another_clients_request_writing_nothing(
    client, asked, officer
):
    client.force_login(officer)
    other = ClientFactory()

    response = client.post(
        reverse("admin:privacy_erasurejob_add"),
        {"client": other.pk, "request": asked.pk},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["request"] == [
        f"{asked} is about another client: start the erasure of the client "
        "who made the request."
    ]
    assert not ErasureJob.objects.exists()


def test_the_close_page_says_why_completion_is_refused(client, asked, officer):
    job = _job(asked, officer)
    client.force_login(officer)

    response = client.post(
        reverse("admin:privacy_request_action", args=[asked.pk, "close"]),
        {"status": Status.COMPLETED, "outcome": ""},
    )

    assert response.status_code == 200
    assert (
        f"Erasure #{job.pk} is awaiting approval: complete the request once it "
        "is done." in response.text
    )
    asked.refresh_from_db()
    assert asked.status == Status.IN_PROGRESS
    # and the request page lists the erasure answering it
    page = client.get(
        reverse("admin:privacy_datasubjectrequest_change", args=[asked.pk])
    ).text
    assert f"Erasure #{job.pk}" in page


def test_the_erasure_list_finds_an_erasure_by_its_request_number(
    client, asked, officer
):
    job = _job(asked, officer)
    other = erasure_jobs.erasure_request(acting_user=officer, client=ClientFactory())
    client.force_login(officer)
    changelist = reverse("admin:privacy_erasurejob_changelist")

    found = client.get(changelist, {"q": str(asked.pk)})
    words = client.get(changelist, {"q": "letter"})

    assert list(found.context["cl"].result_list) == [job]
    assert other not in found.context["cl"].result_list
    assert words.status_code == 200
    assert list(words.context["cl"].result_list) == []
