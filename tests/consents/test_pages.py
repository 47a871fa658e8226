import pytest
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from consents import registry, services, suppression
from consents.models import (
    Channel,
    ConsentDecision,
    OutreachList,
    PaperFormSubmission,
    SuppressionEntry,
)
from consents.panels import consent_panel_context
from core import hooks, roles
from tests.clienteling.factories import BoutiqueFactory, UserFactory, adviser
from tests.consents.factories import ClientFactory, grant, paper_version
from tests.consents.test_capture import _capture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "purpose",
        "formtemplate",
        "formtemplateversion",
        "consentdecision",
        "paperformsubmission",
        "softoptin",
        "restriction",
        "suppressionentry",
        "outreachlist",
    ],
)
def test_admin_changelists_load(admin_client, model):
    response = admin_client.get(reverse(f"admin:consents_{model}_changelist"))

    assert response.status_code == 200


def test_purpose_page_shows_the_balancing_test(admin_client):
    from consents.models import Purpose

    purpose = Purpose.objects.get(code="customer_relations")

    response = admin_client.get(
        reverse("admin:consents_purpose_change", args=[purpose.pk])
    )

    assert purpose.balancing_rights in response.text


def test_adviser_sees_only_ledger_rows_of_their_boutiques(client):
    mine, theirs = BoutiqueFactory(), BoutiqueFactory()
    grant(ClientFactory(home_boutique=mine, last_name="Mine"), registry.NEWSLETTERS)
    grant(ClientFactory(home_boutique=theirs, last_name="Theirs"), registry.EVENTS)
    client.force_login(adviser(mine))

    response = client.get(reverse("admin:consents_consentdecision_changelist"))

    assert response.status_code == 200
    assert "Mine" in response.text
    assert "Theirs" not in response.text


def test_consent_panel_is_registered_and_runs_constant_queries(
    django_assert_num_queries,
):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    request = RequestFactory().get("/")
    request.user = user
    client = ClientFactory(home_boutique=boutique)
    for _ in range(3):
        grant(client, registry.NEWSLETTERS)
        services.consent_withdraw(
            acting_user=None,
            client=client,
            purpose_code=registry.NEWSLETTERS,
            channel=Channel.PHONE,
        )
    grant(client, registry.EVENTS)
    user.has_perm("consents.add_consentdecision")  # warm the permission cache

    with django_assert_num_queries(2):
        context = consent_panel_context(request, client)
        states = {s.purpose.code: s for s in context["states"]}

    # Other apps (orders) register panels too; this one must be among them.
    assert "consents" in [p.key for p in hooks.client_panels_for(user)]
    assert states[registry.EVENTS].granted
    assert states[registry.NEWSLETTERS].decision.decision == "withdraw"
    assert "boutique_orders" not in states


def test_panel_is_hidden_from_staff_without_the_permission():
    assert hooks.client_panels_for(UserFactory()) == []


def test_one_click_withdraw_from_the_client_page(client):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique)
    grant(customer, registry.NEWSLETTERS)
    client.force_login(adviser(boutique))
    page_url = reverse("admin:consents_client", args=[customer.pk])

    page = client.get(page_url)
    response = client.post(
        reverse("admin:consents_withdraw", args=[customer.pk]),
        {"purpose": registry.NEWSLETTERS, "next": page_url},
    )

    assert 'name="decision" value="withdraw"' in page.text
    assert response.status_code == 302
    assert response["Location"] == page_url
    latest = ConsentDecision.objects.filter(client=customer).first()
    assert latest.decision == "withdraw"


def test_withdraw_of_an_out_of_scope_client_is_404_and_writes_nothing(client):
    mine, theirs = BoutiqueFactory(), BoutiqueFactory()
    stranger = ClientFactory(home_boutique=theirs)
    grant(stranger, registry.NEWSLETTERS)
    client.force_login(adviser(mine))

    response = client.post(
        reverse("admin:consents_withdraw", args=[stranger.pk]),
        {"purpose": registry.NEWSLETTERS},
    )

    assert response.status_code == 404
    assert ConsentDecision.objects.count() == 1


def test_withdraw_needs_the_permission_and_a_post(client):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique)
    grant(customer, registry.NEWSLETTERS)
    staff = UserFactory(boutiques=[boutique])
    staff.user_permissions.add(Permission.objects.get(codename="view_consentdecision"))
    client.force_login(staff)
    url = reverse("admin:consents_withdraw", args=[customer.pk])

    posted = client.post(url, {"purpose": registry.NEWSLETTERS})
    client.force_login(adviser(boutique))
    fetched = client.get(url)

    assert posted.status_code == 403
    assert fetched.status_code == 405
    assert ConsentDecision.objects.count() == 1


def test_withdraw_of_a_purpose_never_granted_shows_the_refusal(client):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))

    response = client.post(
        reverse("admin:consents_withdraw", args=[customer.pk]),
        {"purpose": registry.EVENTS},
        follow=True,
    )

    assert "nothing to withdraw" in response.text
    assert not ConsentDecision.objects.exists()


def test_scan_is_served_only_to_permitted_staff_in_scope(client):
    mine, theirs = BoutiqueFactory(), BoutiqueFactory()
    result = _capture(boutique=mine)
    result.client.home_boutique = mine
    result.client.save()
    url = reverse("admin:consents_scan", args=[result.submission.pk])

    client.force_login(adviser(mine))
    served = client.get(url)
    client.force_login(adviser(theirs))
    out_of_scope = client.get(url)
    client.force_login(UserFactory(boutiques=[mine]))
    no_permission = client.get(url)

    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content).startswith(b"%PDF")
    assert out_of_scope.status_code == 404
    assert no_permission.status_code == 403
    assert PaperFormSubmission.objects.count() == 1
    from core.models import AccessLogEntry

    logged = list(
        AccessLogEntry.objects.filter(object_type="consents.paperformsubmission")
        .order_by("id")
        .values_list("action", "object_id")
    )
    pk = str(result.submission.pk)
    assert logged == [("download", pk), ("denied", pk)]


def test_printable_form_html_shows_asterisks_wording_and_sentence(client):
    client.force_login(adviser(BoutiqueFactory()))
    version = paper_version()

    response = client.get(reverse("admin:consents_print_form", args=[version.pk]))

    assert response.status_code == 200
    assert 'class="asterisk">*<' in response.text
    assert registry._WORDING["en"][registry.ALLERGY_AWARE_SERVICE] in response.text
    assert "will not be able to answer your requests" in response.text
    assert "print-form.css" in response.text


def test_printable_form_pdf(client):
    client.force_login(adviser(BoutiqueFactory()))
    version = paper_version()

    response = client.get(reverse("admin:consents_print_form_pdf", args=[version.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_printable_form_needs_the_permission(client):
    client.force_login(UserFactory())

    response = client.get(
        reverse("admin:consents_print_form", args=[paper_version().pk])
    )

    assert response.status_code == 403


def test_outreach_page_builds_a_list_of_eligible_clients_and_counts_the_excluded(
    client, django_capture_on_commit_callbacks
):
    boutique = BoutiqueFactory()
    yes = ClientFactory(home_boutique=boutique, last_name="Consenting")
    yes.emails.create(address="yes@example.com", is_primary=True)
    grant(yes, registry.NEWSLETTERS)
    ClientFactory(home_boutique=boutique, last_name="Silent")
    ClientFactory(home_boutique=BoutiqueFactory(), last_name="Elsewhere")
    client.force_login(adviser(boutique))

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(
            reverse("admin:consents_outreach"),
            {"purpose": registry.NEWSLETTERS, "channel": "email"},
        )
    page = client.get(asked["Location"])
    outreach_list = OutreachList.objects.get()
    download = client.get(
        reverse("admin:consents_outreach_download", args=[outreach_list.pk])
    )
    csv_text = b"".join(download.streaming_content).decode()

    assert asked.status_code == 302
    assert page.status_code == 200
    assert '<td class="outreach-eligible">1</td>' in page.text
    assert "No consent for this purpose: 1" in page.text
    assert "Consenting" in csv_text
    assert "yes@example.com" in csv_text
    assert "Silent" not in csv_text
    assert "Elsewhere" not in csv_text


def test_outreach_page_needs_the_permission(client):
    client.force_login(UserFactory())

    response = client.get(reverse("admin:consents_outreach"))

    assert response.status_code == 403


def test_compliance_sees_the_suppression_list_and_advisers_do_not(client):
    boutique = BoutiqueFactory()
    url = reverse("admin:consents_suppressionentry_changelist")
    client.force_login(adviser(boutique))
    entry = SuppressionEntry.objects.create(
        kind="email",
        digest=suppression.email_digest("gone@example.com"),
        added_at=timezone.now(),
        reason="objection",
    )
    refused = client.get(url)
    client.force_login(UserFactory(role=roles.COMPLIANCE))
    allowed = client.get(url)

    assert refused.status_code == 403
    assert entry.digest[:16] not in refused.text
    assert allowed.status_code == 200
    # The list itself: the entry, by its digest only, never the address.
    assert entry.digest[:16] in allowed.text
    assert "gone@example.com" not in allowed.text


def test_client_360_page_shows_the_consent_panel_with_withdraw(client):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique)
    grant(customer, registry.NEWSLETTERS)
    client.force_login(adviser(boutique))

    response = client.get(reverse("admin:clienteling_client_card", args=[customer.pk]))

    assert response.status_code == 200
    assert 'id="consents-panel"' in response.text
    assert f'name="purpose" value="{registry.NEWSLETTERS}"' in response.text
    assert 'name="decision" value="withdraw"' in response.text
    assert reverse("admin:consents_capture_client", args=[customer.pk]) in (
        response.text
    )


def test_changelists_link_to_capture_and_outreach_for_advisers(client):
    client.force_login(adviser(BoutiqueFactory()))

    submissions = client.get(reverse("admin:consents_paperformsubmission_changelist"))
    decisions = client.get(reverse("admin:consents_consentdecision_changelist"))

    assert reverse("admin:consents_capture_new") in submissions.text
    assert reverse("admin:consents_outreach") in decisions.text


def test_customer_service_cannot_learn_who_consented_to_allergy_aware_service(client):
    from tests.clienteling.factories import customer_service

    customer = ClientFactory()
    grant(customer, registry.ALLERGY_AWARE_SERVICE)
    grant(customer, registry.NEWSLETTERS)
    client.force_login(customer_service())

    listing = client.get(reverse("admin:consents_consentdecision_changelist"))
    page = client.get(reverse("admin:consents_client", args=[customer.pk]))
    client_page = client.get(
        reverse("admin:clienteling_client_card", args=[customer.pk])
    )

    assert [d.purpose.code for d in listing.context["cl"].result_list] == [
        registry.NEWSLETTERS
    ]
    for response in (listing, page, client_page):
        assert "llergy" not in response.text, response.request["PATH_INFO"]


def test_an_adviser_still_sees_the_allergy_consent(client):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique)
    grant(customer, registry.ALLERGY_AWARE_SERVICE)
    client.force_login(adviser(boutique))

    page = client.get(reverse("admin:clienteling_client_card", args=[customer.pk]))

    assert "llergy" in page.text


def test_an_objection_to_direct_marketing_is_recorded_from_the_client_page(client):
    from consents.models import SuppressionEntry
    from tests.clienteling.factories import EmailFactory, customer_service

    customer = ClientFactory()
    EmailFactory(client=customer, address="objector@example.com")
    grant(customer, registry.NEWSLETTERS)
    client.force_login(customer_service())
    page = client.get(reverse("admin:clienteling_client_card", args=[customer.pk]))
    assert 'name="decision" value="object"' in page.text

    url = reverse("admin:consents_withdraw", args=[customer.pk])
    form = {"purpose": registry.NEWSLETTERS, "decision": "object", "channel": "phone"}

    # the panel's button leads to the confirmation page, which records nothing
    confirmation = client.post(url, form)
    assert confirmation.status_code == 200
    assert "Record the objection" in confirmation.text
    assert ConsentDecision.objects.filter(client=customer).count() == 1
    assert not SuppressionEntry.objects.exists()

    response = client.post(url, {**form, "confirm": "yes"}, follow=True)

    assert "Objection recorded" in response.text
    decision = ConsentDecision.objects.filter(client=customer).latest("id")
    assert (decision.decision, decision.channel) == ("object", "phone")
    assert SuppressionEntry.objects.exists()
