import pytest

from consents import registry
from consents.models import FormTemplateVersion, Purpose

pytestmark = pytest.mark.django_db


def test_migration_puts_every_purpose_of_the_registry_in_the_table():
    codes = set(Purpose.objects.filter(is_active=True).values_list("code", flat=True))

    assert codes == {p.code for p in registry.PURPOSES}
    assert len(codes) == 15


def test_every_legitimate_interest_purpose_carries_its_balancing_test():
    purposes = list(Purpose.objects.filter(legal_basis=registry.LEGITIMATE_INTEREST))
    # The registry's own count: an empty table must not pass for a good one.
    assert len(purposes) == sum(
        p.legal_basis == registry.LEGITIMATE_INTEREST for p in registry.PURPOSES
    )
    assert purposes
    for purpose in purposes:
        assert purpose.balancing_interest
        assert purpose.balancing_necessity
        assert purpose.balancing_rights


def test_allergy_purpose_is_special_category_consent():
    purpose = Purpose.objects.get(code=registry.ALLERGY_AWARE_SERVICE)

    assert purpose.legal_basis == registry.CONSENT
    assert purpose.special_category
    assert purpose.data_categories == ["health"]


def test_every_data_category_is_from_the_data_map_vocabulary():
    purposes = list(Purpose.objects.all())
    assert len(purposes) >= len(registry.PURPOSES)
    for purpose in purposes:
        assert set(purpose.data_categories) <= set(registry.DATA_CATEGORIES)


def test_sync_is_idempotent_and_never_rewrites_a_published_version():
    from consents.models import PurposeWording

    version = FormTemplateVersion.objects.get(template__code="boutique-paper")
    english = version.wordings.get(purpose__code=registry.NEWSLETTERS, language="en")
    french = version.wordings.get(purpose__code=registry.NEWSLETTERS, language="fr")
    # a published wording edited in the database (as if code had changed)
    PurposeWording.objects.filter(pk=french.pk).update(text="Texte signé.")
    before = PurposeWording.objects.count()

    registry.sync_registry()
    registry.sync_registry()

    assert FormTemplateVersion.objects.count() == len(registry.FORM_VERSIONS)
    assert PurposeWording.objects.count() == before
    english.refresh_from_db()
    french.refresh_from_db()
    assert english.text == registry._WORDING["en"][registry.NEWSLETTERS]
    assert french.text == "Texte signé."


def test_sync_adds_a_language_to_a_published_version_beside_the_others():
    from consents.models import PurposeWording

    version = FormTemplateVersion.objects.get(template__code="boutique-paper")
    english_ids = set(
        version.wordings.filter(language="en").values_list("pk", flat=True)
    )
    version.wordings.filter(language="fr").delete()

    registry.sync_registry()

    french = PurposeWording.objects.filter(version=version, language="fr")
    assert set(french.values_list("purpose__code", flat=True)) == set(
        registry._WORDING["fr"]
    )
    assert english_ids == set(
        version.wordings.filter(language="en").values_list("pk", flat=True)
    )
    assert french.get(purpose__code=registry.EVENTS).text.startswith(
        "J’accepte que mes données"
    )


def test_demo_seed_is_idempotent_and_consents_allergies():
    from io import StringIO

    from clienteling.models import MetalAllergy
    from consents import demo
    from consents.models import ConsentDecision
    from tests.consents.factories import ClientFactory

    # given demo clients, one with an allergy already on file
    clients = ClientFactory.create_batch(6)
    MetalAllergy.objects.create(client=clients[1], metal="nickel")

    demo.seed(stdout=StringIO())
    first = ConsentDecision.objects.count()
    demo.seed(stdout=StringIO())

    assert first > 0
    assert ConsentDecision.objects.count() == first
    assert ConsentDecision.objects.filter(
        client=clients[1], purpose__code=registry.ALLERGY_AWARE_SERVICE
    ).exists()


def test_demo_seed_works_with_no_clients():
    from io import StringIO

    from consents import demo

    out = StringIO()
    demo.seed(stdout=out)

    assert "0 new for 0 clients" in out.getvalue()
