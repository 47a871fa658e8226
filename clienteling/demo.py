"""Demo records for clienteling: boutiques, one user per role, ~200 clients.

Fictional data only (example.com addresses, the reserved +33 1 99 00 and
+44 20 7946 0 phone ranges). Called by `manage.py seed_demo`; idempotent:
clients are keyed by a fixed demo client number.
"""

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from clienteling import roles, services
from clienteling.models import (
    Boutique,
    Client,
    ClientEmail,
    ClientPhone,
    Collection,
    ContactEvent,
    ContactPreference,
    HouseEvent,
    ImportantDate,
    Interest,
    Invitation,
    RingSize,
    SelectionItem,
    User,
)

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
]


@transaction.atomic
def seed(*, stdout) -> None:
    roles.sync_roles()
    boutiques = {}
    for data in BOUTIQUES:
        code = data["code"]
        fields = {k: v for k, v in data.items() if k != "code"}
        boutique, _ = Boutique.objects.update_or_create(code=code, defaults=fields)
        boutiques[code] = boutique
    for demo in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@staff.example.com",
                "is_staff": True,
                "is_active": True,
            },
        )
        user.set_password(demo.password)
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=demo.role)])
        user.boutiques.set([boutiques[code] for code in demo.boutiques])
        _demo_authenticator(user)
    stdout.write(f"Boutiques: {', '.join(boutiques)}")
    _seed_clients(boutiques, stdout=stdout)


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


def _phone(country: str, n: int) -> str:
    if country == "GB":
        return f"+44 20 7946 0{n % 1000:03d}"
    return f"+33 1 99 00 {n // 100 % 100:02d} {n % 100:02d}"


def _seed_clients(boutiques: dict[str, Boutique], *, stdout) -> None:
    """~200 clients with contact history, sizes, dates and selections."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    collections = [
        Collection.objects.get_or_create(name=name)[0] for name in COLLECTIONS
    ]
    advisers = {
        code: list(
            User.objects.filter(boutiques__code=code, groups__name=roles.ADVISER)
        )
        for code in boutiques
    }
    existing = set(
        Client.objects.filter(client_number__startswith="DEMO-").values_list(
            "client_number", flat=True
        )
    )
    today = timezone.localdate()
    codes = list(boutiques)
    created = 0
    for n in range(1, DEMO_CLIENT_COUNT + 1):
        number = f"DEMO-{n:04d}"
        if number in existing:
            continue
        code = codes[n % len(codes)]
        boutique = boutiques[code]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        adviser = rng.choice(advisers[code]) if advisers[code] else None
        client = Client(
            client_number=number,
            first_name=first,
            last_name=last,
            title=rng.choice(["mrs", "ms", "mr", ""]),
            birth_date=date(
                rng.randint(1950, 2002), rng.randint(1, 12), rng.randint(1, 28)
            ),
            nationality=boutique.country.code,
            preferred_language=boutique.language
            if boutique.language
            in dict(Client._meta.get_field("preferred_language").choices)
            else "en",
            home_boutique=boutique,
            primary_adviser=adviser,
            source=rng.choice(list(Client.Source.values)),
        )
        client.save()
        ClientEmail.objects.create(
            client=client,
            address=f"{first}.{last}.{n}@example.com".lower().replace(" ", ""),
            is_primary=True,
        )
        ClientPhone.objects.create(
            client=client, number=_phone(boutique.country.code, n), is_primary=True
        )
        ContactPreference.objects.create(
            client=client, channel=rng.choice(ContactPreference.Channel.values)
        )
        Interest.objects.create(client=client, collection=rng.choice(collections))
        if n % 3 == 0:
            RingSize.objects.create(
                client=client,
                finger=RingSize.Finger.LEFT_RING,
                system="EU",
                size=str(rng.randint(48, 58)),
                measured_at=today - timedelta(days=rng.randint(10, 900)),
            )
        if n % 4 == 0:
            # Some fall in the coming fortnight so follow-ups have work.
            when = today + timedelta(days=rng.randint(-200, 200))
            if (when.month, when.day) == (2, 29):
                when -= timedelta(days=1)
            ImportantDate.objects.create(
                client=client,
                kind=rng.choice(["wedding", "engagement", "anniversary"]),
                date=when.replace(year=when.year - rng.randint(1, 20)),
            )
        if n % 5 == 0:
            reference, name = rng.choice(PRODUCTS)
            SelectionItem.objects.create(
                client=client,
                product_reference=reference,
                product_name=name,
                added_at=timezone.now() - timedelta(days=rng.randint(1, 300)),
            )
        for _ in range(rng.randint(0, 4)):
            moment = timezone.make_aware(
                datetime.combine(today - timedelta(days=rng.randint(1, 1200)), time(11))
            )
            services.contact_log(
                acting_user=adviser,
                client=client,
                channel=rng.choice(ContactEvent.Channel.values),
                direction=rng.choice(ContactEvent.Direction.values),
                subject=rng.choice(SUBJECTS),
                summary="Demo note.",
                occurred_at=moment,
                boutique=boutique,
            )
        created += 1
    _seed_event(boutiques["PAR-VENDOME"])
    stdout.write(f"Demo clients: {created} created, {len(existing)} already there.")


def _seed_event(boutique: Boutique) -> None:
    event, _ = HouseEvent.objects.get_or_create(
        name="Private viewing: new high-jewellery collection",
        boutique=boutique,
        defaults={
            "starts_at": timezone.now() + timedelta(days=21),
            "capacity": 30,
        },
    )
    for client in Client.objects.filter(
        home_boutique=boutique, client_number__startswith="DEMO-"
    )[:12]:
        Invitation.objects.get_or_create(event=event, client=client)


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
