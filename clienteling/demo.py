"""Demo records for clienteling: boutiques, one user per role, ~200 clients.

Fictional data only (example.com addresses, the reserved +33 1 99 00 and
+44 20 7946 0 phone ranges, documentation IP ranges). Called by
`manage.py seed_demo`; idempotent: clients are keyed by a fixed demo client
number, and an erased one by its creation time (see _seed_clients). Every
row goes through the services or full_clean(), so it is valid and has the
history row real use would give it.
"""

import base64
import hashlib
import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clienteling import services
from clienteling.models import (
    Appointment,
    Boutique,
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
    User,
    WebAccount,
)
from core import roles
from core.writes import save_with_author as _save

BOUTIQUES = [
    {
        "code": "PAR-VENDOME",
        "name": "Paris Vendôme",
        "kind": Boutique.Kind.OWN,
        "address_line": "12 place Vendôme",
        "postal_code": "75001",
        "city": "Paris",
        "country": "FR",
        "language": "fr",
        "latitude": Decimal("48.86746"),
        "longitude": Decimal("2.32944"),
    },
    {
        "code": "LON-BOND",
        "name": "London New Bond Street",
        "kind": Boutique.Kind.OWN,
        "address_line": "170 New Bond Street",
        "postal_code": "W1S 4RB",
        "city": "London",
        "country": "GB",
        "language": "en",
        "latitude": Decimal("51.51130"),
        "longitude": Decimal("-0.14377"),
    },
    {
        "code": "MUC-KAUFHAUS",
        "name": "Munich Kaufhaus Beispiel",
        "kind": Boutique.Kind.SHOP_IN_SHOP,
        "department_store": "Kaufhaus Beispiel (fictional)",
        "address_line": "Beispielstraße 1",
        "postal_code": "80331",
        "city": "Munich",
        "country": "DE",
        "language": "de",
        "latitude": Decimal("48.13743"),
        "longitude": Decimal("11.57549"),
    },
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str
    boutiques: tuple[str, ...]


# Demo-only passwords, printed by seed_demo; seed_demo refuses to run in
# staging and production.
DEMO_USERS = [
    DemoUser(
        "adviser",
        "demo-adviser-2026",
        roles.ADVISER,
        "Camille",
        "Demo",
        ("PAR-VENDOME",),
    ),
    DemoUser(
        "adviser.london",
        "demo-adviser-2026",
        roles.ADVISER,
        "Oliver",
        "Demo",
        ("LON-BOND",),
    ),
    DemoUser(
        "manager",
        "demo-manager-2026",
        roles.MANAGER,
        "Hélène",
        "Demo",
        ("PAR-VENDOME", "MUC-KAUFHAUS"),
    ),
    DemoUser(
        "service", "demo-service-2026", roles.CUSTOMER_SERVICE, "Samir", "Demo", ()
    ),
    DemoUser(
        "compliance", "demo-compliance-2026", roles.COMPLIANCE, "Inès", "Demo", ()
    ),
    # The second pair of eyes: erasures, real retention runs and rule
    # changes need an officer other than the one who asked (privacy.approvals).
    DemoUser(
        "compliance.second",
        "demo-compliance-2026",
        roles.COMPLIANCE,
        "Marc",
        "Demo",
        (),
    ),
]


@transaction.atomic
def seed(*, stdout) -> None:
    roles.sync_roles()
    boutiques = {}
    for data in BOUTIQUES:
        code = data["code"]
        fields = {k: v for k, v in data.items() if k != "code"}
        boutiques[code] = _create_or_update(Boutique, {"code": code}, fields)
    for demo in DEMO_USERS:
        user = _create_or_update(
            User,
            {"username": demo.username},
            {
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@staff.example.com",
                "is_staff": True,
                "is_active": True,
            },
        )
        if not user.check_password(demo.password):
            user.set_password(demo.password)
            user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=demo.role)])
        user.boutiques.set([boutiques[code] for code in demo.boutiques])
        _demo_authenticator(user)
    stdout.write(f"Boutiques: {', '.join(boutiques)}")
    _seed_clients(boutiques, stdout=stdout)


def _create_or_update(model, lookup: dict, values: dict):
    """update_or_create() that saves only what differs: an unchanged demo
    row gets no new history row, so a second run adds nothing."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**lookup, **values)
    changed = [k for k, v in values.items() if getattr(row, k) != v]
    if changed:
        for key in changed:
            setattr(row, key, values[key])
        row.save()
    return row


DEMO_CLIENT_COUNT = 200
COLLECTIONS = [
    "Joséphine",
    "Bee My Love",
    "Liens",
    "Jeux de Liens",
    "Torsade",
    "Hortensia",
    "Trilogie",
]
FIRST_NAMES = [
    "Camille",
    "Louise",
    "Hugo",
    "Léa",
    "Arthur",
    "Chloé",
    "Jules",
    "Emma",
    "Noah",
    "Alice",
    "Olivia",
    "George",
    "Amelia",
    "Harry",
    "Sophie",
    "Lukas",
    "Mia",
    "Yuki",
    "Chen",
    "Sofia",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Laurent",
    "Moreau",
    "Smith",
    "Taylor",
    "Brown",
    "Wilson",
    "Müller",
    "Schmidt",
    "Rossi",
    "Tanaka",
    "Wang",
    "García",
    "Lefèvre",
    "Fontaine",
    "Mercier",
]
SUBJECTS = [
    "Engagement ring consultation",
    "Collection preview",
    "Resizing question",
    "Thank-you call",
    "Anniversary gift ideas",
    "Invitation follow-up",
    "Engraving request",
]
PRODUCTS = [
    ("JOS-R-001", "Joséphine Aigrette ring"),
    ("BML-B-014", "Bee My Love bracelet"),
    ("LIE-N-203", "Liens Évidence necklace"),
    ("TOR-E-310", "Torsade earrings"),
    ("HOR-R-122", "Hortensia ring"),
]


CITIES = {
    "FR": [("75008", "Paris", "rue de l'Exemple"), ("69002", "Lyon", "quai Fictif")],
    "GB": [
        ("W1K 1AA", "London", "Example Mews"),
        ("M1 1AE", "Manchester", "Sample Row"),
    ],
    "DE": [("80331", "München", "Musterweg"), ("10115", "Berlin", "Beispielallee")],
}
SOCIAL = [
    SocialIdentifier.Network.INSTAGRAM,
    SocialIdentifier.Network.WECHAT,
    SocialIdentifier.Network.LINE,
]
# Fixed, so a second run finds the same records. Summaries are plain words:
# no digit runs a card-number detector could mistake for a card.
SUMMARIES = [
    "Showed the new pieces; will come back with her partner.",
    "Asked about engraving on the inside of the band.",
    "Prefers a call in the afternoon, after work.",
    "Thanked the boutique for the invitation.",
    "Wants a resizing estimate before the wedding.",
]
# The demo clients were "created" over the three years before this date, so
# lists, lapsing follow-ups and the retention dry run have something to show.
DEMO_EPOCH = datetime(2023, 1, 9, 10, 0, tzinfo=UTC)
# Extra demo records beyond the 200: duplicates of existing demo clients.
# (number, duplicate of, shared value, merged by the demo?)
DUPLICATES = [
    ("DEMO-0201", "DEMO-0003", "email", False),
    ("DEMO-0202", "DEMO-0006", "phone", True),
]


def _phone(country: str, n: int) -> str:
    if country == "GB":
        return f"+44 20 7946 0{n % 1000:03d}"
    return f"+33 1 99 00 {n // 100 % 100:02d} {n % 100:02d}"


def ascii_name(value: str) -> str:
    """ "Müller" -> "muller": email local parts are plain ASCII (Django's
    EmailValidator refuses accented ones, so the client page would not save)."""
    folded = unicodedata.normalize("NFKD", value)
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def demo_email(first: str, last: str, n: int) -> str:
    return f"{ascii_name(first)}.{ascii_name(last)}.{n}@example.com"


def demo_created_at(n: int) -> datetime:
    """When demo client n was created: fixed per client, and kept by an
    erasure (the tombstone keeps created_at), which is how a second run
    knows an erased demo client and does not bring them back."""
    return DEMO_EPOCH + timedelta(days=5 * n, minutes=n)


def _seed_clients(boutiques: dict[str, Boutique], *, stdout) -> None:
    """~200 clients with every kind of client detail, through the services.

    A demo client is keyed by its number while it exists, and by its
    creation time once erased: an erasure replaces the number (ERASED-<id>)
    but keeps created_at, so an erased demo client stays erased.
    """
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    collections = [
        Collection.objects.get_or_create(name=name)[0] for name in COLLECTIONS
    ]
    advisers = {
        code: list(
            User.objects.filter(boutiques__code=code, groups__name=roles.ADVISER)
            .order_by("username")
            .distinct()
        )
        for code in boutiques
    }
    existing = set(
        Client.objects.filter(client_number__startswith="DEMO-").values_list(
            "client_number", flat=True
        )
    )
    erased = set(
        Client.objects.filter(
            created_at__in=[demo_created_at(n) for n in range(1, DEMO_CLIENT_COUNT + 1)]
        )
        .exclude(client_number__startswith="DEMO-")
        .values_list("created_at", flat=True)
    )
    today = timezone.localdate()
    codes = list(boutiques)
    created = skipped_erased = 0
    rows: dict = {}
    for n in range(1, DEMO_CLIENT_COUNT + 1):
        number = f"DEMO-{n:04d}"
        # The draws happen for every n, so client n is the same person
        # whichever clients already exist.
        code = codes[n % len(codes)]
        boutique = boutiques[code]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        adviser = rng.choice(advisers[code]) if advisers[code] else None
        seed = rng.random()
        if number in existing:
            continue
        if demo_created_at(n) in erased:
            skipped_erased += 1
            continue
        _seed_client(
            n,
            number=number,
            boutique=boutique,
            first=first,
            last=last,
            adviser=adviser,
            rng=random.Random(seed),  # noqa: S311 - demo data, not security
            collections=collections,
            today=today,
            rows=rows,
        )
        created += 1
    _bulk_create(rows)
    _repair_demo_emails()
    _seed_duplicates()
    _seed_events(boutiques)
    _seed_follow_ups(today)
    _seed_appointments(today)
    _seed_web_activity()
    stdout.write(
        f"Demo clients: {created} created, {len(existing)} already there, "
        f"{skipped_erased} erased (left erased)."
    )


def _seed_client(
    n, *, number, boutique, first, last, adviser, rng, collections, today, rows
) -> Client:
    """The client through the service; their details appended to `rows`
    (model -> objects), written in bulk with their history afterwards."""
    country = boutique.country.code
    client = services.client_create(
        acting_user=adviser,
        home_boutique=boutique,
        first_name=first,
        last_name=last,
        source=rng.choice(list(Client.Source.values)),
        email=demo_email(first, last, n),
        phone=_phone(country, n),
        client_number=number,
        title=rng.choice(["mrs", "ms", "mr", ""]),
        birth_date=date(
            rng.randint(1950, 2002), rng.randint(1, 12), rng.randint(1, 28)
        ),
        nationality=country,
        preferred_language=boutique.language
        if boutique.language
        in dict(Client._meta.get_field("preferred_language").choices)
        else "en",
        civil_status=rng.choice(Client.CivilStatus.values),
        primary_adviser=adviser,
    )
    Client.objects.filter(pk=client.pk).update(created_at=demo_created_at(n))
    client.created_at = demo_created_at(n)

    def add(obj):
        obj._history_user = adviser
        rows.setdefault(type(obj), []).append(obj)

    if n % 2 == 0:
        postal_code, city, street = rng.choice(CITIES[country])
        add(
            ClientAddress(
                client=client,
                line1=f"{rng.randint(1, 90)} {street}",
                postal_code=postal_code,
                city=city,
                country=country,
                is_primary=True,
            )
        )
    if n % 7 == 0:
        add(
            ClientEmail(
                client=client,
                address=f"{ascii_name(first)}.{n}@work.example.com",
                is_primary=False,
            )
        )
        add(
            ClientPhone(
                client=client,
                kind=ClientPhone.Kind.LANDLINE,
                number=_phone(country, n + 500),
            )
        )
    if n % 9 == 0:
        add(
            SocialIdentifier(
                client=client,
                network=rng.choice(SOCIAL),
                handle=f"{ascii_name(first)}_{ascii_name(last)}_demo",
            )
        )
    add(
        ContactPreference(
            client=client,
            channel=rng.choice(ContactPreference.Channel.values),
            time_window=rng.choice(ContactPreference.TimeWindow.values),
        )
    )
    add(Interest(client=client, collection=rng.choice(collections)))
    if n % 3 == 0:
        size = RingSize(
            client=client,
            finger=rng.choice(RingSize.Finger.values),
            system="EU",
            size=str(rng.randint(48, 58)),
            measured_at=today - timedelta(days=rng.randint(10, 900)),
            measured_by=adviser,
        )
        size.clean()  # computes the circumference, as save() would
        add(size)
    if n % 4 == 0:
        # Some fall in the coming fortnight so follow-ups have work.
        when = today + timedelta(days=rng.randint(-200, 200))
        if (when.month, when.day) == (2, 29):
            when -= timedelta(days=1)
        add(
            ImportantDate(
                client=client,
                kind=rng.choice(["wedding", "engagement", "anniversary", "birthday"]),
                date=when.replace(year=when.year - rng.randint(1, 20)),
            )
        )
    if n % 5 == 0:
        reference, name = rng.choice(PRODUCTS)
        add(
            SelectionItem(
                client=client,
                product_reference=reference,
                product_name=name,
                added_at=timezone.now() - timedelta(days=rng.randint(1, 300)),
            )
        )
    for _ in range(rng.randint(0, 2)):
        moment = timezone.make_aware(
            datetime.combine(today - timedelta(days=rng.randint(1, 1000)), time(11))
        )
        services.contact_log(
            acting_user=adviser,
            client=client,
            channel=rng.choice(ContactEvent.Channel.values),
            direction=rng.choice(ContactEvent.Direction.values),
            subject=rng.choice(SUBJECTS),
            summary=rng.choice(SUMMARIES),
            outcome=rng.choice(ContactEvent.Outcome.values),
            occurred_at=max(moment, client.created_at),
            boutique=boutique,
        )
    return client


def _bulk_create(rows: dict) -> None:
    """Each model's rows in one INSERT, with one history row each (as a save
    would write). Valid by construction: the demo's test full_clean()s every
    row after seeding."""
    for model, objs in rows.items():
        bulk_create_with_history(objs, model, batch_size=500)


def _repair_demo_emails() -> None:
    """Demo databases seeded before the addresses were made ASCII hold
    emails the client page refuses ("léa.müller.4@..."): rewrite them."""
    for email in ClientEmail.objects.filter(
        client__client_number__startswith="DEMO-"
    ).select_related("client"):
        try:
            email.full_clean()
        except ValidationError:
            local, _, domain = email.address.rpartition("@")
            email.address = (
                ".".join(ascii_name(part) for part in local.split(".")) + "@" + domain
            )
            _save(email, None)


def _seed_duplicates() -> None:
    """Two records that look like the same person, detected as staff would
    see them: one flag left open, one pair merged."""
    for number, original_number, shared, merge in DUPLICATES:
        original = Client.objects.filter(client_number=original_number).first()
        if original is None:
            continue
        duplicate = Client.objects.filter(client_number=number).first()
        if duplicate is None:
            email = original.emails.filter(is_primary=True).first()
            phone = original.phones.filter(is_primary=True).first()
            duplicate = services.client_create(
                acting_user=original.primary_adviser,
                home_boutique=original.home_boutique,
                first_name=original.first_name,
                last_name=original.last_name,
                source=Client.Source.WEB,
                client_number=number,
                email=email.address.upper() if shared == "email" and email else "",
                phone=str(phone.number) if shared == "phone" and phone else "",
                preferred_language=original.preferred_language,
            )
        services.duplicates_detect(client_ids=[original.pk, duplicate.pk])
        both_active = Client.Status.ACTIVE == duplicate.status == original.status
        if merge and both_active:
            services.client_merge(
                acting_user=original.primary_adviser,
                survivor=original,
                duplicate=duplicate,
            )


def _seed_events(boutiques: dict[str, Boutique]) -> None:
    """A coming private viewing (invitations and answers) and a past launch
    (who came and who did not)."""
    now = timezone.now()
    for boutique, name, days, statuses in (
        (
            boutiques["PAR-VENDOME"],
            "Private viewing: new high-jewellery collection",
            21,
            ["accepted", "declined", "invited"],
        ),
        (
            boutiques["LON-BOND"],
            "Launch evening: Trait d'Union",
            -40,
            ["attended", "no_show", "attended", "declined"],
        ),
    ):
        event = HouseEvent.objects.filter(name=name, boutique=boutique).first()
        if event is None:
            event = HouseEvent(
                name=name,
                boutique=boutique,
                starts_at=now + timedelta(days=days),
                capacity=30,
                description="Fictional demo event.",
            )
            _save(event, None)
        guests = Client.objects.filter(
            home_boutique=boutique,
            client_number__startswith="DEMO-",
            status=Client.Status.ACTIVE,
        ).order_by("client_number")[:12]
        for index, client in enumerate(guests):
            if Invitation.objects.filter(event=event, client=client).exists():
                continue
            invitation = Invitation(
                event=event, client=client, invited_by=client.primary_adviser
            )
            _save(invitation, client.primary_adviser)
            status = statuses[index % len(statuses)]
            if status != Invitation.Status.INVITED:
                services.invitation_set_status(
                    acting_user=client.primary_adviser,
                    invitation=invitation,
                    status=status,
                )


def _seed_follow_ups(today: date) -> None:
    """Manual follow-ups in each state (open, overdue, done, dismissed),
    plus what the nightly generation makes from dates and lapsing clients."""
    plan = [
        (8, 7, FollowUp.Status.OPEN, "Call about the resizing estimate"),
        (16, -5, FollowUp.Status.OPEN, "Send the catalogue (overdue)"),
        (24, -20, FollowUp.Status.DONE, "Thank-you call after the viewing"),
        (32, -3, FollowUp.Status.DISMISSED, "Invite to the launch"),
        (40, 14, FollowUp.Status.OPEN, "Propose an engraving appointment"),
        (48, -10, FollowUp.Status.OPEN, "Follow up on the gift idea (overdue)"),
    ]
    for n, days, status, note in plan:
        client = Client.objects.filter(client_number=f"DEMO-{n:04d}").first()
        if client is None:
            continue
        follow_up = services.follow_up_create(
            acting_user=client.primary_adviser,
            client=client,
            due_date=today + timedelta(days=days),
            note=note,
            source_key=f"demo:{client.client_number}",
        )
        if follow_up is not None and status == FollowUp.Status.DONE:
            services.follow_up_complete(
                acting_user=client.primary_adviser,
                follow_up=follow_up,
                outcome=FollowUp.Outcome.APPOINTMENT_BOOKED,
            )
        elif follow_up is not None and status != FollowUp.Status.OPEN:
            follow_up.status = status
            _save(follow_up, client.primary_adviser)
    services.follow_ups_generate(
        today=today,
        client_ids=list(
            Client.objects.filter(client_number__startswith="DEMO-").values_list(
                "pk", flat=True
            )
        ),
    )


def _seed_appointments(today: date) -> None:
    """Appointments through the services: past ones attended or missed,
    today's, this week's, one cancelled. Seeded once."""
    if Appointment.objects.filter(client__client_number__startswith="DEMO-").exists():
        return
    plan = [
        # (client n, days from today, hour, purpose, then)
        (8, -6, 11, Appointment.Purpose.RING_SIZING, Appointment.Status.ATTENDED),
        (16, -3, 15, Appointment.Purpose.VIEWING, Appointment.Status.NO_SHOW),
        (24, 0, 17, Appointment.Purpose.COLLECTION, None),
        (32, 1, 11, Appointment.Purpose.ENGAGEMENT, None),
        (40, 3, 14, Appointment.Purpose.AFTER_SALES, None),
        (48, 4, 16, Appointment.Purpose.VIEWING, Appointment.Status.CANCELLED),
    ]
    for n, days, hour, purpose, then in plan:
        client = (
            Client.objects.filter(client_number=f"DEMO-{n:04d}")
            .select_related("primary_adviser", "home_boutique")
            .first()
        )
        if client is None or client.primary_adviser is None:
            continue
        starts_at = timezone.make_aware(
            datetime.combine(today + timedelta(days=days), time(hour))
        )
        booked_on = min(starts_at, timezone.now()) - timedelta(days=7)
        appointment = services.appointment_book(
            acting_user=client.primary_adviser,
            client=client,
            boutique=client.home_boutique,
            adviser=client.primary_adviser,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            purpose=purpose,
            notes="Demo appointment",
            now=booked_on,
        )
        if then == Appointment.Status.CANCELLED:
            services.appointment_cancel(
                acting_user=client.primary_adviser, appointment=appointment
            )
        elif then is not None:
            services.appointment_mark(
                acting_user=client.primary_adviser,
                appointment=appointment,
                status=then,
            )


def _seed_web_activity() -> None:
    """Website accounts, addresses seen, and imported website events for
    every sixth demo client (documentation IP ranges only). Their cookie
    banner choice: accepted, except every fourth of them who refused, whose
    events the import leaves out (decision 0076)."""
    clients = Client.objects.filter(
        client_number__startswith="DEMO-", status=Client.Status.ACTIVE
    ).order_by("client_number")
    rows = []
    now = timezone.now()
    for index, client in enumerate(clients):
        n = int(client.client_number.removeprefix("DEMO-"))
        if n % 6:
            continue
        if not client.cookie_consent:
            client.cookie_consent = (
                Client.CookieConsent.REFUSED
                if n % 24 == 0
                else Client.CookieConsent.ACCEPTED
            )
            client.cookie_consent_at = client.created_at
            _save(client, None)
        email = client.emails.filter(is_primary=True).first()
        if (
            email
            and not WebAccount.objects.filter(client=client).exists()
            and not WebAccount.objects.filter(login_identifier=email.address).exists()
        ):
            _save(
                WebAccount(
                    client=client,
                    login_identifier=email.address,
                    created_at=client.created_at,
                    last_login_at=now - timedelta(days=n % 60 + 1),
                ),
                None,
            )
        ip = f"192.0.2.{n % 250 + 1}" if n % 12 else f"2001:db8::{n:x}"
        if not IpAddressSeen.objects.filter(client=client, ip_address=ip).exists():
            _save(
                IpAddressSeen(
                    client=client,
                    ip_address=ip,
                    first_seen_at=client.created_at,
                    last_seen_at=now - timedelta(days=n % 60 + 1),
                ),
                None,
            )
        reference = PRODUCTS[index % len(PRODUCTS)][0]
        for k, (kind, days) in enumerate(
            [("login", 30), ("product_view", 20), ("selection_added", 10)]
        ):
            rows.append(
                {
                    "client_number": client.client_number,
                    "external_id": f"demo-{client.client_number}-{k}",
                    "kind": kind,
                    "product_reference": "" if kind == "login" else reference,
                    "occurred_at": (now - timedelta(days=days + n % 7)).isoformat(),
                }
            )
    if rows:
        services.web_events_import(rows=rows)


def _demo_authenticator(user: User) -> None:
    """A confirmed TOTP device with a key derived from the username.

    Demo only: the key is printed by seed_demo (add it to an authenticator
    app) and `manage.py demo_totp USERNAME` prints the current code.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = hashlib.sha256(f"ecrin-demo-totp:{user.username}".encode()).hexdigest()[:40]
    TOTPDevice.objects.update_or_create(
        user=user, name="Demo authenticator", defaults={"key": key, "confirmed": True}
    )


def demo_totp_secret(username: str) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, name="Demo authenticator")
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def logins() -> list[tuple[str, str, str]]:
    return [(d.role, d.username, d.password) for d in DEMO_USERS]
