"""One factory per privacy model the admin shows.

Requests and erasures go through their services, as staff open them;
rows only a job writes (runs, batches, imports) are
created directly with the values such a job leaves.
"""

import hashlib
import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from clienteling.models import Boutique
from privacy import requests as dsr
from privacy.erasure import jobs
from privacy.models import (
    Approval,
    Breach,
    DataSubjectRequest,
    Dpia,
    ErasureJob,
    InsightImport,
    Partner,
    Recipient,
    RetentionRule,
    RetentionRun,
    SharingBatch,
    Transfer,
)
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, UserFactory


class DataSubjectRequestFactory(factory.django.DjangoModelFactory):
    """An access request received today, through request_open."""

    class Meta:
        model = DataSubjectRequest

    client = factory.SubFactory(ClientFactory)
    kind = DataSubjectRequest.Kind.ACCESS
    channel = DataSubjectRequest.Channel.EMAIL
    received_on = factory.LazyFunction(timezone.localdate)
    details = "Asks for a copy of everything the house keeps."

    @classmethod
    def _create(cls, model_class, **kwargs):
        return dsr.request_open(acting_user=None, **kwargs)


def verified_erasure_request(client, *, officer=None) -> DataSubjectRequest:
    """The client's erasure request, identity verified: what an erasure
    answers (privacy.requests.erasure_link_check)."""
    request = DataSubjectRequestFactory(
        client=client,
        kind=DataSubjectRequest.Kind.ERASURE,
        details="Asks to be forgotten.",
    )
    return dsr.request_verify_identity(
        acting_user=officer or UserFactory(),
        request=request,
        method=DataSubjectRequest.IdentityMethod.ID_DOCUMENT,
    )


class ErasureJobFactory(factory.django.DjangoModelFactory):
    """An erasure awaiting approval, through erasure_request, answering the
    client's erasure request (pass request=None for one without)."""

    class Meta:
        model = ErasureJob

    client = factory.SubFactory(ClientFactory)

    @classmethod
    def _create(cls, model_class, **kwargs):
        if "request" not in kwargs:
            kwargs["request"] = verified_erasure_request(kwargs["client"])
        return jobs.erasure_request(acting_user=None, **kwargs)


class InsightImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsightImport

    batch_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    imported_at = factory.LazyFunction(timezone.now)
    file_sha256 = factory.Sequence(
        lambda n: hashlib.sha256(str(n).encode()).hexdigest()
    )
    rows_total = 10
    rows_linked = 8
    dropped_withdrawn = 1
    dropped_unknown = 1


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"partner-{n}")
    name = factory.Sequence(lambda n: f"Department store {n}")
    agreement_reference = factory.Sequence(lambda n: f"AGR-{n:04d}")
    agreement_signed_on = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def boutiques(self, create, extracted, **kwargs):
        if create:
            # A partner operates shop-in-shops only.
            shop = BoutiqueFactory(
                kind=Boutique.Kind.SHOP_IN_SHOP, department_store="Grand Magasin"
            )
            self.boutiques.set(extracted or [shop])


class RetentionRuleFactory(factory.django.DjangoModelFactory):
    """A rule of the code (rules come with their handler, not the admin)."""

    class Meta:
        model = RetentionRule
        django_get_or_create = ("code",)

    code = "inactive_clients"


class RetentionRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RetentionRun

    dry_run = True
    status = RetentionRun.Status.DONE
    now = factory.LazyFunction(timezone.now)
    started_at = factory.SelfAttribute("now")
    finished_at = factory.SelfAttribute("now")


class SharingBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SharingBatch

    kind = SharingBatch.Kind.PARTNER
    partner = factory.SubFactory(PartnerFactory)
    created_at = factory.LazyFunction(timezone.now)
    consent_snapshot_at = factory.SelfAttribute("created_at")
    rule_version = "1"
    key_id = "k1"
    folder = factory.Sequence(lambda n: f"sharing/batch-{n}")
    manifest_sha256 = factory.Sequence(
        lambda n: hashlib.sha256(f"m{n}".encode()).hexdigest()
    )


def run_erasure(job) -> dict:
    """Deliver an approved erasure's job once, as a worker would (core.jobs)."""
    from core import jobs as core_jobs
    from privacy.models import ErasureJob

    return core_jobs.run(ErasureJob.objects.get(pk=job.pk).job_id)


class ApprovalFactory(factory.django.DjangoModelFactory):
    """A real retention run waiting for a second officer."""

    class Meta:
        model = Approval

    kind = Approval.Kind.RETENTION_RUN
    requested_by = factory.SubFactory(UserFactory)
    requested_at = factory.LazyFunction(timezone.now)
    counts = factory.LazyFunction(lambda: {"clients": 0})


class BreachFactory(factory.django.DjangoModelFactory):
    """A breach that concerned staff only: no client to find."""

    class Meta:
        model = Breach

    title = factory.Sequence(lambda n: f"Staff directory exposed ({n})")
    occurred_at = factory.LazyFunction(
        lambda: timezone.now().replace(second=0, microsecond=0) - timedelta(hours=5)
    )
    aware_at = factory.LazyFunction(
        lambda: timezone.now().replace(second=0, microsecond=0) - timedelta(hours=2)
    )
    nature = Breach.Nature.CONFIDENTIALITY
    description = "The staff directory was readable from the guest wifi."
    data_categories = factory.LazyFunction(lambda: ["identity"])
    people_categories = factory.LazyFunction(lambda: ["staff"])
    approx_people = 12
    approx_records = 12
    consequences = "Unsolicited contact."
    measures_taken = "Wifi isolated."
    recorded_by = factory.SubFactory(UserFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recipient

    name = factory.Sequence(lambda n: f"Processor {n} SAS")
    kind = Recipient.Kind.PROCESSOR
    service = "Hosting"
    country = "FR"
    agreement_reference = factory.Sequence(lambda n: f"DPA-{n}")
    agreement_signed_on = factory.LazyFunction(
        lambda: timezone.localdate() - timedelta(days=30)
    )


class OrganiserFactory(RecipientFactory):
    """An event organiser (no Art. 28 agreement: a separate controller)."""

    name = factory.Sequence(lambda n: f"Organiser {n} SARL")
    kind = Recipient.Kind.EVENT_ORGANISER
    service = "Guest lists of house events"
    agreement_reference = ""
    agreement_signed_on = None
    contact_email = factory.Sequence(lambda n: f"events{n}@organiser.example")


def _event_with_a_guest():
    from clienteling.models import Invitation
    from tests.clienteling.factories import InvitationFactory

    return InvitationFactory(status=Invitation.Status.ACCEPTED).event


class GuestListDisclosureFactory(factory.django.DjangoModelFactory):
    """A guest list record as privacy.organisers.guest_list_give leaves it,
    without its guests' rows (see `given_to`); its event has one accepted
    guest, so the add form takes its values."""

    class Meta:
        model = "privacy.GuestListDisclosure"

    event = factory.LazyFunction(_event_with_a_guest)
    organiser = factory.SubFactory(OrganiserFactory)
    categories = factory.LazyFunction(lambda: ["names", "email"])
    disclosed_at = factory.LazyFunction(timezone.now)
    disclosed_by = factory.SubFactory(UserFactory)
    guest_count = 1


def given_to(organiser, *clients, categories=("names", "email"), event=None):
    """The clients' invitations accepted to an event whose guest list is
    then given to the organiser (privacy.organisers.guest_list_give)."""
    from clienteling.models import Invitation
    from privacy import organisers
    from tests.clienteling.factories import HouseEventFactory, InvitationFactory

    event = event or HouseEventFactory(boutique=clients[0].home_boutique)
    for client in clients:
        InvitationFactory(event=event, client=client, status=Invitation.Status.ACCEPTED)
    return organisers.guest_list_give(
        acting_user=None,
        event=event,
        organiser=organiser,
        categories=list(categories),
    )


class TransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transfer

    recipient = factory.SubFactory(RecipientFactory)
    country = "US"
    purpose = "Backups"
    mechanism = Transfer.Mechanism.SCCS
    mechanism_reference = "SCCs 2021/914, module 2"
    tia_reference = "TIA-1"


class DpiaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dpia
        django_get_or_create = ("purpose_code",)

    purpose_code = factory.Iterator(
        ["allergy_aware_service", "cross_group_intelligence", "retargeting"]
    )
    processing = "Metal allergies recorded to advise clients."
    necessity = "Metal and severity only."
    risks = "Disclosure of health data."
    measures = "Encrypted; health roles only."
    residual_risk = Dpia.Residual.LOW
    dpo_opinion = "Favourable."
    review_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))


def disclosed(client, *, partner=None, group=True):
    """Record that the client's data went to the group and/or a partner,
    as a sharing batch would (privacy.sharing.exports._disclose)."""
    from privacy.models import Disclosure

    made = []
    if group:
        batch = SharingBatchFactory(kind=SharingBatch.Kind.GROUP, partner=None)
        made.append(
            Disclosure.objects.create(
                recipient="group", client=client, first_batch=batch, last_batch=batch
            )
        )
    if partner is not None:
        batch = SharingBatchFactory(partner=partner)
        made.append(
            Disclosure.objects.create(
                recipient=partner.code,
                client=client,
                first_batch=batch,
                last_batch=batch,
            )
        )
    return made


class RecipientNoticeFactory(factory.django.DjangoModelFactory):
    """A notice as privacy.notices.notices_queue leaves it, sent."""

    class Meta:
        model = "privacy.RecipientNotice"

    recipient = "group"
    client = factory.SubFactory(ClientFactory)
    client_ref = factory.Sequence(
        lambda n: hashlib.sha256(f"r{n}".encode()).hexdigest()
    )
    key_id = "demo"
    kind = "erasure"
    how = "file"
    reference = factory.Sequence(lambda n: f"erasure#{n}")
    queued_at = factory.LazyFunction(timezone.now)
    sent_at = factory.SelfAttribute("queued_at")
    outcome = "sent"
