from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clienteling.models import ContactEvent
from orders import selectors, services
from orders.models import Order, OrderLine
from tests.clienteling.factories import UserFactory
from tests.orders.factories import (
    ClientFactory,
    MetalAllergyFactory,
    ProductFactory,
    order,
)

pytestmark = pytest.mark.django_db

S = Order.Status
ALLOWED = {
    (S.DRAFT, S.CONFIRMED),
    (S.DRAFT, S.CANCELLED),
    (S.CONFIRMED, S.DRAFT),
    (S.CONFIRMED, S.CANCELLED),
    (S.CONFIRMED, S.INVOICED),
    (S.INVOICED, S.DELIVERED),
    (S.INVOICED, S.RETURNED),
    (S.DELIVERED, S.RETURNED),
}


def test_the_transition_table_is_exactly_the_documented_lifecycle():
    table = {(a, b) for a, targets in Order.TRANSITIONS.items() for b in targets}

    assert table == ALLOWED
    assert set(Order.TRANSITIONS) == set(S.values)


def _order_in(status):
    created = order()
    # Reaching any status through the services, as in real life.
    path = {
        S.DRAFT: [],
        S.CONFIRMED: ["confirm"],
        S.CANCELLED: ["cancel"],
        S.INVOICED: ["confirm", "invoice"],
        S.DELIVERED: ["confirm", "invoice", "deliver"],
        S.RETURNED: ["confirm", "invoice", "credit"],
    }[status]
    for step in path:
        if step == "confirm":
            services.order_transition(
                acting_user=None, order=created, status=S.CONFIRMED
            )
        elif step == "cancel":
            services.order_transition(
                acting_user=None, order=created, status=S.CANCELLED
            )
        elif step == "invoice":
            services.invoice_issue(acting_user=None, order=created)
        elif step == "deliver":
            services.order_transition(
                acting_user=None, order=created, status=S.DELIVERED
            )
        elif step == "credit":
            services.credit_note_issue(
                acting_user=None, invoice=created.invoices.get(), reason="Returned"
            )
    created.refresh_from_db()
    assert created.status == status
    return created


@pytest.mark.parametrize("source", S.values)
@pytest.mark.parametrize("target", S.values)
def test_order_transition_follows_the_table(source, target):
    # given an order in `source`
    created = _order_in(source)
    history_rows = created.history.count()

    # when a plain status change to `target` is asked
    allowed = (source, target) in ALLOWED and target not in Order.SERVICE_ONLY
    if allowed:
        services.order_transition(acting_user=None, order=created, status=target)
        created.refresh_from_db()
        # then
        assert created.status == target
        assert created.history.count() == history_rows + 1
    else:
        with pytest.raises(ValidationError) as exc:
            services.order_transition(acting_user=None, order=created, status=target)
        # then: a clear error and nothing written
        assert "status" in exc.value.message_dict
        created.refresh_from_db()
        assert created.status == source
        assert created.history.count() == history_rows


def test_an_order_without_lines_cannot_be_confirmed():
    client = ClientFactory()
    empty = services.order_create(
        acting_user=None, client=client, boutique=client.home_boutique, lines=[]
    )

    with pytest.raises(ValidationError, match="at least one line"):
        services.order_transition(acting_user=None, order=empty, status=S.CONFIRMED)

    empty.refresh_from_db()
    assert empty.status == S.DRAFT


def test_total_is_computed_from_the_lines():
    client = ClientFactory()
    ring = ProductFactory(price=Decimal("2500.00"))
    pendant = ProductFactory(price=Decimal("1200.50"))

    created = services.order_create(
        acting_user=None,
        client=client,
        boutique=client.home_boutique,
        lines=[
            services.LineInput(product=ring, quantity=2),
            services.LineInput(product=pendant, unit_price=Decimal("1000.00")),
        ],
    )

    assert created.total == Decimal("6000.00")
    line = created.lines.get(product=ring)
    assert (line.unit_price, line.currency) == (Decimal("2500.00"), "EUR")


@pytest.mark.parametrize("quantity", [-1, 0])
def test_a_quantity_below_one_writes_nothing(quantity):
    client = ClientFactory()

    with pytest.raises(ValidationError) as exc:
        services.order_create(
            acting_user=None,
            client=client,
            boutique=client.home_boutique,
            lines=[services.LineInput(product=ProductFactory(), quantity=quantity)],
        )

    assert "quantity" in exc.value.message_dict
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()


def test_a_line_in_another_currency_writes_nothing():
    client = ClientFactory()
    euro = ProductFactory(currency="EUR")
    pound = ProductFactory(currency="GBP", reference="LON-1")

    with pytest.raises(ValidationError) as exc:
        services.order_create(
            acting_user=None,
            client=client,
            boutique=client.home_boutique,
            currency="EUR",
            lines=[
                services.LineInput(product=euro),
                services.LineInput(product=pound),
            ],
        )

    assert "priced in GBP" in str(exc.value)
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()


def test_a_ring_size_on_a_necklace_is_refused():
    client = ClientFactory()
    necklace = ProductFactory(category="necklace")

    with pytest.raises(ValidationError, match="Only a ring"):
        services.order_create(
            acting_user=None,
            client=client,
            boutique=client.home_boutique,
            lines=[services.LineInput(product=necklace, ring_size="52")],
        )
    assert not Order.objects.exists()


def test_unknown_metals_on_a_product_are_refused():
    product = ProductFactory.build(metals=["nickel", "unobtainium"])

    with pytest.raises(ValidationError, match="unobtainium"):
        product.full_clean()


# --- Allergy warning ----------------------------------------------------------


def test_allergy_conflict_requires_confirmation_and_writes_nothing_without():
    # given a client allergic to nickel and a piece containing nickel
    allergy = MetalAllergyFactory(metal="nickel", severity="severe")
    piece = ProductFactory(metals=["white_gold", "nickel"])
    adviser = UserFactory()

    # when the order is created without confirmation
    with pytest.raises(ValidationError) as exc:
        services.order_create(
            acting_user=None,
            client=allergy.client,
            boutique=allergy.client.home_boutique,
            lines=[services.LineInput(product=piece)],
        )

    # then the warning names the metal, and nothing is written
    assert exc.value.code == "allergy_unacknowledged"
    assert "contains nickel" in exc.value.messages[0]
    assert not Order.objects.exists()

    # when confirmed
    created = services.order_create(
        acting_user=adviser,
        client=allergy.client,
        boutique=allergy.client.home_boutique,
        lines=[services.LineInput(product=piece)],
        allergy_acknowledged=True,
    )

    # then the confirmation is recorded
    assert created.allergy_acknowledged_by == adviser
    assert created.allergy_acknowledged_at is not None


def test_removing_the_conflicting_line_clears_the_confirmation():
    allergy = MetalAllergyFactory(metal="nickel", severity="severe")
    piece = ProductFactory(metals=["nickel"])
    created = services.order_create(
        acting_user=UserFactory(),
        client=allergy.client,
        boutique=allergy.client.home_boutique,
        lines=[services.LineInput(product=piece)],
        allergy_acknowledged=True,
    )
    assert created.allergy_acknowledged_at is not None
    created.lines.update(product=ProductFactory(metals=["yellow_gold"]))

    services.order_lines_saved(
        acting_user=None, order=created, allergy_acknowledged=False
    )

    created.refresh_from_db()
    assert created.allergy_acknowledged_at is None
    assert created.allergy_acknowledged_by is None
    assert created.history.filter(allergy_acknowledged_at__isnull=False).exists()


def test_no_allergy_no_warning():
    client = ClientFactory()
    MetalAllergyFactory(client=client, metal="cobalt")

    created = services.order_create(
        acting_user=None,
        client=client,
        boutique=client.home_boutique,
        lines=[services.LineInput(product=ProductFactory(metals=["nickel"]))],
    )

    assert created.allergy_acknowledged_at is None


def test_staff_without_allergy_permission_get_a_generic_warning():
    # given staff who may not see health data
    allergy = MetalAllergyFactory(metal="nickel", severity="severe")
    conflicts = selectors.allergy_conflicts(
        client_id=allergy.client_id,
        products=[ProductFactory(metals=["nickel"])],
    )
    staff = UserFactory()

    # when
    message = selectors.allergy_warning(user=staff, conflicts=conflicts)

    # then they learn that someone must check, not what or how severe
    assert message == selectors.GENERIC_ALLERGY_WARNING
    assert "nickel" not in message.lower()
    assert "severe" not in message.lower()
    assert "allerg" not in message.lower()


def test_staff_with_allergy_permission_see_the_metal():
    from django.contrib.auth.models import Permission

    allergy = MetalAllergyFactory(metal="nickel", severity="severe")
    conflicts = selectors.allergy_conflicts(
        client_id=allergy.client_id,
        products=[ProductFactory(metals=["nickel"], name="Bague Lien")],
    )
    staff = UserFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_metalallergy"))
    staff = type(staff).objects.get(pk=staff.pk)

    message = selectors.allergy_warning(user=staff, conflicts=conflicts)

    assert "Bague Lien contains nickel" in message
    assert "severe" in message


# --- Complaints and cases ---------------------------------------------------------


def test_a_complaint_is_logged_in_the_contact_history_with_a_link():
    client = ClientFactory()

    complaint = services.complaint_open(
        acting_user=None,
        client=client,
        channel="phone",
        category="delivery",
        description="The parcel arrived late.",
    )

    event = ContactEvent.objects.get(client=client)
    assert event.related_object == complaint
    assert event.channel == ContactEvent.Channel.PHONE
    assert event.direction == ContactEvent.Direction.INBOUND
