import pytest
from django.urls import reverse

from clienteling.models import ContactEvent, MetalAllergy
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    ContactFactory,
    PhoneFactory,
    UserFactory,
    adviser,
    compliance,
    customer_service,
)
from tests.helpers import get_counting_queries

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:clienteling_client_changelist")


def _change(client):
    return reverse("admin:clienteling_client_change", args=[client.pk])


# --- Changelist ------------------------------------------------------------------


def test_changelist_query_count_is_the_same_at_25_and_100_rows(client, settings):
    # given 100 clients, each with an adviser (a nullable FK), in one boutique
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    for _ in range(100):
        ClientFactory(home_boutique=boutique, primary_adviser=UserFactory())
    client.force_login(user)

    # when
    counts = {}
    for per_page in (25, 100):
        from clienteling.admin import ClientAdmin

        ClientAdmin.list_per_page = per_page
        response, counts[per_page] = get_counting_queries(client, CHANGELIST)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == per_page
    ClientAdmin.list_per_page = 50

    # then
    assert counts[25] == counts[100]
    # session, user, OTP device, permissions, the boutiques' ids (read as
    # values so the boutique index serves the order, decision 0041), count,
    # page, filters, session save
    assert counts[25] <= 13, counts


def test_changelist_runs_no_full_count(client):
    boutique = BoutiqueFactory()
    ClientFactory.create_batch(3, home_boutique=boutique)
    client.force_login(adviser(boutique))

    response = client.get(CHANGELIST)

    assert response.context["cl"].full_result_count is None


def test_adviser_sees_only_the_clients_of_their_boutiques(client):
    paris, london = BoutiqueFactory(), BoutiqueFactory()
    mine = ClientFactory(home_boutique=paris, last_name="Parisienne")
    ClientFactory(home_boutique=london, last_name="Londoner")
    client.force_login(adviser(paris))

    response = client.get(CHANGELIST)

    assert list(response.context["cl"].result_list) == [mine]


def test_customer_service_and_compliance_see_every_client(client):
    ClientFactory(), ClientFactory()
    for user in (customer_service(), compliance()):
        client.force_login(user)
        assert len(client.get(CHANGELIST).context["cl"].result_list) == 2


@pytest.mark.parametrize(
    "typed", ["+33 1 99 00 12 34", "01 99 00 12 34", "0033199001234", "01.99.00.12.34"]
)
def test_search_by_phone_in_any_common_format(client, typed):
    boutique = BoutiqueFactory()
    wanted = ClientFactory(home_boutique=boutique)
    PhoneFactory(client=wanted, number="+33199001234")
    ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))

    response = client.get(CHANGELIST, {"q": typed})

    assert list(response.context["cl"].result_list) == [wanted]


def test_search_by_email_name_and_client_number(client):
    from tests.clienteling.factories import EmailFactory

    boutique = BoutiqueFactory()
    ada = ClientFactory(
        home_boutique=boutique,
        first_name="Ada",
        last_name="Lovelace",
        client_number="EC00000042",
    )
    EmailFactory(client=ada, address="ada@example.com")
    ClientFactory(home_boutique=boutique, first_name="Grace", last_name="Hopper")
    client.force_login(adviser(boutique))

    for term in ("ADA@example.com", "lovel", "ada love", "ec00000042"):
        result = client.get(CHANGELIST, {"q": term}).context["cl"].result_list
        assert list(result) == [ada], term


def test_my_clients_filter(client):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    mine = ClientFactory(home_boutique=boutique, secondary_adviser=user)
    ClientFactory(home_boutique=boutique)
    client.force_login(user)

    response = client.get(CHANGELIST, {"mine": "1"})

    assert list(response.context["cl"].result_list) == [mine]


# --- Client 360 -------------------------------------------------------------------


def test_client_360_page_query_count_does_not_grow_with_contacts(client):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    few, many = (
        ClientFactory(home_boutique=boutique),
        ClientFactory(home_boutique=boutique),
    )
    ContactFactory.create_batch(2, client=few, staff=user)
    ContactFactory.create_batch(40, client=many, staff=user)
    client.force_login(user)
    card = "admin:clienteling_client_card"
    client.get(reverse(card, args=[few.pk]))  # warm process-wide caches

    _, for_few = get_counting_queries(client, reverse(card, args=[few.pk]))
    response, for_many = get_counting_queries(client, reverse(card, args=[many.pk]))

    assert for_few == for_many
    # the first page of the timeline
    assert response.text.count('class="ecrin-contact ') == 25


def test_adviser_cannot_open_another_boutiques_client(client):
    paris, london = BoutiqueFactory(), BoutiqueFactory()
    theirs = ClientFactory(home_boutique=london)
    client.force_login(adviser(paris))

    for name in ("card", "change", "history", "log_contact"):
        url = reverse(f"admin:clienteling_client_{name}", args=[theirs.pk])
        assert client.get(url).status_code == 404, name


def test_log_contact_from_the_client_page(client):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    target = ClientFactory(home_boutique=boutique)
    client.force_login(user)
    url = reverse("admin:clienteling_client_log_contact", args=[target.pk])

    response = client.post(
        url,
        {
            "channel": "phone",
            "direction": "outbound",
            "outcome": "reached",
            "subject": "Ring ready",
        },
    )

    assert response.status_code == 302
    event = ContactEvent.objects.get()
    assert (event.client, event.staff, event.subject) == (target, user, "Ring ready")
    page = client.get(_change(target))
    assert "Ring ready" in page.text


def test_instant_messaging_contact_shows_the_notice_warning(client):
    boutique = BoutiqueFactory()
    target = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))
    url = reverse("admin:clienteling_client_log_contact", args=[target.pk])

    response = client.post(
        url,
        {"channel": "instant_messaging", "direction": "inbound", "subject": "Hello"},
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert any("cannot guarantee the confidentiality" in m for m in messages)


def test_log_contact_without_subject_keeps_what_was_typed_and_writes_nothing(client):
    boutique = BoutiqueFactory()
    target = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))
    url = reverse("admin:clienteling_client_log_contact", args=[target.pk])

    response = client.post(
        url, {"channel": "email", "direction": "inbound", "summary": "Typed text"}
    )

    assert response.status_code == 200
    assert "Typed text" in response.text
    assert "This field is required" in response.text
    assert not ContactEvent.objects.exists()


def test_customer_service_cannot_log_into_allergy_and_sees_none(client):
    from core import hooks

    target = ClientFactory()
    MetalAllergy.objects.create(client=target, metal="nickel", notes="SECRET-NOTE")
    client.force_login(customer_service())

    response = client.get(_change(target))

    assert response.status_code == 200
    assert "SECRET-NOTE" not in response.text
    assert "metal allergies" not in response.text.lower()
    assert hooks is not None


def test_adviser_with_permission_sees_the_allergy_section(client):
    boutique = BoutiqueFactory()
    target = ClientFactory(home_boutique=boutique)
    MetalAllergy.objects.create(client=target, metal="nickel", notes="NOTE-42")
    client.force_login(adviser(boutique))

    response = client.get(_change(target))

    assert "NOTE-42" in response.text


def test_allergy_inline_respects_the_consent_gate(client):
    from django.core.exceptions import ValidationError

    from core import hooks

    def refuse(c):
        raise ValidationError("Explicit consent is required first.")

    boutique = BoutiqueFactory()
    target = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))
    page = client.get(_change(target))
    data = _form_data(page)
    data.update(
        {
            "allergies-TOTAL_FORMS": "1",
            "allergies-0-metal": "nickel",
            "allergies-0-severity": "mild",
            "allergies-0-client": str(target.pk),
        }
    )

    with hooks.override("allergy_gate", refuse):
        response = client.post(_change(target), data)

    assert response.status_code == 200
    assert "Explicit consent is required first." in response.text
    assert not MetalAllergy.objects.exists()


def _form_data(page) -> dict:
    """The change form's current values, as the browser would post them."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = getattr(value, "pk", value)
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data[f"{fs.prefix}-TOTAL_FORMS"] = "0"
        data[f"{fs.prefix}-INITIAL_FORMS"] = "0"
    return data


# --- Import/export and deletion ----------------------------------------------------


def test_only_compliance_exports_client_lists(client):
    boutique = BoutiqueFactory()
    export = reverse("admin:clienteling_client_export")
    client.force_login(adviser(boutique))
    assert client.get(export).status_code == 403
    client.force_login(customer_service())
    assert client.get(export).status_code == 403
    client.force_login(compliance())
    assert client.get(export).status_code == 200


def test_advisers_cannot_import(client):
    client.force_login(adviser(BoutiqueFactory()))

    assert client.get(reverse("admin:clienteling_client_import")).status_code == 403


def test_nobody_deletes_a_client_through_the_admin(admin_client):
    target = ClientFactory()

    url = reverse("admin:clienteling_client_delete", args=[target.pk])

    assert admin_client.get(url).status_code == 403


# --- Smoke: every clienteling admin page opens ---------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "client",
        "followup",
        "contactevent",
        "houseevent",
        "invitation",
        "duplicateflag",
        "collection",
        "boutique",
        "user",
    ],
)
def test_admin_changelist_and_add_pages_open(admin_client, model):
    assert (
        admin_client.get(reverse(f"admin:clienteling_{model}_changelist")).status_code
        == 200
    )
    add = admin_client.get(reverse(f"admin:clienteling_{model}_add"))
    assert add.status_code in (200, 403)


def test_client_360_page_query_count_does_not_grow_with_interests(client):
    from clienteling.models import Collection, Interest

    boutique = BoutiqueFactory()
    user = adviser(boutique)
    few, many = (
        ClientFactory(home_boutique=boutique),
        ClientFactory(home_boutique=boutique),
    )
    collections = [Collection.objects.create(name=f"C{n}") for n in range(15)]
    Interest.objects.create(client=few, collection=collections[0])
    for collection in collections:
        Interest.objects.create(client=many, collection=collection)
    client.force_login(user)
    client.get(_change(few))

    _, for_few = get_counting_queries(client, _change(few))
    _, for_many = get_counting_queries(client, _change(many))

    assert for_few == for_many


def test_two_primary_emails_in_one_save_are_refused_not_a_500(client):
    boutique = BoutiqueFactory()
    target = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))
    page = client.get(_change(target))
    data = _form_data(page)
    data.update(
        {
            "emails-TOTAL_FORMS": "2",
            "emails-0-address": "a@example.com",
            "emails-0-is_primary": "on",
            "emails-1-address": "A@example.com",
            "emails-1-is_primary": "on",
        }
    )

    response = client.post(_change(target), data)

    assert response.status_code == 200
    assert "Mark only one row as primary." in response.text
    assert "already in another row" in response.text
    assert not target.emails.exists()


def test_adviser_choices_are_staff_of_the_advisers_boutiques(client):
    paris, london = BoutiqueFactory(), BoutiqueFactory()
    user = adviser(paris)
    colleague = adviser(paris)
    stranger = adviser(london)
    client.force_login(user)

    response = client.get(reverse("admin:clienteling_client_add"))

    choices = response.context["adminform"].form.fields["primary_adviser"].queryset
    assert set(choices) == {user, colleague}
    assert stranger not in choices


def test_unknown_filter_value_is_ignored_not_a_500(client):
    boutique = BoutiqueFactory()
    ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))

    response = client.get(CHANGELIST, {"boutique": "abc"})

    assert response.status_code == 200


def test_history_version_page_of_another_boutiques_client_is_404(client):
    paris, london = BoutiqueFactory(), BoutiqueFactory()
    theirs = ClientFactory(home_boutique=london)
    version = theirs.history.first()
    client.force_login(adviser(paris))

    url = reverse(
        "admin:clienteling_client_simple_history",
        args=[theirs.pk, version.history_id],
    )

    assert client.get(url).status_code == 404
    assert (
        client.get(f"/admin/clienteling/client/{theirs.pk}/history/abc/").status_code
        == 404
    )


def test_adviser_invites_a_client_from_the_admin(client):
    from clienteling.models import Invitation
    from tests.clienteling.factories import HouseEventFactory

    boutique = BoutiqueFactory()
    someone = ClientFactory(home_boutique=boutique)
    event = HouseEventFactory(boutique=boutique, capacity=1)
    user = adviser(boutique)
    client.force_login(user)

    page = client.get(reverse("admin:clienteling_invitation_add"))
    response = client.post(
        reverse("admin:clienteling_invitation_add"),
        {"event": event.pk, "client": someone.pk, "status": "accepted"},
    )

    assert page.status_code == 200
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.invited_by) == ("accepted", user)


def test_a_full_event_refuses_another_seat_and_writes_nothing(client):
    from clienteling.models import Invitation
    from tests.clienteling.factories import HouseEventFactory, InvitationFactory

    boutique = BoutiqueFactory()
    event = HouseEventFactory(boutique=boutique, capacity=1)
    InvitationFactory(
        event=event, client=ClientFactory(home_boutique=boutique), status="accepted"
    )
    waiting = InvitationFactory(
        event=event, client=ClientFactory(home_boutique=boutique)
    )
    newcomer = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))

    # when one more accepts, by a change or by a new invitation
    changed = client.post(
        reverse("admin:clienteling_invitation_change", args=[waiting.pk]),
        {"event": event.pk, "client": waiting.client_id, "status": "accepted"},
    )
    added = client.post(
        reverse("admin:clienteling_invitation_add"),
        {"event": event.pk, "client": newcomer.pk, "status": "accepted"},
    )

    # then both are sent back with the reason, and nothing changed
    for response in (changed, added):
        assert response.status_code == 200
        assert "The event is full (1 places)." in response.text
    waiting.refresh_from_db()
    assert waiting.status == "invited"
    assert not Invitation.objects.filter(client=newcomer).exists()


def test_the_service_refuses_a_seat_the_form_did_not_see_taken():
    # the form checked capacity; a concurrent acceptance took the last
    # seat before the save: the service, under the event's lock, refuses
    from django.core.exceptions import ValidationError

    from clienteling import services
    from clienteling.models import Invitation
    from tests.clienteling.factories import HouseEventFactory, InvitationFactory

    event = HouseEventFactory(capacity=1)
    InvitationFactory(event=event, client=ClientFactory(), status="accepted")
    waiting = InvitationFactory(event=event, client=ClientFactory())
    waiting.status = "accepted"  # as the admin form leaves the instance

    with pytest.raises(ValidationError, match="The event is full"):
        services.invitation_set_status(
            acting_user=None, invitation=waiting, status="accepted"
        )

    assert Invitation.objects.get(pk=waiting.pk).status == "invited"
