"""The order change form refuses a save over a newer version (core.locking)."""

import pytest
from django.urls import reverse

from core import roles
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, UserFactory
from tests.helpers import (
    form_data,
    form_refusal,
    opened_change_form,
    signed_in_browser,
)
from tests.orders.factories import order

pytestmark = pytest.mark.django_db

FORM_ID = "order_form"


def test_two_advisers_save_the_same_order():
    paris = BoutiqueFactory()
    draft = order(client=ClientFactory(home_boutique=paris), notes="")
    anna = UserFactory(
        role=roles.ADVISER, boutiques=[paris], first_name="Anna", last_name="Martin"
    )
    bruno = UserFactory(
        role=roles.ADVISER, boutiques=[paris], first_name="Bruno", last_name="Roy"
    )
    url = reverse("admin:orders_order_change", args=[draft.pk])
    anna_browser, bruno_browser = signed_in_browser(anna), signed_in_browser(bruno)
    anna_form = opened_change_form(anna_browser, url, FORM_ID)
    bruno_form = opened_change_form(bruno_browser, url, FORM_ID)

    # when Anna saves a note, then Bruno his own, from his older page
    anna_form["notes"] = ["Engraving: A & B"]
    assert anna_browser.post(url, anna_form).status_code == 302
    bruno_form["notes"] = ["Gift wrap"]
    refused = bruno_browser.post(url, bruno_form)

    # then Bruno is refused with Anna's name and the field, his input kept
    assert refused.status_code == 200
    message = form_refusal(refused)
    assert "This order was changed by Anna Martin" in message
    assert "Changed: Notes." in message
    assert refused.context["adminform"].form["notes"].value() == "Gift wrap"
    draft.refresh_from_db()
    assert draft.notes == "Engraving: A & B"

    # when he saves again the form he was shown, it is accepted
    accepted = bruno_browser.post(url, form_data(refused.text, FORM_ID))
    assert accepted.status_code == 302
    draft.refresh_from_db()
    assert draft.notes == "Gift wrap"


def test_an_order_saved_with_no_concurrent_change_goes_through():
    paris = BoutiqueFactory()
    draft = order(client=ClientFactory(home_boutique=paris))
    browser = signed_in_browser(UserFactory(role=roles.ADVISER, boutiques=[paris]))
    url = reverse("admin:orders_order_change", args=[draft.pk])
    data = opened_change_form(browser, url, FORM_ID)
    data["notes"] = ["Gift wrap"]

    assert browser.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.notes == "Gift wrap"
