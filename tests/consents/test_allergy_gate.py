import pytest
from django.core.exceptions import ValidationError

from clienteling import services as clienteling_services
from clienteling.models import MetalAllergy
from consents import registry, services
from consents.models import Channel
from tests.consents.factories import ClientFactory, grant

pytestmark = pytest.mark.django_db


def test_allergy_is_refused_without_explicit_consent():
    client = ClientFactory()

    with pytest.raises(ValidationError, match="explicit consent"):
        clienteling_services.allergy_record(
            acting_user=None, client=client, metal=MetalAllergy.Metal.NICKEL
        )

    assert not MetalAllergy.objects.exists()
    assert not MetalAllergy.history.exists()


def test_allergy_is_refused_after_the_consent_was_withdrawn():
    client = ClientFactory()
    grant(client, registry.ALLERGY_AWARE_SERVICE)
    services.consent_withdraw(
        acting_user=None,
        client=client,
        purpose_code=registry.ALLERGY_AWARE_SERVICE,
        channel=Channel.IN_PERSON,
    )

    with pytest.raises(ValidationError):
        clienteling_services.allergy_record(
            acting_user=None, client=client, metal=MetalAllergy.Metal.NICKEL
        )

    assert not MetalAllergy.objects.exists()


def test_withdrawal_erases_the_allergies_and_their_history():
    # given a consenting client with two allergies, one edited since
    client = ClientFactory()
    other = ClientFactory()
    for someone in (client, other):
        grant(someone, registry.ALLERGY_AWARE_SERVICE)
        clienteling_services.allergy_record(
            acting_user=None, client=someone, metal=MetalAllergy.Metal.NICKEL
        )
    allergy = clienteling_services.allergy_record(
        acting_user=None, client=client, metal=MetalAllergy.Metal.COBALT
    )
    allergy.notes = "Reacts within hours"
    allergy.save()
    assert MetalAllergy.history.filter(client_id=client.pk).count() == 3

    # when
    services.consent_withdraw(
        acting_user=None,
        client=client,
        purpose_code=registry.ALLERGY_AWARE_SERVICE,
        channel=Channel.IN_PERSON,
    )

    # then the client's rows and history are gone, the other client's stay
    assert not MetalAllergy.objects.filter(client=client).exists()
    assert not MetalAllergy.history.filter(client_id=client.pk).exists()
    assert MetalAllergy.objects.filter(client=other).count() == 1
    assert MetalAllergy.history.filter(client_id=other.pk).count() == 1


def test_allergy_with_consent_is_recorded():
    client = ClientFactory()
    grant(client, registry.ALLERGY_AWARE_SERVICE)

    allergy = clienteling_services.allergy_record(
        acting_user=None, client=client, metal=MetalAllergy.Metal.NICKEL
    )

    assert allergy.pk


def _allergy_formset(client):
    from django.forms import inlineformset_factory

    from clienteling.forms import AllergyFormSet
    from clienteling.models import Client

    formset_class = inlineformset_factory(
        Client,
        MetalAllergy,
        formset=AllergyFormSet,
        fields=["metal", "severity"],
        extra=1,
    )
    return formset_class(
        instance=client,
        prefix="allergies",
        data={
            "allergies-TOTAL_FORMS": "1",
            "allergies-INITIAL_FORMS": "0",
            "allergies-0-metal": "nickel",
            "allergies-0-severity": "mild",
        },
    )


def test_admin_allergy_inline_respects_the_gate():
    client = ClientFactory()

    refused = _allergy_formset(client)
    assert not refused.is_valid()
    assert "explicit consent" in str(refused.errors)

    grant(client, registry.ALLERGY_AWARE_SERVICE)

    assert _allergy_formset(client).is_valid()
