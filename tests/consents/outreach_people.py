"""A boutique's clients, one per outreach outcome, for the list tests."""

import csv
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from clienteling.models import Client, ClientPhone
from consents import outreach, registry, services
from consents.models import Channel, OutreachList
from consents.selectors import Reason
from tests.consents.factories import ClientFactory, grant


@dataclass
class People:
    boutique: object
    eligible: list[Client] = field(default_factory=list)
    soft: list[Client] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)


def _client(boutique, name, *, email=True, mobile=None):
    client = ClientFactory(home_boutique=boutique, first_name=name, last_name="Test")
    if email:
        client.emails.create(address=f"{name.lower()}@example.com", is_primary=True)
    if mobile:
        client.phones.create(number=mobile, kind=ClientPhone.Kind.MOBILE)
    return client


def populate(boutique, prefix="") -> People:
    """Clients of `boutique` for the newsletters by email: two eligible (one
    by consent, one by soft opt-in) and one excluded for each reason."""
    people = People(boutique)
    consenting = _client(
        boutique, f"{prefix}Consenting", mobile="+33199000001" if not prefix else None
    )
    grant(consenting, registry.NEWSLETTERS)
    soft = _client(boutique, f"{prefix}Soft")
    services.soft_opt_in_record(
        acting_user=None,
        client=soft,
        sale_at=timezone.now() - timedelta(days=30),
        sale_reference="ORD-1",
        opt_out_offered=True,
    )
    _client(boutique, f"{prefix}Silent")
    withdrawn = _client(boutique, f"{prefix}Withdrawn")
    grant(withdrawn, registry.NEWSLETTERS)
    services.consent_withdraw(
        acting_user=None,
        client=withdrawn,
        purpose_code=registry.NEWSLETTERS,
        channel=Channel.EMAIL,
    )
    restricted = _client(boutique, f"{prefix}Restricted")
    grant(restricted, registry.NEWSLETTERS)
    services.restriction_start(
        acting_user=None,
        client=restricted,
        reason="Accuracy contested",
        now=timezone.now() - timedelta(minutes=1),
    )
    # An objection to direct marketing puts the addresses on the
    # suppression list, which is checked first.
    objected = _client(boutique, f"{prefix}Objected")
    services.consent_record(
        acting_user=None,
        client=objected,
        purpose_code=registry.NEWSLETTERS,
        decision="object",
        channel=Channel.EMAIL,
    )
    suppressed = _client(boutique, f"{prefix}Suppressed")
    grant(suppressed, registry.NEWSLETTERS)
    services.suppression_add_client(client=suppressed, reason="bounced")
    people.eligible = [consenting, soft]
    people.soft = [soft]
    people.excluded = {
        Reason.NO_CONSENT: 1,
        Reason.WITHDRAWN: 1,
        Reason.RESTRICTED: 1,
        Reason.SUPPRESSED: 2,
    }
    return people


def expected_rows(people: People) -> list[list[str]]:
    return [
        [
            c.client_number,
            c.full_name,
            c.emails.get().address,
            outreach.SOFT_OPT_IN_BASIS if c in people.soft else "consent",
        ]
        for c in sorted(people.eligible, key=lambda c: c.pk)
    ]


def read_csv(outreach_list: OutreachList) -> list[list[str]]:
    path = Path(outreach.storage_dir()) / outreach_list.file_name
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))
