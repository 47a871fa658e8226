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
    version = FormTemplateVersion.objects.get(template__code="boutique-paper")
    wording = version.wordings.get(purpose__code=registry.NEWSLETTERS)

    registry.sync_registry()

    assert FormTemplateVersion.objects.count() == len(registry.FORM_VERSIONS)
    wording.refresh_from_db()
    assert wording.text == registry._WORDING[registry.NEWSLETTERS]


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
