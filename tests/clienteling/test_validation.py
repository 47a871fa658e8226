"""Bad input: a field-level message and nothing saved."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clienteling import services
from clienteling.models import Client, ClientEmail, ClientPhone, RingSize
from tests.clienteling.factories import BoutiqueFactory, ClientFactory

pytestmark = pytest.mark.django_db


def _errors(obj) -> dict:
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    return info.value.message_dict


def test_invalid_email_is_refused_on_its_field():
    email = ClientEmail(client=ClientFactory(), address="not-an-email")

    assert "address" in _errors(email)


@pytest.mark.parametrize("number", ["12345", "+33 6 39 98 12 34", "phone me"])
def test_phone_that_does_not_parse_is_refused(number):
    phone = ClientPhone(client=ClientFactory(), number=number)

    assert "number" in _errors(phone)


def test_phone_is_stored_in_e164():
    phone = ClientPhone(client=ClientFactory(), number="+33 1 99 00 12 34")
    phone.full_clean()
    phone.save()

    phone.refresh_from_db()
    assert phone.number.as_e164 == "+33199001234"


def test_birth_date_in_the_future_is_refused():
    client = ClientFactory.build(
        home_boutique=BoutiqueFactory(),
        birth_date=timezone.localdate() + timedelta(days=1),
    )

    assert _errors(client)["birth_date"] == ["This date is in the future."]


def test_unknown_country_is_refused():
    client = ClientFactory.build(home_boutique=BoutiqueFactory(), nationality="XX")

    assert "nationality" in _errors(client)


@pytest.mark.parametrize(
    ("system", "size", "message"),
    [
        ("EU", "39", "outside the EU range 40 to 76"),
        ("EU", "52.3", "EU sizes go in steps of 0.5"),
        ("US", "17", "outside the US range 1 to 16"),
        ("UK", "Z½", "UK sizes stop at Z"),
        ("UK", "AA", "is not a UK size"),
        ("JP", "0", "outside the JP range 1 to 30"),
    ],
)
def test_ring_size_outside_its_system_is_refused(system, size, message):
    ring = RingSize(
        client=ClientFactory(),
        finger="left_ring",
        system=system,
        size=size,
        measured_at=timezone.localdate(),
    )

    errors = _errors(ring)

    assert any(message in m for m in errors["size"])
    assert not RingSize.objects.exists()


def test_client_create_with_a_bad_email_writes_nothing():
    boutique = BoutiqueFactory()

    with pytest.raises(ValidationError):
        services.client_create(
            acting_user=None,
            home_boutique=boutique,
            first_name="Ada",
            last_name="Test",
            email="ada@",
        )

    assert not Client.objects.exists()
    assert not ClientEmail.objects.exists()


def test_client_has_one_primary_email():
    client = ClientFactory()
    ClientEmail.objects.create(client=client, address="a@example.com", is_primary=True)
    second = ClientEmail(client=client, address="b@example.com", is_primary=True)

    with pytest.raises(ValidationError, match="one primary email"):
        second.full_clean()


def test_client_record_keeps_history_with_its_author():
    from tests.clienteling.factories import adviser

    boutique = BoutiqueFactory()
    user = adviser(boutique)

    client = services.client_create(
        acting_user=user, home_boutique=boutique, first_name="Ada", last_name="Test"
    )

    record = client.history.get()
    assert record.history_user == user
    assert record.history_type == "+"
    assert client.primary_adviser == user
