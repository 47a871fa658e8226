"""The demo net: every row seed_demo writes passes its model's validation,
a second run changes no count, every feature of the product has demo rows,
and an erased demo client stays erased.
"""

import io

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from clienteling.management.commands.seed_demo import model_counts
from clienteling.models import (
    Client,
    ClientAddress,
    ClientEmail,
    ClientPhone,
    ContactEvent,
    ContactPreference,
    DuplicateFlag,
    FollowUp,
    HouseEvent,
    ImportantDate,
    Interest,
    Invitation,
    IpAddressSeen,
    MetalAllergy,
    RingSize,
    SelectionItem,
    SocialIdentifier,
    WebAccount,
    WebEvent,
)
from consents import outreach
from consents.models import (
    BounceImport,
    ConsentDecision,
    EmailCampaign,
    OutreachList,
    PaperFormSubmission,
    Restriction,
    SoftOptIn,
    SuppressionEntry,
    SuppressionEvent,
)
from consents.services import scan_path
from core.models import AccessLogEntry
from orders.models import (
    AfterSalesCase,
    Complaint,
    Guarantee,
    Invoice,
    Order,
    Payment,
)
from privacy import reports
from privacy.erasure import engine
from privacy.erasure.plan import TOMBSTONE_PREFIX
from privacy.models import (
    DataSubjectRequest,
    Disclosure,
    ErasureJob,
    ErasureStep,
    Partner,
    RequestEdit,
    RetentionRun,
    SharingBatch,
    SubjectAccessReport,
)
from segments.models import Campaign, FactsRebuild, Segment
from tests.clienteling.factories import ClientFactory

pytestmark = pytest.mark.django_db

Decision = ConsentDecision.Decision
Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _all_counts() -> dict[str, int]:
    """Rows of every model of the project's apps, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for app in settings.PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
    }


def _invalid_rows() -> list[str]:
    problems = []
    for app in settings.PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            # A history row's own bookkeeping (who, why) is empty for system
            # writes by design; the copied values are what must be valid.
            exclude = (
                ["history_user", "history_change_reason"]
                if model._meta.model_name.startswith("historical")
                else None
            )
            for row in model._default_manager.all():
                try:
                    row.full_clean(exclude=exclude)
                except ValidationError as exc:
                    problems.append(f"{model._meta.label} #{row.pk}: {exc}")
    return problems


def _features(today) -> dict[str, int]:
    """What a newcomer should find in the demo, feature by feature."""
    open_ = FollowUp.Status.OPEN
    grants = ConsentDecision.objects.filter(decision=Decision.GRANT)
    requests = DataSubjectRequest.objects
    return {
        "clients": Client.objects.filter(client_number__startswith="DEMO-").count(),
        "postal addresses": ClientAddress.objects.count(),
        "emails": ClientEmail.objects.count(),
        "landline phones": ClientPhone.objects.filter(kind="landline").count(),
        "mobile phones": ClientPhone.objects.filter(kind="mobile").count(),
        "social identifiers": SocialIdentifier.objects.count(),
        "ring sizes": RingSize.objects.count(),
        "important dates": ImportantDate.objects.count(),
        "contact preferences": ContactPreference.objects.count(),
        "interests": Interest.objects.count(),
        "allergies": MetalAllergy.objects.count(),
        "allergy consents": grants.filter(
            purpose__code="allergy_aware_service"
        ).count(),
        "contact channels used": ContactEvent.objects.values("channel")
        .distinct()
        .count()
        - 1,
        "follow-ups open": FollowUp.objects.filter(
            status=open_, due_date__gte=today
        ).count(),
        "follow-ups overdue": FollowUp.objects.filter(
            status=open_, due_date__lt=today
        ).count(),
        "follow-ups done": FollowUp.objects.filter(status="done").count(),
        "events": HouseEvent.objects.count(),
        "invitations accepted": Invitation.objects.filter(status="accepted").count(),
        "invitations attended": Invitation.objects.filter(status="attended").count(),
        "duplicate flags open": DuplicateFlag.objects.filter(status="open").count(),
        "duplicate flags merged": DuplicateFlag.objects.filter(status="merged").count(),
        "merged records": Client.objects.filter(status="merged").count(),
        "newsletter grants": grants.filter(
            purpose__code="newsletters_invitations"
        ).count(),
        "partner-sharing grants": grants.filter(
            purpose__code="partner_sharing"
        ).count(),
        "cross-group grants": grants.filter(
            purpose__code="cross_group_intelligence"
        ).count(),
        "withdrawals": ConsentDecision.objects.filter(
            decision=Decision.WITHDRAW
        ).count(),
        "objections": ConsentDecision.objects.filter(decision=Decision.OBJECT).count(),
        "paper-form decisions": ConsentDecision.objects.filter(
            submission__isnull=False
        ).count(),
        "paper forms with their scan": sum(
            scan_path(s.scan_name).is_file() for s in PaperFormSubmission.objects.all()
        ),
        "forms signed on the tablet, signature kept": sum(
            scan_path(s.scan_name).is_file()
            for s in PaperFormSubmission.objects.filter(
                version__template__kind="clienteling_tool",
                scan_content_type="image/png",
            )
        ),
        "soft opt-ins": SoftOptIn.objects.count(),
        "suppression entries": SuppressionEntry.objects.count(),
        "consents by phone, with their call id": ConsentDecision.objects.filter(
            channel="phone", conversation__reference__gt=""
        ).count(),
        "suppression entries lifted by a consent, with the event": (
            SuppressionEvent.objects.filter(
                action="lifted", entry__lifted_at__isnull=False
            ).count()
        ),
        "bounce files imported": BounceImport.objects.filter(
            hard_bounces__gte=1, unknown_addresses__gte=1
        ).count(),
        "restrictions in force": Restriction.objects.filter(
            lifted_at__isnull=True
        ).count(),
        "access requests": requests.filter(kind=Kind.ACCESS).count(),
        "rectification requests": requests.filter(kind=Kind.RECTIFICATION).count(),
        "rectification edits linked": RequestEdit.objects.count(),
        "objection requests completed": requests.filter(
            kind=Kind.OBJECTION, status=Status.COMPLETED
        ).count(),
        "restriction requests": requests.filter(kind=Kind.RESTRICTION).count(),
        "erasure requests completed": requests.filter(
            kind=Kind.ERASURE, status=Status.COMPLETED
        ).count(),
        "requests received (identity unchecked)": requests.filter(
            status=Status.RECEIVED
        ).count(),
        "requests in progress": requests.filter(status=Status.IN_PROGRESS).count(),
        "requests overdue": requests.filter(
            status__in=[Status.RECEIVED, Status.IN_PROGRESS], due_on__lt=today
        ).count(),
        "access reports built (file on disk)": sum(
            (reports.storage_dir() / r.file_name).is_file()
            for r in SubjectAccessReport.objects.filter(job__status="done")
        ),
        "erasures done with a receipt": ErasureJob.objects.filter(status="done")
        .exclude(receipt={})
        .count(),
        "erasure steps": ErasureStep.objects.filter(done_at__isnull=False).count(),
        "tombstones": Client.objects.filter(
            client_number__startswith=TOMBSTONE_PREFIX
        ).count(),
        "web accounts": WebAccount.objects.count(),
        "IP addresses seen": IpAddressSeen.objects.count(),
        "web events": WebEvent.objects.count(),
        "Selection items": SelectionItem.objects.count(),
        "partners": Partner.objects.count(),
        "partner batches": SharingBatch.objects.filter(kind="partner").count(),
        "group batches": SharingBatch.objects.filter(kind="group").count(),
        "disclosures": Disclosure.objects.count(),
        **{
            f"orders {status}": Order.objects.filter(status=status).count()
            for status in Order.Status.values
        },
        "invoices": Invoice.objects.filter(kind="invoice").count(),
        "credit notes": Invoice.objects.filter(kind="credit_note").count(),
        "payments": Payment.objects.count(),
        "guarantees": Guarantee.objects.count(),
        "guarantees void": Guarantee.objects.filter(status="void").count(),
        "after-sales cases": AfterSalesCase.objects.count(),
        "after-sales cases returned": AfterSalesCase.objects.filter(
            status="returned"
        ).count(),
        "complaints open (legal hold)": Complaint.objects.filter(status="open").count(),
        "complaints resolved": Complaint.objects.filter(status="resolved").count(),
        "outreach lists ready (file on disk)": sum(
            (outreach.storage_dir() / o.file_name).is_file()
            for o in OutreachList.objects.ready()
        ),
        "email campaigns sent": EmailCampaign.objects.filter(
            job__status="done", sent_count__gt=0
        ).count(),
        "email campaign messages in contact histories": ContactEvent.objects.filter(
            related_type__model="emailcampaign"
        ).count(),
        "retention dry runs": RetentionRun.objects.filter(dry_run=True).count(),
        "shared segments": Segment.objects.filter(shared=True).count(),
        "private segments": Segment.objects.filter(shared=False).count(),
        "segment campaigns with follow-ups": Campaign.objects.filter(
            created_count__gt=0
        ).count(),
        "daily facts rebuilds": FactsRebuild.objects.count(),
        "outreach lists from a segment": OutreachList.objects.ready()
        .filter(source__startswith="segments.segment:")
        .count(),
        "access-log entries": AccessLogEntry.objects.count(),
    }


def test_every_demo_row_is_valid_every_feature_is_seeded_and_a_rerun_adds_nothing():
    # when the demo is seeded
    _seed()
    first = _all_counts()

    # then every row of every model (history tables too) passes full_clean()
    assert _invalid_rows() == []
    # every feature has demo rows
    features = _features(timezone.localdate())
    assert [name for name, count in features.items() if count < 1] == []
    # and the erased demo client is a tombstone, not a demo client
    assert not Client.objects.filter(client_number="DEMO-0190").exists()

    # when seeded again, nothing is added, changed in number, or brought back
    out = _seed()

    assert _all_counts() == first
    assert "0 created" in out
    assert "1 erased (left erased)" in out
    assert not Client.objects.filter(client_number="DEMO-0190").exists()


def test_an_erased_demo_client_is_not_recreated_by_a_second_seed():
    _seed()
    client = Client.objects.get(client_number="DEMO-0100")
    engine.erase_clients(client_ids=[client.pk])
    client.refresh_from_db()
    assert client.client_number == f"{TOMBSTONE_PREFIX}{client.pk}"
    after_erasure = _all_counts()

    out = _seed()

    assert not Client.objects.filter(client_number="DEMO-0100").exists()
    assert _all_counts() == after_erasure
    assert "2 erased (left erased)" in out
    client.refresh_from_db()
    assert (client.first_name, client.emails.count()) == ("Erased", 0)


def test_seed_demo_repairs_old_demo_emails_and_prints_the_counts():
    # given a demo client seeded before emails were made ASCII
    old = ClientFactory(client_number="DEMO-0001")
    ClientEmail.objects.create(client=old, address="Léa.Müller.1@example.com")
    out = io.StringIO()

    call_command("seed_demo", "--counts", stdout=out)

    email = old.emails.get()
    assert email.address == "lea.muller.1@example.com"
    email.full_clean()
    table = out.getvalue().split("Rows per model:")[1]
    counts = model_counts()
    for label, count in counts.items():
        assert f"  {label:<40} {count:>6}\n" in table
    assert counts["clienteling.Client"] == Client.objects.count() > 200
    assert not any(".Historical" in label for label in counts)
