"""A client with a marker string in every free-text field of every model.

The marker is what the residue scan looks for after erasure; numbers
and dates cannot hold it, so the phone number and IP address are unique
markers of their own.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from clienteling import services as clienteling_services
from clienteling.models import (
    Appointment,
    Client,
    ClientAddress,
    ClientEmail,
    ClientPhone,
    Collection,
    ContactEvent,
    ContactPreference,
    FollowUp,
    HouseEvent,
    ImportantDate,
    Interest,
    Invitation,
    IpAddressSeen,
    RingSize,
    SelectionItem,
    SocialIdentifier,
    WebAccount,
    WebEvent,
)
from consents import registry
from consents import services as consent_services
from consents.models import (
    Channel,
    CookieChoice,
    PaperFormSubmission,
    WebsiteApiCall,
    WebsiteClient,
)
from tests.consents.factories import grant, paper_version


@dataclass
class Seeded:
    client: Client
    marker: str
    phone: str
    ip: str
    scan_name: str

    @property
    def needles(self) -> list[str]:
        return [self.marker, self.phone, self.ip]


def seed_client(*, marker: str, n: int, boutique, user) -> Seeded:
    """Every client model of the data map, with history and an admin log."""
    phone = f"+3319900{n:04d}"
    ip = f"198.51.100.{n}"
    client = Client.objects.create(
        client_number=f"M{n:04d}{marker[-8:].upper()}"[:20],
        title="mrs",
        first_name=f"{marker}-first",
        last_name=f"{marker}-last",
        birth_date=date(1980, 1, n % 28 + 1),
        nationality="FR",
        civil_status="married",
        home_boutique=boutique,
        primary_adviser=user,
        display_language="fr",
        cookie_consent="accepted",
        cookie_consent_at=timezone.now(),
        last_contact_at=timezone.now(),
    )
    # History: several edits of the client row and of a child row.
    for edit in range(3):
        client.first_name = f"{marker}-first-v{edit}"
        client._history_user = user
        client.save()
    email = ClientEmail.objects.create(
        client=client, address=f"{marker}@example.com", is_primary=True
    )
    email.address = f"{marker}.old@example.com"
    email.save()
    email.address = f"{marker}@example.com"
    email.save()
    ClientPhone.objects.create(client=client, number=phone, is_primary=True)
    ClientAddress.objects.create(
        client=client,
        line1=f"1 rue {marker}",
        line2=f"{marker} bis",
        postal_code="75001",
        city=f"Paris {marker}",
        region=marker,
        country="FR",
        is_primary=True,
    )
    SocialIdentifier.objects.create(client=client, network="instagram", handle=marker)
    WebAccount.objects.create(
        client=client, login_identifier=f"{marker}-login", created_at=timezone.now()
    )
    IpAddressSeen.objects.create(
        client=client,
        ip_address=ip,
        first_seen_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    collection, _ = Collection.objects.get_or_create(name="Joséphine")
    Interest.objects.create(client=client, collection=collection)
    ContactPreference.objects.create(client=client, channel="email")
    RingSize.objects.create(
        client=client,
        finger="left_ring",
        size="52",
        measured_at=date(2025, 5, 1),
        measured_by=user,
    )
    ImportantDate.objects.create(
        client=client, kind="wedding", date=date(2016, 6, 1), label=marker
    )
    grant(client, registry.ALLERGY_AWARE_SERVICE)
    clienteling_services.allergy_record(
        acting_user=user, client=client, metal="nickel", notes=f"{marker} notes"
    )
    contact = ContactEvent.objects.create(
        client=client,
        channel="phone",
        direction="inbound",
        outcome="reached",
        subject=f"{marker} subject",
        summary=f"{marker} summary",
        staff=user,
        occurred_at=timezone.now(),
    )
    contact.summary = f"{marker} summary, edited"
    contact.save()
    WebEvent.objects.create(
        client=client,
        kind="product_view",
        product_reference=marker[:40],
        occurred_at=timezone.now(),
        external_id=f"{marker}-web",
    )
    # The website intake API's rows (decision 0075): its replay record
    # (the first answer, event id) and the cookie choice.
    website = WebsiteClient.objects.create(name=f"Site {n}")
    WebsiteApiCall.objects.create(
        website_client=website,
        event_id=f"{marker}-call",
        endpoint="accounts",
        body_sha256="0" * 64,
        status_code=201,
        response={"client_number": client.client_number, "note": marker},
        client=client,
        at=timezone.now(),
    )
    CookieChoice.objects.create(
        client=client,
        website_client=website,
        preferences=True,
        statistics=True,
        advertising=False,
        decided_at=timezone.now(),
    )
    SelectionItem.objects.create(
        client=client,
        product_reference=marker[:40],
        product_name=marker,
        added_at=timezone.now(),
    )
    event, _ = HouseEvent.objects.get_or_create(
        name="Private viewing",
        boutique=boutique,
        defaults={"starts_at": timezone.now(), "capacity": 50},
    )
    Invitation.objects.create(event=event, client=client, invited_by=user)
    Appointment.objects.create(
        client=client,
        boutique=boutique,
        adviser=user,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
        purpose="viewing",
        notes=f"{marker} appointment notes",
    )
    FollowUp.objects.create(
        client=client,
        adviser=user,
        due_date=date(2026, 12, 1),
        reason="manual",
        note=f"{marker} note",
        source_key=f"{marker}-key",
    )
    # A website consent keeps the address and user agent.
    grant(client, registry.NEWSLETTERS)
    wording = (
        paper_version()
        .wordings.filter(purpose__code=registry.NEWSLETTERS, language="en")
        .first()
    )
    consent_services.consent_record(
        acting_user=None,
        client=client,
        purpose_code=registry.NEWSLETTERS,
        decision="withdraw",
        channel=Channel.WEBSITE,
        wording=wording,
        ip_address=ip,
        user_agent=f"Browser {marker}",
    )
    consent_services.soft_opt_in_record(
        acting_user=None,
        client=client,
        sale_at=timezone.now() - timedelta(days=1),
        sale_reference=f"{marker[:40]}",
        opt_out_offered=True,
    )
    # Orders before the restriction: a restricted record takes no changes.
    _seed_orders(client=client, marker=marker, user=user)
    consent_services.restriction_start(
        acting_user=None, client=client, reason=f"{marker} restriction"
    )
    # A signed paper form and its scan in private storage.
    scan = f"%PDF-1.4 signed by {marker}\n".encode()
    scan_name = f"scan-{marker}.pdf"[:80]
    path = consent_services.scan_path(scan_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(scan)
    PaperFormSubmission.objects.create(
        client=client,
        version=paper_version(),
        requested_services=["boutique_orders"],
        fields_completed=[f"{marker}"],
        signed_on=date(2026, 1, 5),
        boutique=boutique,
        scan_name=scan_name,
        scan_content_type="application/pdf",
        scan_size=len(scan),
        scan_sha256=hashlib.sha256(scan).hexdigest(),
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    # The admin log, as the admin writes it on a change with inlines.
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[client],
        action_flag=CHANGE,
        change_message=[{"added": {"name": "email address", "object": marker}}],
        single_object=True,
    )
    email_ct = ContentType.objects.get_for_model(ClientEmail)
    LogEntry.objects.create(
        user=user,
        content_type=email_ct,
        object_id=str(email.pk),
        object_repr=f"{marker}@example.com",
        action_flag=CHANGE,
        change_message=f"Changed {marker}",
    )
    client.refresh_from_db()
    return Seeded(client, marker, phone, ip, scan_name)


def _seed_orders(*, client, marker: str, user) -> None:
    """Orders data through the orders services: an invoiced order with an
    engraving and a note, a payment reference, a guarantee, a closed
    complaint and a closed after-sales case, all carrying the marker."""
    from decimal import Decimal

    from orders import services as order_services
    from orders.models import AfterSalesCase, Complaint, Order
    from tests.orders.factories import ProductFactory

    order = order_services.order_create(
        acting_user=user,
        client=client,
        boutique=client.home_boutique,
        lines=[
            order_services.LineInput(
                product=ProductFactory(), ring_size="52", engraving=f"{marker} forever"
            )
        ],
        notes=f"{marker} prefers rose gold",
        allergy_acknowledged=True,
    )
    order_services.order_transition(
        acting_user=user, order=order, status=Order.Status.CONFIRMED
    )
    order_services.invoice_issue(acting_user=user, order=order)
    order_services.payment_record(
        acting_user=user,
        order=order,
        method="card",
        amount=Decimal("10.00"),
        currency="EUR",
        provider_reference=f"tok-{marker}",
        card_brand="visa",
        card_last4="4242",
    )
    complaint = order_services.complaint_open(
        acting_user=user,
        client=client,
        channel="email",
        category="product_quality",
        description=f"{marker} clasp broke",
    )
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Complaint.Status.RESOLVED, resolution=f"{marker} repaired"
    )
    case = order_services.case_open(
        acting_user=user,
        client=client,
        boutique=client.home_boutique,
        kind="repair",
        piece_description=f"{marker} ring",
    )
    AfterSalesCase.objects.filter(pk=case.pk).update(status="returned")


def lift_restriction(client) -> None:
    """Exports and outreach leave restricted clients out: lift it."""
    from consents.models import Restriction

    for restriction in Restriction.objects.filter(client=client, lifted_at=None):
        consent_services.restriction_lift(acting_user=None, restriction=restriction)


def sharing_partner(boutique):
    """A partner whose shop-in-shop is the boutique (keys set by the caller)."""
    from privacy.models import Partner

    partner = Partner.objects.create(
        code="lafayette",
        name="Kaufhaus Exemple",
        agreement_reference="DSA-2026-014",
        agreement_signed_on=date(2026, 1, 10),
    )
    partner.boutiques.set([boutique])
    return partner


def grant_sharing_and_events(client) -> None:
    """Consents that put the client in every export and on an events list."""
    from privacy.sharing.eligibility import CROSS_GROUP

    for code in (CROSS_GROUP, registry.PARTNER_SHARING, registry.EVENTS):
        grant(client, code)
