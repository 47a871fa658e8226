import hashlib

import factory
from django.utils import timezone

from clienteling.models import Client
from consents import registry, services
from consents.models import (
    BounceImport,
    Channel,
    ConsentConversation,
    ConsentDecision,
    FormTemplate,
    FormTemplateVersion,
    OutreachList,
    PaperFormSubmission,
    ParentalConsent,
    Purpose,
    Restriction,
    SoftOptIn,
    SuppressionEntry,
    WebsiteClient,
)
from tests.clienteling.factories import BoutiqueFactory, UserFactory
from tests.clienteling.factories import ClientFactory as TestClientFactory


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Sequence(lambda n: f"Alice{n}")
    last_name = "Exemple"
    home_boutique = factory.SubFactory(BoutiqueFactory)


def paper_version() -> FormTemplateVersion:
    return FormTemplateVersion.objects.get(template__code="boutique-paper", number=1)


def grant(client, code, *, user=None, now=None, channel=Channel.IN_PERSON):
    wording = paper_version().wordings.filter(purpose__code=code, language="en").first()
    return services.consent_record(
        acting_user=user,
        client=client,
        purpose_code=code,
        decision=ConsentDecision.Decision.GRANT,
        channel=channel,
        wording=wording,
        now=now,
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- One factory per model the admin shows (tests/test_admin_registry.py) --


class PurposeFactory(factory.django.DjangoModelFactory):
    """A purpose of the registry (they come with the code, not the admin)."""

    class Meta:
        model = Purpose
        django_get_or_create = ("code",)

    code = registry.NEWSLETTERS


class FormTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormTemplate
        django_get_or_create = ("code",)

    code = "boutique-paper"


class FormTemplateVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormTemplateVersion
        django_get_or_create = ("template", "number")

    template = factory.SubFactory(FormTemplateFactory)
    number = 1


class ConsentDecisionFactory(factory.django.DjangoModelFactory):
    """A grant of the newsletters, through consent_record."""

    class Meta:
        model = ConsentDecision

    client = factory.SubFactory(TestClientFactory)

    @classmethod
    def _create(cls, model_class, *, client, **kwargs):
        return grant(client, registry.NEWSLETTERS)


class PaperFormSubmissionFactory(factory.django.DjangoModelFactory):
    """The row only; the scan itself is not needed to show it."""

    class Meta:
        model = PaperFormSubmission

    client = factory.SubFactory(TestClientFactory)
    version = factory.LazyFunction(paper_version)
    signed_on = factory.LazyFunction(timezone.localdate)
    boutique = factory.SelfAttribute("client.home_boutique")
    scan_name = factory.Sequence(lambda n: f"scan-{n:06d}.pdf")
    scan_content_type = "application/pdf"
    scan_size = len(PDF_BYTES)
    scan_sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    recorded_by = factory.SubFactory(UserFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class OutreachListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutreachList

    requested_by = factory.SubFactory(UserFactory)
    purpose = factory.SubFactory(PurposeFactory)
    channel = "email"
    boutique = factory.SubFactory(BoutiqueFactory)
    scope_boutique_ids = factory.LazyAttribute(lambda o: [o.boutique.pk])
    created_at = factory.LazyFunction(timezone.now)


class RestrictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Restriction

    client = factory.SubFactory(TestClientFactory)
    reason = "The client contests the accuracy of the address."

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.restriction_start(acting_user=None, **kwargs)


class SoftOptInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SoftOptIn

    client = factory.SubFactory(TestClientFactory)
    first_sale_at = factory.LazyFunction(timezone.now)
    last_sale_at = factory.SelfAttribute("first_sale_at")
    sale_reference = factory.Sequence(lambda n: f"ORD-TEST-{n:05d}")
    opt_out_offered = True


class SuppressionEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuppressionEntry

    kind = SuppressionEntry.Kind.EMAIL
    digest = factory.Sequence(lambda n: hashlib.sha256(f"s{n}".encode()).hexdigest())
    added_at = factory.LazyFunction(timezone.now)
    reason = "Withdrew every consent"


class WebsiteClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebsiteClient
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Site {n}")

    @factory.post_generation
    def boutiques(self, create, extracted, **kwargs):
        if create:
            self.boutiques.set(extracted or [BoutiqueFactory()])


def website_with_key(*boutiques, now=None) -> tuple[WebsiteClient, str]:
    """A website client of these boutiques (a new one if none) and its key."""
    from consents.api.keys import website_key_issue

    website = WebsiteClientFactory(boutiques=list(boutiques) or None)
    return website, website_key_issue(
        acting_user=None, website_client=website, now=now
    ).key


class ConsentConversationFactory(factory.django.DjangoModelFactory):
    """A phone call's evidence row (the email copy is not needed to show it)."""

    class Meta:
        model = ConsentConversation

    client = factory.SubFactory(TestClientFactory)
    channel = ConsentConversation.Medium.PHONE
    reference = factory.Sequence(lambda n: f"CALL-{n:06d}")
    recorded_by = factory.SubFactory(UserFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class BounceImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BounceImport

    uploaded_by = factory.SubFactory(UserFactory)
    uploaded_at = factory.LazyFunction(timezone.now)
    file_sha256 = factory.Sequence(
        lambda n: hashlib.sha256(f"f{n}".encode()).hexdigest()
    )
    rows = 2
    hard_bounces = 1
    complaints = 1
    unknown_addresses = 1
    newly_suppressed = 2
    withdrawals = 0


class ParentalConsentFactory(factory.django.DjangoModelFactory):
    """The row of a minor's parental consent; the evidence file itself is
    not needed to show it (tests/consents/test_parental_admin.py uploads)."""

    class Meta:
        model = ParentalConsent

    client = factory.SubFactory(
        TestClientFactory,
        birth_date=factory.LazyFunction(
            lambda: timezone.localdate().replace(
                year=timezone.localdate().year - 12, day=1
            )
        ),
    )
    parent_name = "Claire Exemple"
    relation = ParentalConsent.Relation.MOTHER
    given_on = factory.LazyFunction(timezone.localdate)
    evidence_name = factory.Sequence(lambda n: f"parental-{n:06d}.pdf")
    evidence_content_type = "application/pdf"
    evidence_size = len(PDF_BYTES)
    evidence_sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    recorded_by = factory.SubFactory(UserFactory)
    recorded_at = factory.LazyFunction(timezone.now)
