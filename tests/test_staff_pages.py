"""The pages staff read all day show no internals.

No model label (`clienteling.ClientEmail`), no Python dict or list, no ISO
timestamp and no setting name in the visible text of the main staff
pages, rendered with real data: an erasure receipt after a real erasure
(with an invoice kept under its obligation), the approval page, the
register, a client's page, a data-subject request and the dashboard.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clienteling.models import ClientPhone
from core import roles
from privacy.erasure import jobs
from tests.clienteling.factories import (
    ClientFactory,
    ContactEventFactory,
    EmailFactory,
    FollowUpFactory,
    UserFactory,
)
from tests.orders.factories import ComplaintFactory, order
from tests.privacy.factories import DataSubjectRequestFactory, verified_erasure_request

pytestmark = pytest.mark.django_db

MODEL_LABEL = re.compile(r"\b[a-z_]+\.[A-Z][A-Za-z]+\b")
PYTHON_REPR = re.compile(r"\{'|\['")
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:")


def setting_names() -> set[str]:
    return {n for n in dir(settings) if n.isupper() and len(n) > 8}


class _VisibleText(HTMLParser):
    """Text nodes a reader sees: not scripts, styles or attributes."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def internals_in(text: str) -> list[str]:
    """Every internal the text shows, each with a little context."""
    found = []
    for name, pattern in (
        ("model label", MODEL_LABEL),
        ("Python repr", PYTHON_REPR),
        ("ISO timestamp", ISO_TIMESTAMP),
    ):
        for match in pattern.finditer(text):
            start = max(match.start() - 40, 0)
            found.append(f"{name}: …{text[start : match.end() + 40]}…")
    words = set(re.findall(r"\b[A-Z][A-Z0-9_]{8,}\b", text))
    found += [f"setting name: {w}" for w in sorted(words & setting_names())]
    return found


@pytest.fixture
def officer():
    return UserFactory(role=roles.COMPLIANCE)


@pytest.fixture
def erased_job(officer, client, django_capture_on_commit_callbacks, settings, tmp_path):
    """A client with contacts and an invoice, erased through the pages."""
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    someone = ClientFactory(first_name="Ada", last_name="Exemple")
    EmailFactory(client=someone)
    ContactEventFactory.create_batch(3, client=someone)
    order(client=someone, status="invoiced")
    # Four eyes: another officer asked, this one approves.
    job = jobs.erasure_request(
        acting_user=UserFactory(role=roles.COMPLIANCE),
        client=someone,
        request=verified_erasure_request(someone, officer=officer),
    )
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:privacy_erasurejob_approve", args=[job.pk]),
            {"confirm": "yes", "typed_confirmation": someone.client_number},
        )
    job.refresh_from_db()
    assert job.status == "done", job.outcome
    return job


def test_the_checks_catch_what_they_are_for():
    # given text showing each kind of internal, then text that shows none
    leaky = (
        "clienteling.ClientEmail: {'deleted': 1} ['first_name'] at "
        "2026-12-07T10:00:00+00:00 (BUDGET_RATES_EUR)"
    )
    clean = "Email addresses: 1 entry erased, 7 Dec 2026, 10:00 (e.g. Paris)"

    assert len(internals_in(leaky)) == 5
    assert internals_in(clean) == []
    assert visible_text("<p>a<script>x.Y = {'a': 1}</script>b</p>") == "a b"


def test_erasure_receipt_speaks_staffs_words(client, erased_job):
    response = client.get(
        reverse("admin:privacy_erasurejob_receipt", args=[erased_job.pk])
    )

    text = visible_text(response.text)
    assert response.status_code == 200
    assert internals_in(text) == []
    # the counts are there, in words
    assert "Email addresses" in text
    assert "Contact events" in text
    assert "3 entries erased" in text
    assert "Invoice #" in text  # kept under its obligation, by name
    assert response.text.count('class="erasure-steps"') == 1  # one table


def test_erasure_approval_page_speaks_staffs_words(client, officer):
    someone = ClientFactory()
    order(client=someone, status="invoiced")
    job = jobs.erasure_request(acting_user=officer, client=someone)
    client.force_login(officer)

    response = client.get(reverse("admin:privacy_erasurejob_approve", args=[job.pk]))

    text = visible_text(response.text)
    assert response.status_code == 200
    assert internals_in(text) == []
    assert "first name" in text  # a field's label, not first_name


def test_register_speaks_staffs_words(client, officer):
    client.force_login(officer)

    response = client.get(reverse("admin:privacy_register"))

    text = visible_text(response.text)
    assert response.status_code == 200
    assert internals_in(text) == []
    assert "cross_group_intelligence" not in text
    assert "Cross-group" in text or "parent group" in text


def test_client_page_speaks_staffs_words(client, officer):
    someone = ClientFactory()
    EmailFactory(client=someone)
    ClientPhone.objects.create(client=someone, number="+33199001122", is_primary=True)
    ContactEventFactory(client=someone)
    FollowUpFactory(client=someone)
    ComplaintFactory(client=someone)
    order(client=someone, status="invoiced")
    client.force_login(UserFactory(is_superuser=True))

    for page in ("card", "change"):
        url = reverse(f"admin:clienteling_client_{page}", args=[someone.pk])
        response = client.get(url)
        text = visible_text(response.text)
        assert response.status_code == 200
        assert internals_in(text) == [], page
    assert "Email addresses" in text  # the edit form's inline


def test_request_pages_speak_staffs_words(client, officer):
    request = DataSubjectRequestFactory()
    client.force_login(officer)

    for url in (
        reverse("admin:privacy_datasubjectrequest_change", args=[request.pk]),
        reverse("admin:privacy_datasubjectrequest_changelist"),
        reverse("admin:privacy_dashboard"),
    ):
        response = client.get(url)
        text = visible_text(response.text)
        assert response.status_code == 200, url
        assert internals_in(text) == [], url


def test_retention_rule_pages_speak_staffs_words(client, officer):
    from privacy.models import RetentionRule

    client.force_login(officer)

    pages = [reverse("admin:privacy_retentionrule_changelist")] + [
        reverse("admin:privacy_retentionrule_change", args=[pk])
        for pk in RetentionRule.objects.values_list("pk", flat=True)
    ]
    for url in pages:
        response = client.get(url)
        text = visible_text(response.text)
        assert response.status_code == 200, url
        assert internals_in(text) == [], url


def test_consent_decision_page_speaks_staffs_words(client, officer):
    from tests.consents.factories import ConsentDecisionFactory

    decision = ConsentDecisionFactory()
    client.force_login(officer)

    response = client.get(
        reverse("admin:consents_consentdecision_change", args=[decision.pk])
    )

    text = visible_text(response.text)
    assert response.status_code == 200
    assert internals_in(text) == []
    assert "newsletters_invitations" not in text  # the purpose's name instead
    assert decision.purpose.name in text


def test_appointment_pages_speak_staffs_words(client):
    from tests.clienteling.factories import AppointmentFactory

    appointment = AppointmentFactory()
    client.force_login(appointment.adviser)
    appointment.adviser.groups.add(*UserFactory(role=roles.ADVISER).groups.all())
    day = appointment.starts_at.date().isoformat()
    pages = [
        reverse("admin:clienteling_appointment_calendar") + f"?span=day&day={day}",
        reverse("admin:clienteling_appointment_calendar") + f"?span=week&day={day}",
        reverse("admin:clienteling_appointment_changelist"),
        reverse("admin:clienteling_appointment_change", args=[appointment.pk]),
        reverse("admin:clienteling_appointment_cancel", args=[appointment.pk]),
    ]
    for url in pages:
        response = client.get(url)
        text = visible_text(response.text)
        assert response.status_code == 200, url
        assert internals_in(text) == [], url
        assert appointment.client.full_name in text, url


def test_breach_and_approval_pages_speak_staffs_words(client, officer):
    from privacy import approvals, breaches
    from privacy.models import Breach, BreachAssessment

    paris = ClientFactory().home_boutique
    breach = breaches.breach_record(
        acting_user=officer,
        query={"boutique_codes": [paris.code]},
        title="Tablet stolen",
        occurred_at=timezone.now() - timedelta(hours=3),
        aware_at=timezone.now() - timedelta(hours=2),
        nature=Breach.Nature.CONFIDENTIALITY,
        description="A tablet was stolen.",
        data_categories=["identity", "contact"],
        people_categories=["clients"],
        approx_people=1,
        approx_records=1,
        consequences="Phishing.",
        measures_taken="Wiped.",
        measures_proposed="",
    )
    breaches.breach_assess(
        acting_user=officer,
        breach=breach,
        risk=BreachAssessment.Risk.HIGH,
        reasoning="Names in clear.",
    )
    asked = approvals.retention_run_request(
        acting_user=UserFactory(role=roles.COMPLIANCE)
    )
    client.force_login(officer)

    for url in (
        reverse("admin:privacy_breach_change", args=[breach.pk]),
        reverse("admin:privacy_breach_changelist"),
        reverse("admin:privacy_approval_change", args=[asked.pk]),
        reverse("admin:privacy_approval_approve", args=[asked.pk]),
        reverse("admin:privacy_approval_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert internals_in(visible_text(response.text)) == [], url
