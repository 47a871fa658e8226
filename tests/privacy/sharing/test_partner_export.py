"""Partner sharing: consenting clients of the partner's shop-in-shops."""

import csv
from datetime import date

import pytest

from clienteling.models import Boutique
from privacy import pseudonyms
from privacy.models import Partner, SharingBatch
from privacy.sharing import eligibility, exports
from privacy.sharing.files import export_root
from tests.clienteling.factories import BoutiqueFactory
from tests.privacy.sharing.helpers import NOW, consent, person, withdraw

pytestmark = pytest.mark.django_db

PARTNER_SHARING = eligibility.PARTNER_SHARING


@pytest.fixture
def partner(settings):
    settings.SHARING_KEYS = {"lafayette": [("k1", "p" * 40)], "group": []}
    settings.SHARING_DEMO_KEYS = False
    shop = BoutiqueFactory(
        code="SIS-MUNICH",
        kind=Boutique.Kind.SHOP_IN_SHOP,
        department_store="Kaufhaus Exemple",
    )
    found = Partner.objects.create(
        code="lafayette",
        name="Kaufhaus Exemple",
        agreement_reference="DSA-2026-014",
        agreement_signed_on=date(2026, 1, 10),
    )
    found.boutiques.set([shop])
    return found


def _rows(batch, stem):
    path = export_root() / batch.folder / f"{stem}.csv"
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_only_consenting_clients_of_the_shop_in_shop_with_minimum_fields(partner):
    shop = partner.boutiques.get()
    yes, no_consent = person(1, shop), person(2, shop)
    elsewhere = person(3)  # another boutique, consenting
    consent(yes, code=PARTNER_SHARING)
    consent(elsewhere, code=PARTNER_SHARING)
    consent(no_consent, code=eligibility.CROSS_GROUP)

    batch = exports.partner_export_run(acting_user=None, partner=partner, now=NOW)

    rows = _rows(batch, "clients")
    assert rows == [
        {
            "client_ref": pseudonyms.current_key("lafayette").pseudonym(yes.pk),
            "first_name": "Zephyrine1",
            "last_name": "Quillfeather1",
            "email": "zephyrine1.q@example.com",
            "preferred_language": yes.preferred_language,
            "shop_in_shop": "SIS-MUNICH",
        }
    ]
    data = (export_root() / batch.folder / "clients.csv").read_text()
    assert str(yes.phones.get().number) not in data
    assert "rue du Secret" not in data
    assert batch.partner == partner


def test_withdrawal_is_recalled_in_the_next_transfer(partner):
    shop = partner.boutiques.get()
    leaves = person(1, shop)
    consent(leaves, code=PARTNER_SHARING)
    exports.partner_export_run(acting_user=None, partner=partner, now=NOW)
    withdraw(leaves, code=PARTNER_SHARING, at=NOW.replace(day=16))

    batch = exports.partner_export_run(
        acting_user=None, partner=partner, now=NOW.replace(day=20)
    )

    assert _rows(batch, "clients") == []
    assert _rows(batch, "withdrawals") == [
        {
            "pseudonym": pseudonyms.current_key("lafayette").pseudonym(leaves.pk),
            "key_id": "k1",
        }
    ]


def test_a_partner_without_a_key_is_refused(partner, settings):
    settings.SHARING_KEYS = {"group": [("g", "g" * 40)]}
    consent(person(1, partner.boutiques.get()), code=PARTNER_SHARING)

    with pytest.raises(exports.SharingRefused, match="lafayette"):
        exports.partner_export_run(acting_user=None, partner=partner, now=NOW)

    assert SharingBatch.objects.count() == 0
    assert not export_root().exists()


def test_recipients_are_generated_from_the_data(partner):
    consent(person(1, partner.boutiques.get()), code=PARTNER_SHARING)
    exports.partner_export_run(acting_user=None, partner=partner, now=NOW)

    found = {r.code: r for r in exports.recipients()}

    assert found["group"].role == "processor"
    assert found["group"].transfers == 0
    assert found["lafayette"].role == "separate controller"
    assert found["lafayette"].agreement_reference == "DSA-2026-014"
    assert found["lafayette"].boutiques == ("SIS-MUNICH",)
    assert (found["lafayette"].transfers, found["lafayette"].clients_disclosed) == (
        1,
        1,
    )
    assert exports.transfers()[0]["recipient"] == "lafayette"


def test_an_own_boutique_cannot_belong_to_a_partner():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Only shop-in-shops"):
        exports.partner_boutiques_clean([BoutiqueFactory()])
