"""Fixtures of the sharing tests: clients with consents, fake purchases."""

from datetime import UTC, date, datetime
from decimal import Decimal

from clienteling.models import ClientAddress
from consents import services
from consents.models import ConsentDecision
from orders.selectors import PurchaseRow
from privacy.sharing.eligibility import CROSS_GROUP
from tests.clienteling.factories import ClientFactory, EmailFactory, PhoneFactory
from tests.consents.factories import grant

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def person(n: int, boutique=None, **kwargs):
    """A client with a distinctive name, email, phone, birth date, address."""
    extra = {"home_boutique": boutique} if boutique else {}
    client = ClientFactory(
        first_name=f"Zephyrine{n}",
        last_name=f"Quillfeather{n}",
        birth_date=date(1980, 1, 1 + n % 27),
        **extra,
        **kwargs,
    )
    EmailFactory(client=client, address=f"zephyrine{n}.q@example.com")
    PhoneFactory(client=client, number=f"+3319900{7000 + n:04d}")
    ClientAddress.objects.create(
        client=client,
        line1=f"{n} rue du Secret",
        postal_code="75001",
        city="Paris",
        country="FR",
    )
    return client


def consent(client, code=CROSS_GROUP, at=None):
    return grant(client, code, now=at or NOW.replace(month=1))


def withdraw(client, code=CROSS_GROUP, at=None):
    return services.consent_record(
        acting_user=None,
        client=client,
        purpose_code=code,
        decision=ConsentDecision.Decision.WITHDRAW,
        channel="email",
        now=at or NOW.replace(month=2),
    )


def fake_purchases(per_client: int = 2, on: date = date(2025, 3, 10)):
    """A purchase source: `per_client` rows per requested client."""

    def source(client_ids, since):
        for client_id in client_ids:
            for n in range(per_client):
                yield PurchaseRow(
                    client_id=client_id,
                    category="ring",
                    collection="Josephine",
                    metals=("platinum", "white_gold"),
                    unit_price=Decimal(4200 + n),
                    currency="EUR",
                    boutique_country="FR",
                    purchased_on=on,
                )

    return source
