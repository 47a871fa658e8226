from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from clienteling.models import ContactEvent
from core import roles
from orders import selectors
from orders.models import AfterSalesCase, Invoice, Order, Payment
from tests.clienteling.factories import BoutiqueFactory, UserFactory, adviser
from tests.helpers import get_counting_queries
from tests.orders.factories import (
    ClientFactory,
    MetalAllergyFactory,
    ProductFactory,
    order,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "product",
    "order",
    "invoice",
    "payment",
    "guarantee",
    "aftersalescase",
    "complaint",
]


def _reload(user):
    # A fresh instance: Django caches permissions on the user object.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR-T")


@pytest.fixture
def history(paris):
    """One of everything, for a Paris client."""
    from orders import services

    client = ClientFactory(home_boutique=paris)
    sold = order(client=client, status=Order.Status.INVOICED)
    services.payment_record(
        acting_user=None,
        order=sold,
        method="card",
        amount=sold.total,
        currency="EUR",
        provider_reference="tok_test_abc",
        card_brand="visa",
        card_last4="4242",
        card_expiry_month=12,
        card_expiry_year=2030,
    )
    services.case_open(
        acting_user=None,
        client=client,
        boutique=paris,
        kind="cleaning",
        piece_description="Ring",
    )
    services.complaint_open(
        acting_user=None,
        client=client,
        channel="email",
        category="delivery",
        description="Late",
    )
    return sold


@pytest.mark.parametrize("model", MODELS)
def test_superuser_changelist_and_pages(admin_client, history, model):
    listing = admin_client.get(reverse(f"admin:orders_{model}_changelist"))
    assert listing.status_code == 200

    obj = {
        "order": history,
        "invoice": history.invoices.first(),
        "payment": history.payments.first(),
        "guarantee": history.lines.first().guarantees.first(),
        "product": history.lines.first().product,
        "aftersalescase": AfterSalesCase.objects.first(),
        "complaint": history.client.complaints.first(),
    }[model]
    for view in ("change", "history"):
        url = reverse(f"admin:orders_{model}_{view}", args=[obj.pk])
        assert admin_client.get(url).status_code == 200, view


@pytest.mark.parametrize("model", ["product", "order", "aftersalescase", "complaint"])
def test_superuser_add_pages(admin_client, model):
    assert admin_client.get(reverse(f"admin:orders_{model}_add")).status_code == 200


def test_payment_add_page(admin_client):
    assert admin_client.get(reverse("admin:orders_payment_add")).status_code == 200


@pytest.mark.parametrize("model", ["invoice", "guarantee"])
def test_invoices_and_guarantees_cannot_be_added_or_edited_in_the_admin(
    admin_client, history, model
):
    obj = (
        history.invoices.first()
        if model == "invoice"
        else (history.lines.first().guarantees.first())
    )

    add = admin_client.get(reverse(f"admin:orders_{model}_add"))
    post = admin_client.post(
        reverse(f"admin:orders_{model}_change", args=[obj.pk]), {"reason": "x"}
    )
    delete = admin_client.post(
        reverse(f"admin:orders_{model}_delete", args=[obj.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert post.status_code == 403
    assert delete.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


# --- Scoping ------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS[1:])
def test_an_adviser_sees_only_their_boutiques_client_records(client, history, model):
    # given an adviser in another boutique
    london = BoutiqueFactory(code="LON-T")
    client.force_login(adviser(london))

    # when they list and open the Paris client's records
    listing = client.get(reverse(f"admin:orders_{model}_changelist"))
    obj = {
        "order": history,
        "invoice": history.invoices.first(),
        "payment": history.payments.first(),
        "guarantee": history.lines.first().guarantees.first(),
        "aftersalescase": AfterSalesCase.objects.first(),
        "complaint": history.client.complaints.first(),
    }[model]
    change = client.get(reverse(f"admin:orders_{model}_change", args=[obj.pk]))
    hist = client.get(reverse(f"admin:orders_{model}_history", args=[obj.pk]))

    # then they see none of it
    assert listing.status_code == 200
    assert str(obj) not in listing.text or model == "product"
    assert listing.context["cl"].result_count == 0
    assert change.status_code in (302, 404)
    assert hist.status_code in (302, 404)


def test_an_adviser_sees_their_boutiques_orders(client, history, paris):
    client.force_login(adviser(paris))

    listing = client.get(reverse("admin:orders_order_changelist"))

    assert history.number in listing.text


def test_an_order_for_another_boutiques_client_is_refused(client, paris):
    # given an adviser in Paris and a London client
    london_client = ClientFactory(home_boutique=BoutiqueFactory(code="LON-T"))
    client.force_login(adviser(paris))

    # when the adviser types the London client's id in the raw-id field
    response = client.post(
        reverse("admin:orders_order_add"),
        _order_form(london_client, ProductFactory(), boutique=paris),
    )

    # then
    assert response.status_code == 200
    assert "client" in response.context["adminform"].form.errors
    assert not Order.objects.exists()


def test_customer_service_sees_no_payment(client, history):
    agent = UserFactory(role=roles.CUSTOMER_SERVICE)
    client.force_login(agent)

    listing = client.get(reverse("admin:orders_payment_changelist"))
    orders = client.get(reverse("admin:orders_order_changelist"))

    assert listing.status_code == 403
    assert orders.status_code == 200


# --- The order form and its allergy warning -----------------------------------


def _order_form(customer, product, boutique=None, **extra):
    data = {
        "client": customer.pk,
        "channel": "boutique",
        "boutique": (boutique or customer.home_boutique).pk,
        "currency": "EUR",
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": product.pk,
        "lines-0-quantity": "1",
        "lines-0-unit_price": "",
        "invoices-TOTAL_FORMS": "0",
        "invoices-INITIAL_FORMS": "0",
        "invoices-MIN_NUM_FORMS": "0",
        "invoices-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def _allergic_paris_client(paris):
    customer = ClientFactory(home_boutique=paris)
    MetalAllergyFactory(client=customer, metal="nickel", severity="severe")
    return customer, ProductFactory(metals=["white_gold", "nickel"], name="Lien")


def test_admin_order_with_an_allergy_conflict_needs_the_confirmation(client, paris):
    # given an adviser, who may see allergies
    customer, piece = _allergic_paris_client(paris)
    user = adviser(paris)
    assert user.has_perm("clienteling.view_metalallergy")
    client.force_login(user)

    # when the first submit has no confirmation
    first = client.post(reverse("admin:orders_order_add"), _order_form(customer, piece))

    # then the warning names the metal and nothing is saved
    assert first.status_code == 200
    assert "Lien contains nickel" in first.text
    assert "I have discussed this with the client" in first.text
    assert not Order.objects.exists()

    # when the adviser ticks the confirmation
    second = client.post(
        reverse("admin:orders_order_add"),
        _order_form(customer, piece, allergy_discussed="on"),
    )

    # then the order is saved with the confirmation recorded
    assert second.status_code == 302
    saved = Order.objects.get()
    assert saved.allergy_acknowledged_by == user
    assert saved.total == piece.price
    assert saved.adviser == user


def test_admin_warning_hides_the_allergy_from_staff_without_permission(client, paris):
    # given staff who may key in orders but not see health data
    customer, piece = _allergic_paris_client(paris)
    clerk = UserFactory(boutiques=[paris])
    clerk.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="orders",
            codename__in=["view_order", "add_order", "add_orderline", "view_product"],
        )
    )
    clerk = _reload(clerk)
    assert not clerk.has_perm("clienteling.view_metalallergy")
    client.force_login(clerk)

    # when they submit an order with a conflicting piece
    response = client.post(
        reverse("admin:orders_order_add"), _order_form(customer, piece)
    )

    # then they are stopped without learning the health detail

    assert escape(str(selectors.GENERIC_ALLERGY_WARNING)) in response.text
    assert "nickel" not in response.text.lower()
    assert not Order.objects.exists()


def test_admin_order_without_conflict_saves_at_once(client, paris):
    customer = ClientFactory(home_boutique=paris)
    client.force_login(adviser(paris))

    response = client.post(
        reverse("admin:orders_order_add"),
        _order_form(customer, ProductFactory(price=Decimal("800.00"))),
    )

    assert response.status_code == 302
    assert Order.objects.get().total == Decimal("800.00")


def test_admin_refuses_a_card_number_in_the_engraving(client, paris):
    customer = ClientFactory(home_boutique=paris)
    client.force_login(adviser(paris))

    response = client.post(
        reverse("admin:orders_order_add"),
        _order_form(
            customer, ProductFactory(), **{"lines-0-engraving": "4111 1111 1111 1111"}
        ),
    )

    assert response.status_code == 200
    assert "payment card number" in response.text
    assert not Order.objects.exists()


def test_admin_refuses_a_line_in_another_currency(client, paris):
    customer = ClientFactory(home_boutique=paris)
    client.force_login(adviser(paris))

    response = client.post(
        reverse("admin:orders_order_add"),
        _order_form(customer, ProductFactory(currency="GBP")),
    )

    assert response.status_code == 200
    assert "priced in GBP" in response.text
    assert not Order.objects.exists()


# --- Status buttons and invoices ------------------------------------------------


def test_adviser_confirms_and_invoices_from_the_order_page(client, paris):
    customer = ClientFactory(home_boutique=paris)
    draft = order(client=customer)
    client.force_login(adviser(paris))
    page = reverse("admin:orders_order_change", args=[draft.pk])

    assert "Confirm order" in client.get(page).text
    client.post(
        reverse("admin:orders_order_status", args=[draft.pk]), {"status": "confirmed"}
    )
    assert "Issue invoice" in client.get(page).text
    response = client.post(
        reverse("admin:orders_order_issue_invoice", args=[draft.pk]), follow=True
    )

    draft.refresh_from_db()
    assert draft.status == Order.Status.INVOICED
    invoice = Invoice.objects.get()
    assert f"Invoice {invoice.number} issued." in response.text


def test_a_refused_transition_is_a_message_not_a_change(client, paris):
    draft = order(client=ClientFactory(home_boutique=paris))
    client.force_login(adviser(paris))

    response = client.post(
        reverse("admin:orders_order_status", args=[draft.pk]),
        {"status": "delivered"},
        follow=True,
    )

    draft.refresh_from_db()
    assert draft.status == Order.Status.DRAFT
    assert "cannot go from draft to delivered" in response.text


def test_customer_service_cannot_change_an_order_status(client, paris):
    draft = order(client=ClientFactory(home_boutique=paris))
    client.force_login(UserFactory(role=roles.CUSTOMER_SERVICE, boutiques=[paris]))

    response = client.post(
        reverse("admin:orders_order_status", args=[draft.pk]), {"status": "confirmed"}
    )

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Order.Status.DRAFT


def test_only_a_manager_issues_a_credit_note(client, paris, history):
    invoice = history.invoices.get()
    url = reverse("admin:orders_invoice_credit_note", args=[invoice.pk])

    client.force_login(adviser(paris))
    assert client.post(url, {"reason": "Returned"}).status_code == 403
    assert Invoice.objects.count() == 1

    client.force_login(UserFactory(role=roles.MANAGER, boutiques=[paris]))
    client.post(url, {"reason": "Returned"})
    assert Invoice.objects.filter(kind="credit_note").count() == 1


# --- Payments ------------------------------------------------------------------


def _payment_form(sold, **extra):
    data = {
        "order": sold.pk,
        "method": "bank_transfer",
        "amount": "100.00",
        "currency": "EUR",
        "provider_reference": "",
        "card_brand": "",
        "card_last4": "",
        "received_at_0": "2026-06-15",
        "received_at_1": "10:00:00",
    }
    data.update(extra)
    return data


def test_a_full_iban_is_kept_masked(admin_client, history):
    response = admin_client.post(
        reverse("admin:orders_payment_add"),
        _payment_form(history, iban="FR76 3000 6000 0112 3456 7890 189"),
    )

    assert response.status_code == 302
    payment = Payment.objects.get(method="bank_transfer")
    assert payment.iban_masked == "FR" + "*" * 21 + "0189"
    assert "30006000011234567890" not in str(
        list(payment.history.values_list("iban_masked", flat=True))
    )


def test_a_card_number_as_provider_reference_writes_nothing(admin_client, history):
    before = Payment.objects.count()

    response = admin_client.post(
        reverse("admin:orders_payment_add"),
        _payment_form(history, method="card", provider_reference="4111-1111-1111-1111"),
    )

    assert response.status_code == 200
    assert "payment card number" in response.text
    assert Payment.objects.count() == before


# --- Cases ---------------------------------------------------------------------


def test_opening_a_case_in_the_admin_logs_a_contact(client, paris):
    customer = ClientFactory(home_boutique=paris)
    client.force_login(adviser(paris))

    response = client.post(
        reverse("admin:orders_aftersalescase_add"),
        {
            "client": customer.pk,
            "boutique": paris.pk,
            "kind": "repair",
            "piece_description": "Bracelet clasp",
            "intake_notes": "",
        },
    )

    assert response.status_code == 302
    case = AfterSalesCase.objects.get()
    assert ContactEvent.objects.get().related_object == case


def test_a_case_status_jump_in_the_admin_is_refused(client, paris, history):
    case = AfterSalesCase.objects.get()
    client.force_login(adviser(paris))

    response = client.post(
        reverse("admin:orders_aftersalescase_change", args=[case.pk]),
        {
            "boutique": paris.pk,
            "kind": case.kind,
            "piece_description": case.piece_description,
            "intake_notes": "",
            "status": "returned",
        },
    )

    assert response.status_code == 200
    assert "cannot go from received to returned" in response.text
    case.refresh_from_db()
    assert case.status == "received"


# --- Built for a million clients ------------------------------------------------


def test_order_changelist_query_count_does_not_grow_with_rows(client, paris):
    client.force_login(adviser(paris))
    url = reverse("admin:orders_order_changelist")
    for _ in range(3):
        order(client=ClientFactory(home_boutique=paris))
    _, few = get_counting_queries(client, url)
    for _ in range(12):
        order(client=ClientFactory(home_boutique=paris))

    _, many = get_counting_queries(client, url)

    assert many == few


# --- Access log ---------------------------------------------------------------


def test_opening_an_order_and_a_payment_is_in_the_access_log(client, history, paris):
    from core.models import AccessLogEntry

    user = adviser(paris)
    client.force_login(user)
    payment = history.payments.get()

    client.get(reverse("admin:orders_order_change", args=[history.pk]))
    client.get(reverse("admin:orders_payment_change", args=[payment.pk]))

    logged = set(
        AccessLogEntry.objects.filter(user=user).values_list(
            "action", "object_type", "object_id"
        )
    )
    assert ("view", "orders.order", str(history.pk)) in logged
    assert ("view_payment", "orders.payment", str(payment.pk)) in logged


def test_an_out_of_scope_order_is_a_logged_refusal(client, history):
    from core.models import AccessLogEntry

    user = adviser(BoutiqueFactory(code="LON-T"))
    client.force_login(user)

    response = client.get(reverse("admin:orders_order_change", args=[history.pk]))

    assert response.status_code == 404
    assert AccessLogEntry.objects.filter(user=user, action="denied").exists()
    assert not AccessLogEntry.objects.filter(user=user, action="view").exists()


def test_customer_service_logs_a_complaint_from_the_admin(client):
    # given a customer-service agent and a client of any boutique
    from orders.models import Complaint

    someone = ClientFactory()
    agent = UserFactory(role=roles.CUSTOMER_SERVICE)
    client.force_login(agent)

    # when the agent adds a complaint (no date: the service stamps it)
    response = client.post(
        reverse("admin:orders_complaint_add"),
        {
            "client": someone.pk,
            "channel": "phone",
            "category": "delivery",
            "description": "The parcel arrived two weeks late.",
        },
    )

    # then it is saved, named by its date, and logged as a contact
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert (complaint.client, complaint.opened_by) == (someone, agent)
    assert complaint.received_at is not None
    assert ContactEvent.objects.filter(client=someone).count() == 1
    page = client.get(response.url)
    assert "None" not in str(complaint)
    assert escape(str(complaint)) in page.text


def test_an_unsaved_complaint_still_has_a_name():
    from orders.models import Complaint

    assert str(Complaint(category="delivery")) == "Delivery (no date)"
