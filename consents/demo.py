"""Demo consent records for whatever demo clients exist (zero included).

Fictional data only. Called by `manage.py seed_demo` after clienteling's
demo; idempotent: a client who already has a decision about a purpose gets
no new one for it, and each one-off record (the paper form, the allergies,
the objection, the outreach list) is looked for before it is made.
Everything goes through the services, so the ledger, its evidence and the
suppression list are as real use leaves them.
"""

import io
import math
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from clienteling import services as clienteling_services
from clienteling.models import Boutique, Client, MetalAllergy, User
from consents import bounces, conversations, outreach, registry, services
from consents.documents.languages import document_language
from consents.models import (
    BounceImport,
    Channel,
    ConsentConversation,
    ConsentDecision,
    FormTemplateVersion,
    OutreachList,
    PaperFormSubmission,
    Purpose,
    WebsiteClient,
)

CROSS_GROUP = "cross_group_intelligence"

# Every second client gives newsletters, every third events, every fifth
# partner sharing, every fourth cross-group sharing; a few withdraw
# newsletters later, so the demo shows the whole life of a consent.
PLAN = (
    (registry.NEWSLETTERS, 2),
    (registry.EVENTS, 3),
    (registry.PARTNER_SHARING, 5),
    (CROSS_GROUP, 4),
)

# Demo clients with a metal allergy (after their explicit consent):
# (client number, metal, severity, notes).
ALLERGIES = [
    ("DEMO-0003", "nickel", "severe", "Contact rash within hours."),
    ("DEMO-0011", "nickel", "moderate", "Reacts to white gold alloys."),
    ("DEMO-0019", "cobalt", "mild", ""),
    ("DEMO-0027", "copper", "mild", "Only rose gold, not yellow."),
    ("DEMO-0035", "palladium", "moderate", ""),
    ("DEMO-0120", "nickel", "mild", "Told the adviser at the fitting."),
]
# The client whose signed paper form (with its scan) is on file.
# A French client with a metal allergy and an order: the demo's paper form
# (signed on the French form, allergy consent ticked again) makes their
# access report show a form, allergies and purchases (issues 18, 21).
PAPER_FORM_CLIENT = "DEMO-0027"
# The client who objected to profiling for customer relations.
OBJECTING_CLIENT = "DEMO-0014"
# The client who objected to newsletters (suppressed), then called
# customer service to subscribe again: a phone consent that lifted the
# suppression of their addresses (decisions 0072, 0073).
PHONE_CLIENT = "DEMO-0042"
# A demo client whose address bounced, in the demo's bounce file.
BOUNCED_CLIENT = "DEMO-0043"


def demo_scan_pdf(title: str) -> bytes:
    """A small, valid one-page PDF standing in for a scanned form."""
    text = f"BT /F1 14 Tf 60 760 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return body


@transaction.atomic
def seed(*, stdout) -> None:
    registry.sync_registry()
    version = FormTemplateVersion.objects.get(
        template__code="clienteling-tool", number=1
    )
    by_language = {
        (w.language, w.purpose.code): w
        for w in version.wordings.select_related("purpose")
    }

    def wording_for(client, code):
        """The wording in the client's language, as the tool shows it."""
        language = document_language(client.preferred_language).code
        return by_language[(language, code)]

    clients = list(Client.objects.active().order_by("pk"))
    decided = set(
        ConsentDecision.objects.values_list("client_id", "purpose__code").distinct()
    )
    with_allergy = set(MetalAllergy.objects.values_list("client_id", flat=True))
    base = timezone.now() - timedelta(days=400)
    created = 0

    def give(client, code, days):
        nonlocal created
        services.consent_record(
            acting_user=None,
            client=client,
            purpose_code=code,
            decision=ConsentDecision.Decision.GRANT,
            channel=Channel.CLIENTELING_TOOL,
            wording=wording_for(client, code),
            now=base + timedelta(days=days),
        )
        created += 1

    for index, client in enumerate(clients):
        for code, every in PLAN:
            if index % every == 0 and (client.pk, code) not in decided:
                give(client, code, index % 300)
                if code == registry.NEWSLETTERS and index % 14 == 0:
                    services.consent_withdraw(
                        acting_user=None,
                        client=client,
                        purpose_code=code,
                        channel=Channel.EMAIL,
                        now=base + timedelta(days=index % 300 + 30),
                    )
                    created += 1
        # An allergy already on file (an older demo database) needs its
        # explicit consent.
        code = registry.ALLERGY_AWARE_SERVICE
        if client.pk in with_allergy and (client.pk, code) not in decided:
            give(client, code, 0)
    allergies = _seed_allergies(wording_for, decided)
    _seed_objection(decided)
    forms = _seed_paper_form() + _seed_tablet_form()
    lists = _seed_outreach_list()
    _seed_website_client()
    sent = _seed_email_campaign()
    calls = _seed_phone_consent()
    files = _seed_bounce_file()
    stdout.write(
        f"Consent decisions: {created} new for {len(clients)} clients; "
        f"{allergies} new allergies, {forms} new signed forms, {lists} new "
        f"outreach lists, {sent} new email campaigns, {calls} new phone "
        f"consents, {files} new bounce files."
    )


# The demo website's key, documented in the README to try the API with
# curl. seed_demo refuses staging and production, so this key never
# reaches them; real keys are issued in the admin and shown once.
DEMO_WEBSITE_API_KEY = "ecr_demo0000_demo-website-key-for-curl-not-for-production"


def _seed_website_client() -> None:
    """The house's website as an API client of the Paris boutique."""
    from consents.api.keys import website_key_issue

    paris = Boutique.objects.filter(code="PAR-VENDOME").first()
    if paris is None or WebsiteClient.objects.filter(name=DEMO_WEBSITE).exists():
        return
    website = WebsiteClient.objects.create(name=DEMO_WEBSITE)
    website.boutiques.set([paris])
    website_key_issue(
        acting_user=None, website_client=website, key=DEMO_WEBSITE_API_KEY
    )


DEMO_WEBSITE = "Maison Écrin website (demo)"


def _demo_client(number: str) -> Client | None:
    return Client.objects.filter(
        client_number=number, status=Client.Status.ACTIVE
    ).first()


def _seed_allergies(wording_for, decided) -> int:
    """Explicit consent first, then the allergy: the gate refuses otherwise."""
    created = 0
    code = registry.ALLERGY_AWARE_SERVICE
    for number, metal, severity, notes in ALLERGIES:
        client = _demo_client(number)
        if client is None or (client.pk, code) in decided or client.allergies.exists():
            continue  # erased, or already through this (perhaps withdrawn)
        services.consent_record(
            acting_user=client.primary_adviser,
            client=client,
            purpose_code=code,
            decision=ConsentDecision.Decision.GRANT,
            channel=Channel.CLIENTELING_TOOL,
            wording=wording_for(client, code),
        )
        clienteling_services.allergy_record(
            acting_user=client.primary_adviser,
            client=client,
            metal=metal,
            severity=severity,
            notes=notes,
        )
        created += 1
    return created


def _seed_objection(decided) -> None:
    """An objection (Art. 21) to a legitimate-interest purpose."""
    client = _demo_client(OBJECTING_CLIENT)
    if client is None or (client.pk, "customer_relations") in decided:
        return
    services.consent_record(
        acting_user=client.primary_adviser,
        client=client,
        purpose_code="customer_relations",
        decision=ConsentDecision.Decision.OBJECT,
        channel=Channel.EMAIL,
    )


def _seed_paper_form() -> int:
    """A signed boutique form keyed in for an existing client, scan kept."""
    client = _demo_client(PAPER_FORM_CLIENT)
    if client is None or PaperFormSubmission.objects.filter(client=client).exists():
        return 0
    version = FormTemplateVersion.objects.get(template__code="boutique-paper", number=1)
    email = client.emails.filter(is_primary=True).first()
    phone = client.phones.filter(is_primary=True).first()
    scan = SimpleUploadedFile(
        "form.pdf",
        demo_scan_pdf("Boutique client form (demo scan)"),
        content_type="application/pdf",
    )
    services.paper_form_capture(
        acting_user=client.primary_adviser,
        version=version,
        services=[registry.NEWSLETTERS, registry.EVENTS, "customer_relations"],
        values={
            "first_name": client.first_name,
            "last_name": client.last_name,
            "email": email.address if email else "",
            "phone": str(phone.number) if phone else "",
        },
        consents=[
            registry.NEWSLETTERS,
            registry.EVENTS,
            # ticked again: an allergy on file stays under its consent
            *([registry.ALLERGY_AWARE_SERVICE] if client.allergies.exists() else []),
        ],
        signed_on=timezone.localdate() - timedelta(days=3),
        scan=scan,
        boutique=client.home_boutique,
        client=client,
        # The form printed in the client's language (consents.documents).
        language=document_language(client.preferred_language).code,
    )
    return 1


def demo_signature_png() -> bytes:
    """A drawn-looking signature: a dark stroke on a transparent canvas,
    as the tablet's signature pad produces it."""
    image = Image.new("RGBA", (640, 200), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    points = [
        (40 + step * 9, 110 + 40 * math.sin(step / 4) - step * 0.6)
        for step in range(60)
    ]
    pen.line(points, fill=(26, 26, 26, 255), width=4, joint="curve")
    pen.line([(60, 160), (560, 150)], fill=(26, 26, 26, 255), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _seed_tablet_form() -> int:
    """The clienteling-tool form signed on the tablet by a Paris client,
    in their language, with the drawn signature kept as evidence."""
    client = (
        Client.objects.active()
        .filter(
            home_boutique__code="PAR-VENDOME",
            emails__is_primary=True,
            primary_adviser__isnull=False,
        )
        .exclude(client_number=PAPER_FORM_CLIENT)
        .order_by("client_number")
        .first()
    )
    if client is None or PaperFormSubmission.objects.filter(client=client).exists():
        return 0
    email = client.emails.filter(is_primary=True).first()
    signature = SimpleUploadedFile(
        "signature.png", demo_signature_png(), content_type="image/png"
    )
    services.tablet_capture(
        acting_user=client.primary_adviser,
        client=client,
        version=services.tablet_version(),
        services=[registry.NEWSLETTERS],
        values={
            "first_name": client.first_name,
            "last_name": client.last_name,
            "email": email.address,
        },
        consents=[registry.NEWSLETTERS, registry.EVENTS],
        signature=signature,
        boutique=client.home_boutique,
        language=document_language(client.preferred_language).code,
        now=timezone.now() - timedelta(days=1),
    )
    return 1


def _seed_outreach_list() -> int:
    """One newsletter list for the Paris boutique, built now (in-process,
    whether or not a broker is configured)."""
    if OutreachList.objects.exists():
        return 0
    manager = User.objects.filter(username="manager").first()
    boutique = Boutique.objects.filter(code="PAR-VENDOME").first()
    if manager is None or boutique is None:
        return 0
    requested = outreach.outreach_list_request(
        acting_user=manager,
        purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
        channel="email",
        boutique=boutique,
    )
    outreach.outreach_list_build(list_id=requested.pk)
    return 1


def _seed_email_campaign() -> int:
    """The demo's outreach list sent as an email campaign (decision 0068),
    once: its messages are contact events in the clients' histories. The
    demo sends them nowhere (Django's in-memory mail backend), whatever
    EMAIL_URL says."""
    from django.test.utils import override_settings

    from consents import campaigns
    from consents.models import EmailCampaign

    if EmailCampaign.objects.exists():
        return 0
    outreach_list = (
        OutreachList.objects.filter(channel="email", requested_by__username="manager")
        .select_related("job", "requested_by", "purpose")
        .first()
    )
    if outreach_list is None or campaigns.campaign_refusal(
        outreach_list.requested_by, outreach_list
    ):
        return 0
    campaign = campaigns.campaign_request(
        acting_user=outreach_list.requested_by, outreach_list=outreach_list
    )
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    ):
        campaigns.campaign_send_now(campaign_id=campaign.pk)
    return 1


def _seed_phone_consent() -> int:
    """An objection to newsletters (addresses suppressed), then consent
    given again by phone to customer service: the suppression is lifted,
    with its event naming the call's ledger row."""
    client = _demo_client(PHONE_CLIENT)
    agent = User.objects.filter(username="service").first()
    if (
        client is None
        or agent is None
        or ConsentConversation.objects.filter(client=client).exists()
    ):
        return 0
    services.consent_record(
        acting_user=client.primary_adviser,
        client=client,
        purpose_code=registry.NEWSLETTERS,
        decision=ConsentDecision.Decision.OBJECT,
        channel=Channel.EMAIL,
        now=timezone.now() - timedelta(days=60),
    )
    version = FormTemplateVersion.objects.get(
        template__code="clienteling-tool", number=1
    )
    conversations.conversation_consent_record(
        acting_user=agent,
        client=client,
        channel=ConsentConversation.Medium.PHONE,
        purpose_codes=[registry.NEWSLETTERS],
        decision=ConsentDecision.Decision.GRANT,
        version=version,
        language=document_language(client.preferred_language).code,
        reference="DEMO-CALL-0001",
    )
    return 1


def _seed_bounce_file() -> int:
    """A provider's file: a demo client's address bounced, and a complaint
    from an address of no client (suppressed all the same, counted)."""
    client = _demo_client(BOUNCED_CLIENT)
    officer = User.objects.filter(username="compliance").first()
    email = client.emails.first() if client else None
    if officer is None or email is None or BounceImport.objects.exists():
        return 0
    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    data = (
        "email,kind,date,provider_reference\n"
        f"{email.address},hard_bounce,{day},DEMO-MSG-0001\n"
        f"unknown.reader@example.org,complaint,{day},DEMO-MSG-0002\n"
    ).encode()
    bounces.bounces_import(acting_user=officer, data=data)
    return 1
