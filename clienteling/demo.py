"""Demo records for clienteling: boutiques and one user per role.

Fictional data only. Called by `manage.py seed_demo`; idempotent.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction

from clienteling import roles
from clienteling.models import Boutique, User

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
    stdout.write(f"Boutiques: {', '.join(boutiques)}")


def logins() -> list[tuple[str, str, str]]:
    return [(d.role, d.username, d.password) for d in DEMO_USERS]
