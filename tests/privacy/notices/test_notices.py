"""Art. 19 notices: every recipient of a changed client's data is told at
once, and the notice is recorded (privacy.notices, decision 0079)."""

import csv
import io

import pytest
from django.utils import timezone

from consents import registry
from consents.models import ConsentDecision
from privacy import notices
from privacy import requests as dsr
from privacy.erasure import jobs
from privacy.models import DataSubjectRequest, RecipientNotice
from privacy.pseudonyms import keys_for
from privacy.sharing.files import export_root
from tests.clienteling.factories import ClientFactory, UserFactory
from tests.consents.factories import grant
from tests.privacy.factories import (
    PartnerFactory,
    disclosed,
    run_erasure,
    verified_erasure_request,
)

pytestmark = pytest.mark.django_db

Kind = DataSubjectRequest.Kind


def _file_rows(notice) -> list[dict]:
    text = (export_root() / notice.folder / "notices.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _verified(client, kind, officer):
    request = dsr.request_open(
        acting_user=officer,
        client=client,
        kind=kind,
        channel="email",
        received_on=timezone.localdate(),
    )
    return dsr.request_verify_identity(
        acting_user=officer, request=request, method="known_email"
    )


def test_an_erasure_notifies_every_recipient_with_a_recall_file(
    django_capture_on_commit_callbacks,
):
    # given a client whose data went to the group and to a partner
    client = ClientFactory(first_name="Zéphyrine", last_name="Quillfeather")
    partner = PartnerFactory()
    disclosed(client, partner=partner)
    bystander = ClientFactory()
    disclosed(bystander, partner=partner)
    erasure = jobs.erasure_request(
        acting_user=UserFactory(),
        client=client,
        request=verified_erasure_request(client),
    )
    # when the erasure is approved and carried out
    with django_capture_on_commit_callbacks(execute=True):
        erasure = jobs.erasure_approve(acting_user=UserFactory(), job=erasure)
    with django_capture_on_commit_callbacks(execute=True):
        run_erasure(erasure)
    # then one erasure notice per recipient, sent, each with its file
    sent = RecipientNotice.objects.filter(client=client).order_by("recipient")
    assert [(n.recipient, n.kind, n.how, n.outcome) for n in sent] == [
        ("group", "erasure", "file", "sent"),
        (partner.code, "erasure", "file", "sent"),
    ]
    assert all(n.sent_at and n.queued_at <= n.sent_at for n in sent)
    assert {n.reference for n in sent} == {f"erasure#{erasure.pk}"}
    for notice in sent:
        key = keys_for(notice.recipient)[0]
        rows = _file_rows(notice)
        assert rows == [
            {
                "pseudonym": key.pseudonym(client.pk),
                "key_id": key.key_id,
                "notice": "erasure",
                "noticed_at": rows[0]["noticed_at"],
            }
        ]
        text = (export_root() / notice.folder / "notices.csv").read_text()
        assert "Quillfeather" not in text
    # and nothing about the client who was not erased
    assert not RecipientNotice.objects.filter(client=bystander).exists()


def test_the_same_cause_queues_nothing_twice(django_capture_on_commit_callbacks):
    client = ClientFactory()
    disclosed(client, partner=PartnerFactory())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = notices.notices_queue(
            acting_user=None,
            client_ids=[client.pk],
            kind="erasure",
            reference="erasure#1",
        )
    assert len(first) == 2
    assert len(callbacks) == 1
    # when the erasure's finish step runs again (a retried attempt)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = notices.notices_queue(
            acting_user=None,
            client_ids=[client.pk],
            kind="erasure",
            reference="erasure#1",
        )
    # then nothing is queued, nothing is enqueued
    assert again == []
    assert callbacks == []
    assert RecipientNotice.objects.count() == 2


def test_a_sent_notice_is_not_sent_again(django_capture_on_commit_callbacks):
    client = ClientFactory()
    disclosed(client)
    with django_capture_on_commit_callbacks(execute=True):
        (notice,) = notices.notices_queue(
            acting_user=None, client_ids=[client.pk], kind="restriction", reference="r"
        )
    notice.refresh_from_db()
    folder, sent_at = notice.folder, notice.sent_at
    # a redelivered message
    assert notices.notices_send(notice_ids=[notice.pk]) == {
        "sent": 1,
        "failed": 0,
        "retry": [],
    }
    notice.refresh_from_db()
    assert (notice.folder, notice.sent_at, notice.attempts) == (folder, sent_at, 1)


def test_a_rectification_notifies_the_recipients(django_capture_on_commit_callbacks):
    officer = UserFactory()
    client = ClientFactory()
    partner = PartnerFactory()
    disclosed(client, partner=partner)
    request = _verified(client, Kind.RECTIFICATION, officer)
    client.last_name = "Rectifié"
    client._history_user = officer
    client.save()
    with django_capture_on_commit_callbacks(execute=True):
        dsr.rectification_link_edits(acting_user=officer, request=request)
    sent = RecipientNotice.objects.filter(client=client)
    assert sorted((n.recipient, n.kind, n.outcome) for n in sent) == [
        ("group", "rectification", "sent"),
        (partner.code, "rectification", "sent"),
    ]
    assert {n.queued_by for n in sent} == {officer}
    # linking again (no new edit) tells nobody twice
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dsr.rectification_link_edits(acting_user=officer, request=request)
    assert callbacks == []
    assert sent.count() == 2


def test_a_restriction_notifies_the_recipients(django_capture_on_commit_callbacks):
    officer = UserFactory()
    client = ClientFactory()
    disclosed(client)
    request = _verified(client, Kind.RESTRICTION, officer)
    with django_capture_on_commit_callbacks(execute=True):
        dsr.request_restrict(acting_user=officer, request=request, reason="Disputed")
    (notice,) = RecipientNotice.objects.filter(client=client)
    assert (notice.recipient, notice.kind, notice.outcome) == (
        "group",
        "restriction",
        "sent",
    )


def test_a_withdrawal_notifies_only_the_recipients_of_that_purpose(
    django_capture_on_commit_callbacks,
):
    client = ClientFactory()
    partner = PartnerFactory()
    disclosed(client, partner=partner)
    grant(client, registry.PARTNER_SHARING)
    grant(client, "cross_group_intelligence")
    with django_capture_on_commit_callbacks(execute=True):
        row = _withdraw(client, registry.PARTNER_SHARING)
    (notice,) = RecipientNotice.objects.filter(client=client)
    assert (notice.recipient, notice.kind, notice.reference) == (
        partner.code,
        "withdrawal",
        f"consent#{row.pk}",
    )


def test_a_client_never_disclosed_queues_nothing(django_capture_on_commit_callbacks):
    client = ClientFactory()
    grant(client, "cross_group_intelligence")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _withdraw(client, "cross_group_intelligence")
    assert not RecipientNotice.objects.exists()
    assert callbacks == []


def test_without_a_key_the_notice_is_recorded_as_failed_with_the_reason(
    settings, django_capture_on_commit_callbacks
):
    settings.SHARING_KEYS = {}
    settings.SHARING_DEMO_KEYS = False
    client = ClientFactory()
    disclosed(client)
    with django_capture_on_commit_callbacks(execute=True):
        notices.notices_queue(
            acting_user=None, client_ids=[client.pk], kind="erasure", reference="e"
        )
    (notice,) = RecipientNotice.objects.all()
    assert (notice.how, notice.outcome, notice.sent_at) == ("letter", "failed", None)
    assert "configure" in notice.detail
    assert notices.notice_counts() == notices.NoticeCounts(pending=0, failed=1)


def test_the_recipients_of_a_client_for_the_access_report():
    client = ClientFactory()
    partner = PartnerFactory(name="Grand Magasin Haussmann")
    disclosed(client, partner=partner)
    names = [r.name for r in notices.client_recipients([client.pk])]
    assert sorted(names) == ["Grand Magasin Haussmann", "The parent group"]


def _withdraw(client, code):
    from consents import services

    return services.consent_record(
        acting_user=None,
        client=client,
        purpose_code=code,
        decision=ConsentDecision.Decision.WITHDRAW,
        channel="email",
        now=timezone.now(),
    )


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown notice kind"):
        notices.notices_queue(
            acting_user=None, client_ids=[1], kind="gossip", reference="x"
        )


def test_the_access_report_tells_the_person_who_received_their_data_and_was_told(
    django_capture_on_commit_callbacks,
):
    from privacy import report_render, reports

    client = ClientFactory()
    partner = PartnerFactory(name="Grand Magasin Haussmann")
    disclosed(client, partner=partner)
    with django_capture_on_commit_callbacks(execute=True):
        notices.notices_queue(
            acting_user=None, client_ids=[client.pk], kind="restriction", reference="r"
        )
    document = reports.build_document(client)
    labels = {
        record["model"]
        for section in document["categories"]
        for record in section["records"]
    }
    assert {"privacy.Disclosure", "privacy.RecipientNotice"} <= labels
    page = report_render.render_html(document)
    assert "Restriction of processing" in page
    key = keys_for(partner.code)[0]
    assert key.pseudonym(client.pk) not in page
