"""Erasure from the client page: the panel, who sees its action, and the
request form it opens (filled in, scoped, refusing with the reason)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clienteling import services as clienteling_services
from core import roles
from core.display import day
from orders import services as order_services
from privacy.erasure import engine, jobs
from privacy.models import ErasureJob
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    EmailFactory,
    UserFactory,
    compliance,
)
from tests.helpers import get_counting_queries
from tests.privacy.factories import verified_erasure_request

pytestmark = pytest.mark.django_db

ADD = reverse("admin:privacy_erasurejob_add")


def _client_page(client, target):
    return client.get(reverse("admin:clienteling_client_card", args=[target.pk]))


def _request_url(target) -> str:
    return f"{ADD}?client={target.pk}"


def _user_with(*codenames, boutiques=()):
    user = UserFactory(boutiques=list(boutiques))
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def erase(settings, tmp_path, django_capture_on_commit_callbacks):
    """Erase a client for real: requested, approved, run in-process."""
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"

    def erase(target, officer) -> ErasureJob:
        # Four eyes: requested by another officer.
        job = jobs.erasure_request(acting_user=compliance(), client=target)
        with django_capture_on_commit_callbacks(execute=True):
            jobs.erasure_approve(acting_user=officer, job=job)
        job.refresh_from_db()
        target.refresh_from_db()
        assert job.status == ErasureJob.Status.DONE
        return job

    return erase


def _open_complaint(target):
    return order_services.complaint_open(
        acting_user=None,
        client=target,
        channel="email",
        category="product_quality",
        description="Clasp broke",
    )


# --- The panel ----------------------------------------------------------------


def test_compliance_sees_the_request_action_for_a_client_never_erased(client):
    target = ClientFactory()
    client.force_login(compliance())

    page = _client_page(client, target).text

    assert 'id="panel-erasure"' in page
    assert "No erasure requested." in page
    assert f'id="erasure-request" href="{_request_url(target)}"' in page


@pytest.mark.parametrize("role", [roles.ADVISER, roles.MANAGER, roles.CUSTOMER_SERVICE])
def test_staff_without_the_permission_see_neither_action_nor_status(client, role):
    target = ClientFactory()
    jobs.erasure_request(acting_user=compliance(), client=target)
    user = UserFactory(role=role, boutiques=[target.home_boutique])
    assert not user.has_perm("privacy.add_erasurejob")
    client.force_login(user)

    response = _client_page(client, target)

    assert response.status_code == 200
    assert "erasure-request" not in response.text
    assert 'id="panel-erasure"' not in response.text
    assert client.get(_request_url(target)).status_code == 403


def test_staff_who_may_view_but_not_request_see_the_status_only(client):
    officer = compliance()
    target, other = ClientFactory(), ClientFactory()
    job = jobs.erasure_request(acting_user=officer, client=target)
    cancelled = jobs.erasure_request(acting_user=officer, client=other)
    jobs.erasure_cancel(acting_user=officer, job=cancelled)
    client.force_login(_user_with("view_client", "view_all_clients", "view_erasurejob"))

    page = _client_page(client, target).text
    other_page = _client_page(client, other).text

    assert f'data-erasure="{job.pk}" data-status="requested"' in page
    # No approval right: the link leads to the job's progress page.
    receipt = reverse("admin:privacy_erasurejob_receipt", args=[job.pk])
    assert f'href="{receipt}"' in page
    # Nothing blocks a new erasure of the other client, but no add right.
    assert f'data-erasure="{cancelled.pk}" data-status="cancelled"' in other_page
    assert "erasure-request" not in page + other_page


def test_an_open_erasure_shows_its_status_and_link_instead_of_the_action(client):
    officer = compliance()
    target = ClientFactory()
    job = jobs.erasure_request(acting_user=officer, client=target)
    client.force_login(officer)

    page = _client_page(client, target).text

    approve = reverse("admin:privacy_erasurejob_approve", args=[job.pk])
    assert f'<a href="{approve}">Erasure #{job.pk}</a>' in page
    assert "Awaiting approval" in page
    assert f"Erasure #{job.pk} is awaiting approval" in page
    assert "erasure-request" not in page


def test_a_done_erasure_shows_the_tombstone_and_links_the_receipt(client, erase):
    officer = compliance()
    target = ClientFactory()
    EmailFactory(client=target)
    job = erase(target, officer)
    client.force_login(officer)

    page = _client_page(client, target).text

    receipt = reverse("admin:privacy_erasurejob_receipt", args=[job.pk])
    assert f"ERASED-{target.pk}" in page
    assert f'<a href="{receipt}">Erasure #{job.pk}</a>' in page
    assert f"Erased by erasure #{job.pk}" in page
    assert "erasure-request" not in page


def test_after_a_cancelled_erasure_a_new_one_may_be_requested(client):
    officer = compliance()
    target = ClientFactory()
    job = jobs.erasure_request(acting_user=officer, client=target)
    jobs.erasure_cancel(acting_user=officer, job=job)
    client.force_login(officer)

    page = _client_page(client, target).text

    assert f'data-erasure="{job.pk}" data-status="cancelled"' in page
    assert 'id="erasure-request"' in page


def test_the_panel_runs_the_same_queries_whatever_the_number_of_erasures(client):
    officer = compliance()
    boutique = BoutiqueFactory()
    few, many = (
        ClientFactory(home_boutique=boutique),
        ClientFactory(home_boutique=boutique),
    )
    for target, cancelled in ((few, 1), (many, 4)):
        for _ in range(cancelled):
            job = jobs.erasure_request(acting_user=officer, client=target)
            jobs.erasure_cancel(acting_user=officer, job=job)
        jobs.erasure_request(acting_user=officer, client=target)
    client.force_login(officer)
    _client_page(client, few)  # warm process-wide caches (content types)

    url = reverse("admin:clienteling_client_card", args=[few.pk])
    _, for_few = get_counting_queries(client, url)
    url = reverse("admin:clienteling_client_card", args=[many.pk])
    response, for_many = get_counting_queries(client, url)

    assert for_few == for_many
    assert response.text.count('class="erasure-row"') == 5


# --- The request form it opens ---------------------------------------------------


def test_the_form_opens_with_the_client_filled_in(client):
    target = ClientFactory(first_name="Ada", last_name="Exemple")
    client.force_login(compliance())

    response = client.get(_request_url(target))

    assert response.status_code == 200
    assert response.context["adminform"].form.initial["client"] == str(target.pk)
    assert "Ada Exemple" in response.text  # named beside the id box


def test_the_form_names_no_client_out_of_the_users_scope(client):
    paris, london = BoutiqueFactory(), BoutiqueFactory()
    theirs = ClientFactory(first_name="Ada", last_name="Exemple", home_boutique=london)
    user = _user_with(
        "view_client", "view_erasurejob", "add_erasurejob", boutiques=[paris]
    )
    client.force_login(user)

    opened = client.get(_request_url(theirs))
    posted = client.post(ADD, {"client": theirs.pk})

    assert opened.status_code == 200
    assert "Ada Exemple" not in opened.text
    assert posted.status_code == 200
    assert "Select a valid choice" in posted.text
    assert "Ada Exemple" not in posted.text
    assert not ErasureJob.objects.exists()


def test_the_form_refuses_a_client_already_erased_saying_by_which_erasure(
    client, erase
):
    officer = compliance()
    target = ClientFactory()
    job = erase(target, officer)
    client.force_login(officer)

    response = client.post(ADD, {"client": target.pk})

    assert response.status_code == 200
    assert (
        f"Nothing to do: client {target.pk} was erased by erasure #{job.pk} on "
        f"{day(job.finished_at)}." in response.text
    )
    assert list(ErasureJob.objects.all()) == [job]


def test_the_form_refuses_a_second_open_erasure_naming_the_open_one(client):
    officer = compliance()
    target = ClientFactory()
    job = jobs.erasure_request(acting_user=officer, client=target)
    client.force_login(officer)

    response = client.post(ADD, {"client": target.pk})

    assert response.status_code == 200
    assert (
        f"Erasure #{job.pk} of this client is already awaiting approval."
        in response.text
    )
    assert list(ErasureJob.objects.all()) == [job]


def test_the_form_refuses_under_a_legal_hold_listing_the_holds(client):
    target = ClientFactory()
    complaint = _open_complaint(target)
    officer = compliance()
    asked = verified_erasure_request(target, officer=officer)
    client.force_login(officer)

    response = client.post(ADD, {"client": target.pk, "request": asked.pk})

    form = response.context["adminform"].form
    assert response.status_code == 200
    assert form.non_field_errors() == [
        "Erasure refused: legal holds apply.",
        f"complaint: complaint#{complaint.pk}",
    ]
    assert form.errors["allow_partial"] == [form.partial_hint]
    assert f'value="{asked.pk}" selected' in response.text  # the choice stays
    assert not ErasureJob.objects.exists()


def test_under_a_legal_hold_a_partial_erasure_may_be_requested(client):
    target = ClientFactory()
    _open_complaint(target)
    client.force_login(compliance())

    response = client.post(ADD, {"client": target.pk, "allow_partial": "on"})

    job = ErasureJob.objects.get()
    assert response.status_code == 302
    assert (job.client, job.allow_partial) == (target, True)


def test_a_client_erased_by_retention_shows_it_and_cannot_be_requested(
    client, settings, tmp_path
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    officer = compliance()
    target = ClientFactory()
    engine.erase_clients(client_ids=[target.pk])  # what a retention batch runs
    client.force_login(officer)

    page = _client_page(client, target).text
    response = client.post(ADD, {"client": target.pk})

    assert "Erased by the retention rules" in page
    assert "erasure-request" not in page
    assert response.status_code == 200
    assert (
        f"Nothing to do: client {target.pk} was erased by the retention rules"
        in response.text
    )
    assert not ErasureJob.objects.exists()


def test_a_record_merged_into_an_erased_client_names_the_erasure_that_took_it(
    client, erase
):
    officer = compliance()
    survivor, duplicate = ClientFactory(), ClientFactory()
    clienteling_services.client_merge(
        acting_user=None, survivor=survivor, duplicate=duplicate
    )
    job = erase(survivor, officer)
    duplicate.refresh_from_db()
    assert duplicate.client_number == f"ERASED-{duplicate.pk}"
    client.force_login(officer)

    page = _client_page(client, duplicate).text
    response = client.post(ADD, {"client": duplicate.pk})

    assert f"Erased by erasure #{job.pk}" in page
    assert "retention rules" not in page
    assert f"was erased by erasure #{job.pk}" in response.text
    assert list(ErasureJob.objects.all()) == [job]
