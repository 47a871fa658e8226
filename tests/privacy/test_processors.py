"""Recipients, processors and transfers (issue 17, docs/decisions/0061):
Art. 28 agreements required, a transfer to a third country refused
without a mechanism, boutique transfers derived from the country, and the
register built from these tables and the settings."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import roles
from privacy import processors, register
from privacy.models import Recipient, Transfer
from tests.clienteling.factories import BoutiqueFactory, UserFactory, compliance

pytestmark = pytest.mark.django_db


def _group(**overrides) -> Recipient:
    values = {
        "name": "Group SE",
        "kind": Recipient.Kind.GROUP,
        "service": "Segments",
        "country": "FR",
        "agreement_reference": "DPA-1",
        "agreement_signed_on": "2025-01-01",
        **overrides,
    }
    return processors.recipient_save(acting_user=None, recipient=Recipient(**values))


def test_a_processor_without_its_art28_agreement_is_refused():
    with pytest.raises(ValidationError) as refused:
        _group(agreement_reference="", agreement_signed_on=None)

    assert set(refused.value.message_dict) == {
        "agreement_reference",
        "agreement_signed_on",
    }
    assert not Recipient.objects.exists()


def test_a_sub_processor_names_its_processor():
    with pytest.raises(ValidationError) as refused:
        _group(name="Sub", kind=Recipient.Kind.SUB_PROCESSOR)

    assert "parent" in refused.value.message_dict


@pytest.mark.parametrize(
    ("country", "mechanism", "tia", "field", "message"),
    [
        ("US", Transfer.Mechanism.NONE, "", "mechanism", "needs a mechanism"),
        ("BR", Transfer.Mechanism.ADEQUACY, "", "mechanism", "no adequacy decision"),
        ("US", Transfer.Mechanism.SCCS, "", "tia_reference", "transfer impact"),
        ("DE", Transfer.Mechanism.SCCS, "TIA-1", "country", "is in the EEA"),
    ],
)
def test_a_transfer_without_a_valid_mechanism_is_refused(  # noqa: PLR0917
    country, mechanism, tia, field, message
):
    group = _group()

    with pytest.raises(ValidationError) as refused:
        processors.transfer_save(
            acting_user=None,
            transfer=Transfer(
                recipient=group,
                country=country,
                purpose="Segments",
                mechanism=mechanism,
                tia_reference=tia,
            ),
        )

    assert message in " ".join(refused.value.message_dict[field])
    assert not Transfer.objects.exists()


def test_boutique_transfers_come_from_the_country():
    BoutiqueFactory(code="LON", name="London Bond Street", country="GB")
    BoutiqueFactory(code="PAR", name="Paris", country="FR")
    BoutiqueFactory(code="SAO", name="São Paulo", country="BR")

    lines = {line.recipient: line for line in processors.boutique_transfers()}

    assert set(lines) == {"London Bond Street", "São Paulo"}
    assert lines["London Bond Street"].mechanism == "Adequacy decision (Art. 45)"
    assert "2021/1772 (United Kingdom)" in lines["London Bond Street"].reference
    assert lines["São Paulo"].missing


def test_the_register_names_controller_dpo_recipients_and_transfers(client, settings):
    settings.PRIVACY_DPO = {"name": "Dr DPO", "email": "dpo@example.com", "phone": "1"}
    BoutiqueFactory(code="LON", name="London Bond Street", country="GB")
    group = _group()
    processors.transfer_save(
        acting_user=None,
        transfer=Transfer(
            recipient=_group(
                name="Analytics Inc.",
                kind=Recipient.Kind.SUB_PROCESSOR,
                parent=group,
                country="US",
            ),
            country="US",
            purpose="Segments",
            mechanism=Transfer.Mechanism.SCCS,
            tia_reference="TIA-7",
        ),
    )
    context = register.register_context()
    client.force_login(compliance())

    page = client.get(reverse("admin:privacy_register")).text

    assert context["dpo"]["name"] == "Dr DPO"
    assert "Dr DPO" in page
    assert settings.PRIVACY_CONTROLLER["name"] in page
    assert "DPA-1" in page
    assert "Analytics Inc." in page
    assert "TIA-7" in page
    assert "London Bond Street" in page
    assert "2021/1772 (United Kingdom)" in page
    assert "None outside the EEA" not in page


def test_compliance_adds_a_recipient_and_a_refused_transfer_keeps_the_form(client):
    client.force_login(compliance())
    add = reverse("admin:privacy_recipient_add")
    assert client.get(add).status_code == 200
    assert client.get(reverse("admin:privacy_recipient_changelist")).status_code == 200

    created = client.post(
        add,
        {
            "name": "Host SAS",
            "kind": "processor",
            "service": "Hosting",
            "country": "FR",
            "agreement_reference": "DPA-9",
            "agreement_signed_on": "2025-02-01",
            "is_active": "on",
        },
    )
    host = Recipient.objects.get(name="Host SAS")
    changed = client.post(
        reverse("admin:privacy_recipient_change", args=[host.pk]),
        {
            "name": "Host SAS",
            "kind": "processor",
            "service": "Hosting and backups",
            "country": "FR",
            "agreement_reference": "DPA-9",
            "agreement_signed_on": "2025-02-01",
            "is_active": "on",
        },
    )
    refused = client.post(
        reverse("admin:privacy_transfer_add"),
        {
            "recipient": host.pk,
            "country": "US",
            "purpose": "Backups",
            "mechanism": "none",
        },
    )

    assert created.status_code == changed.status_code == 302
    assert refused.status_code == 200
    assert "needs a mechanism" in refused.text
    assert not Transfer.objects.exists()
    assert client.get(reverse("admin:privacy_transfer_add")).status_code == 200


@pytest.mark.parametrize("role", [roles.ADVISER, roles.MANAGER, roles.CUSTOMER_SERVICE])
def test_other_roles_do_not_see_recipients_or_transfers(client, role):
    client.force_login(UserFactory(role=role))

    for name in ("recipient", "transfer"):
        url = reverse(f"admin:privacy_{name}_changelist")
        assert client.get(url).status_code == 403


def test_the_register_shows_an_organisers_contact_email(client):
    from tests.privacy.factories import OrganiserFactory

    OrganiserFactory(name="Salons Nacre", contact_email="rsvp@nacre.example")
    client.force_login(compliance())

    page = client.get(reverse("admin:privacy_register")).text

    table = page[page.index('id="register-recipients"') :]
    table = table[: table.index("</table>")]
    assert "Salons Nacre" in table
    assert "rsvp@nacre.example" in table
