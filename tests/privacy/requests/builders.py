"""A client with data in every client model of the data map.

BUILDERS is keyed by model label; test_report checks it covers
core.data_map.client_models(), so a new client model (orders, when
merged) fails the report test until it gets a builder here.
"""

import hashlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from clienteling.models import (
    Appointment,
    ClientAddress,
    ClientEmail,
    ClientPhone,
    Collection,
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
from consents import registry
from consents import services as consent_services
from privacy import requests as dsr
from privacy.models import DataSubjectRequest
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, UserFactory
from tests.consents.factories import grant
from tests.consents.test_capture import _capture

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _client_with_form(boutique, tag):
    result = _capture(
        boutique=boutique,
        values={
            "first_name": f"Prénom{tag}",
            "last_name": f"Famille{tag}",
            "email": f"{tag.lower()}@example.com",
            "address_line1": f"{len(tag)} rue {tag}",
            "city": "Paris",
            "country": "FR",
        },
    )
    return result.client


def fill(tag: str = "Sujet", boutique=None):
    """A client holding rows in every client model; returns (client, rows)."""
    boutique = boutique or BoutiqueFactory()
    staff = UserFactory(first_name="Agathe", last_name="Conseil", boutiques=[boutique])
    client = _client_with_form(boutique, tag)
    other = ClientFactory(home_boutique=boutique)
    event = HouseEvent.objects.create(
        name=f"Soirée {tag}", boutique=boutique, starts_at=NOW, capacity=10
    )
    collection, _ = Collection.objects.get_or_create(name="Joséphine")
    grant(client, registry.ALLERGY_AWARE_SERVICE)
    grant(client, "cross_group_intelligence")
    rows = {
        "clienteling.Client": [client],
        "clienteling.ClientEmail": list(ClientEmail.objects.filter(client=client)),
        "clienteling.ClientPhone": [
            ClientPhone.objects.create(client=client, number="+33199001234")
        ],
        "clienteling.ClientAddress": list(ClientAddress.objects.filter(client=client)),
        "clienteling.SocialIdentifier": [
            SocialIdentifier.objects.create(
                client=client, network="instagram", handle=f"@{tag.lower()}"
            )
        ],
        "clienteling.WebAccount": [
            WebAccount.objects.create(
                client=client, login_identifier=f"{tag.lower()}-web", created_at=NOW
            )
        ],
        "clienteling.IpAddressSeen": [
            IpAddressSeen.objects.create(
                client=client,
                ip_address="192.0.2.10",
                first_seen_at=NOW,
                last_seen_at=NOW,
            )
        ],
        "clienteling.Interest": [
            Interest.objects.create(client=client, collection=collection)
        ],
        "clienteling.ContactPreference": [
            ContactPreference.objects.create(client=client, channel="email")
        ],
        "clienteling.RingSize": [
            RingSize.objects.create(
                client=client,
                finger="left_ring",
                system="FR",
                size="52",
                circumference_mm=Decimal("52.0"),
                measured_at=date(2026, 1, 5),
                measured_by=staff,
            )
        ],
        "clienteling.ImportantDate": [
            ImportantDate.objects.create(
                client=client, kind="wedding", date=date(2026, 6, 20), label="Mariage"
            )
        ],
        "clienteling.MetalAllergy": [
            MetalAllergy.objects.create(
                client=client, metal="nickel", notes=f"Réaction légère {tag}"
            )
        ],
        "clienteling.ContactEvent": [
            ContactEvent.objects.create(
                client=client,
                channel="phone",
                direction="inbound",
                subject=f"Bague {tag}",
                summary=f"Souhaite revoir la bague {tag}",
                staff=staff,
                boutique=boutique,
                occurred_at=NOW,
            )
        ],
        "clienteling.WebEvent": [
            WebEvent.objects.create(
                client=client,
                kind="product_view",
                product_reference="J-100",
                occurred_at=NOW,
                external_id=f"web-{tag}",
            )
        ],
        "clienteling.SelectionItem": [
            SelectionItem.objects.create(
                client=client,
                product_reference="J-100",
                product_name="Bague Joséphine",
                added_at=NOW,
            )
        ],
        "clienteling.Invitation": [
            Invitation.objects.create(event=event, client=client)
        ],
        "clienteling.FollowUp": [
            FollowUp.objects.create(
                client=client,
                due_date=date(2026, 6, 1),
                reason="manual",
                note=f"Rappeler {tag}",
                adviser=staff,
            )
        ],
        "clienteling.DuplicateFlag": [
            DuplicateFlag.objects.create(
                client=min(client, other, key=lambda c: c.pk),
                other=max(client, other, key=lambda c: c.pk),
                reason="same_email",
            )
        ],
    }
    from consents.models import (
        ConsentDecision,
        PaperFormSubmission,
        Restriction,
        SoftOptIn,
    )

    consent_services.soft_opt_in_record(
        acting_user=None,
        client=client,
        sale_at=NOW,
        sale_reference=f"S-{tag}",
        opt_out_offered=True,
    )
    request = dsr.request_open(
        acting_user=staff,
        client=client,
        kind=DataSubjectRequest.Kind.RESTRICTION,
        channel="email",
        received_on=date(2026, 3, 1),
        details=f"Limitez le traitement {tag}",
        now=NOW,
    )
    request = dsr.request_verify_identity(
        acting_user=staff, request=request, method="known_email", now=NOW
    )
    request = dsr.request_restrict(
        acting_user=staff, request=request, reason=f"Exactitude contestée {tag}"
    )
    dsr.request_lift_restriction(acting_user=staff, request=request)
    rectification = dsr.request_open(
        acting_user=staff,
        client=client,
        kind=DataSubjectRequest.Kind.RECTIFICATION,
        channel="post",
        received_on=date(2026, 3, 1),
        now=NOW,
    )
    rectification = dsr.request_verify_identity(
        acting_user=staff,
        request=rectification,
        method="signed_letter",
        now=timezone.now() - timedelta(minutes=1),
    )
    client.title = "mrs"
    client._history_user = staff
    client.save()
    edits = dsr.rectification_link_edits(acting_user=staff, request=rectification)
    access = dsr.request_open(
        acting_user=staff,
        client=client,
        kind=DataSubjectRequest.Kind.ACCESS,
        channel="email",
        received_on=date(2026, 3, 1),
        now=NOW,
    )
    access = dsr.request_verify_identity(
        acting_user=staff, request=access, method="known_email", now=NOW
    )
    rows.update(
        {
            "consents.PaperFormSubmission": list(
                PaperFormSubmission.objects.filter(client=client)
            ),
            "consents.ConsentDecision": list(
                ConsentDecision.objects.filter(client=client)
            ),
            "consents.SoftOptIn": list(SoftOptIn.objects.filter(client=client)),
            "consents.Restriction": [
                Restriction.objects.get(pk=request.restriction_id)
            ],
            "privacy.DataSubjectRequest": [request, rectification, access],
            "privacy.RequestEdit": edits,
        }
    )
    rows.update(orders_of(client, tag))
    rows.update(_sharing(client, tag))
    rows.update(_erasure(client, tag, staff))
    # Orders, cases and complaints log contacts and soft opt-in themselves.
    rows["clienteling.Appointment"] = [
        Appointment.objects.create(
            client=client,
            boutique=boutique,
            adviser=staff,
            starts_at=NOW + timedelta(days=3),
            ends_at=NOW + timedelta(days=3, hours=1),
            purpose=Appointment.Purpose.RING_SIZING,
            notes=f"Essayage {tag}",
        )
    ]
    rows["clienteling.ContactEvent"] = list(ContactEvent.objects.filter(client=client))
    rows["consents.SoftOptIn"] = list(SoftOptIn.objects.filter(client=client))
    from consents.models import ParentalConsent

    rows["consents.ParentalConsent"] = [
        ParentalConsent.objects.create(
            client=client,
            parent_name=f"Claire {tag}",
            relation=ParentalConsent.Relation.MOTHER,
            given_on=date(2026, 11, 30),
            evidence_name=f"parental-{tag}.pdf",
            evidence_content_type="application/pdf",
            evidence_size=100,
            evidence_sha256="0" * 64,
            recorded_by=staff,
            recorded_at=timezone.now(),
        )
    ]
    # Issue 19: a consent given by phone (decision 0072), the website's
    # cookie choice and one accepted API call about the client (0075).
    from consents.models import ConsentConversation, CookieChoice, WebsiteApiCall
    from tests.consents.factories import WebsiteClientFactory

    rows["consents.ConsentConversation"] = [
        ConsentConversation.objects.create(
            client=client,
            channel=ConsentConversation.Medium.PHONE,
            reference=f"CALL-{tag}",
            recorded_by=staff,
            recorded_at=NOW,
        )
    ]
    website = WebsiteClientFactory(boutiques=[boutique])
    rows["consents.CookieChoice"] = [
        CookieChoice.objects.create(
            client=client,
            website_client=website,
            preferences=True,
            statistics=False,
            advertising=False,
            decided_at=NOW,
        )
    ]
    rows["consents.WebsiteApiCall"] = [
        WebsiteApiCall.objects.create(
            website_client=website,
            event_id=f"evt-{tag}",
            endpoint="cookie-choices",
            body_sha256="0" * 64,
            status_code=200,
            response={"stored": True},
            client=client,
            at=NOW,
        )
    ]
    from privacy import letters

    rows["privacy.RequestLetter"] = [
        letters.letter_send(
            acting_user=staff,
            request=access,
            kind=letters.Kind.ACKNOWLEDGEMENT,
            now=NOW,
        )
    ]
    # A breach that affected the client (recorded by id, decision 0060).
    from privacy import breaches
    from privacy.models import Breach, BreachClient

    breach = breaches.breach_record(
        acting_user=staff,
        query={"client_numbers": [client.client_number]},
        now=NOW,
        title=f"Tablet lost {tag}",
        occurred_at=NOW - timedelta(hours=5),
        aware_at=NOW - timedelta(hours=1),
        nature=Breach.Nature.CONFIDENTIALITY,
        description="A tablet with the client list was lost.",
        data_categories=["identity", "contact"],
        people_categories=["clients"],
        approx_people=1,
        approx_records=1,
        consequences="Unsolicited contact.",
        measures_taken="Device wiped remotely.",
        measures_proposed="Disk encryption.",
    )
    rows["privacy.BreachClient"] = list(BreachClient.objects.filter(breach=breach))
    # The letter the breach-letters job emailed the client (decision 0097).
    from core.models import Job
    from privacy.models import BreachLetter

    rows["privacy.BreachLetter"] = [
        BreachLetter.objects.create(
            breach=breach,
            client=client,
            job=Job.objects.create(
                kind="privacy.breach_letters",
                label=f"Breach letters {tag}",
                status=Job.Status.DONE,
                created_at=NOW,
            ),
            outcome=BreachLetter.Outcome.SENT,
            attempts=1,
            sent_at=NOW,
        )
    ]
    # The client's event guest list given to its organiser (decision 0106).
    from privacy import organisers
    from privacy.models import OrganiserDisclosure
    from tests.privacy.factories import OrganiserFactory

    Invitation.objects.filter(event=event, client=client).update(
        status=Invitation.Status.ACCEPTED
    )
    for invitation in rows["clienteling.Invitation"]:
        invitation.refresh_from_db()
    organisers.guest_list_give(
        acting_user=None,
        event=event,
        organiser=OrganiserFactory(),
        categories=["names"],
    )
    rows["privacy.OrganiserDisclosure"] = list(
        OrganiserDisclosure.objects.filter(client=client)
    )
    return client, rows, access, staff


def _erasure(client, tag, staff):
    """An erasure the client asked for that a legal hold stopped."""
    from privacy.models import ErasureJob

    job = ErasureJob.objects.create(
        client=client,
        requested_by=staff,
        requested_at=NOW,
        status=ErasureJob.Status.REFUSED,
    )
    return {"privacy.ErasureJob": [job]}


def orders_of(client, tag):
    """An invoiced order with payment and guarantee, a case, a complaint."""
    from orders import services as orders_services
    from orders.models import (
        AfterSalesCase,
        Complaint,
        Guarantee,
        Invoice,
        InvoiceLine,
        Order,
        OrderLine,
        Payment,
    )
    from tests.orders.factories import order

    sold = order(client=client, status="invoiced")
    orders_services.payment_record(
        acting_user=None,
        order=sold,
        method="cash",
        amount=sold.total,
        currency=sold.currency,
    )
    orders_services.case_open(
        acting_user=None,
        client=client,
        boutique=client.home_boutique,
        kind="cleaning",
        piece_description=f"Bague {tag}",
    )
    orders_services.complaint_open(
        acting_user=None,
        client=client,
        channel="phone",
        category="other",
        description=f"Réclamation {tag}",
    )
    return {
        "orders.Order": list(Order.objects.filter(client=client)),
        "orders.OrderLine": list(OrderLine.objects.filter(order__client=client)),
        "orders.Payment": list(Payment.objects.filter(order__client=client)),
        "orders.Invoice": list(Invoice.objects.filter(client=client)),
        "orders.InvoiceLine": list(InvoiceLine.objects.filter(invoice__client=client)),
        "orders.Guarantee": list(Guarantee.objects.filter(client=client)),
        "orders.AfterSalesCase": list(AfterSalesCase.objects.filter(client=client)),
        "orders.Complaint": list(Complaint.objects.filter(client=client)),
    }


def _sharing(client, tag):
    """A disclosure to the group and the insight received back."""
    from privacy.models import (
        Disclosure,
        GroupInsight,
        InsightImport,
        RecipientNotice,
        SharingBatch,
    )

    batch = SharingBatch.objects.create(
        kind="group",
        created_at=NOW,
        consent_snapshot_at=NOW,
        rule_version="1",
        key_id="k1",
        folder=f"group/{tag}",
        manifest_sha256="0" * 64,
    )
    received = InsightImport.objects.create(
        batch_id=f"in-{tag}",
        imported_at=NOW,
        file_sha256="1" * 64,
        rows_total=1,
        rows_linked=1,
        dropped_withdrawn=0,
        dropped_unknown=0,
    )
    return {
        "privacy.Disclosure": [
            Disclosure.objects.create(
                recipient="group", client=client, first_batch=batch, last_batch=batch
            )
        ],
        "privacy.RecipientNotice": [
            RecipientNotice.objects.create(
                recipient="group",
                client=client,
                client_ref=hashlib.sha256(f"notice:{tag}".encode()).hexdigest(),
                key_id="k1",
                kind="restriction",
                how="file",
                reference=f"restriction#{tag}",
                queued_at=NOW,
                sent_at=NOW,
                outcome="sent",
            )
        ],
        "privacy.GroupInsight": [
            GroupInsight.objects.create(
                client=client,
                source_import=received,
                segment_codes=["S1"],
                preferred_categories=["ring"],
                house_affinity={"jewellery": 0.8},
                received_at=NOW,
            )
        ],
    }
