"""The breach register (issue 17, Art. 33/34, docs/decisions/0060): the
record and its affected clients, the 72-hour clock and its alerts (time
frozen for real: tests.helpers.frozen_time patches timezone.now), the risk
assessment, the generated CNIL text and letters, and every refusal with
nothing written."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core import roles
from privacy import breaches
from privacy.models import (
    Breach,
    BreachAlert,
    BreachAssessment,
    BreachClient,
    BreachNotification,
)
from privacy.tasks.breaches import breach_alerts
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    MetalAllergyFactory,
    UserFactory,
    compliance,
)
from tests.helpers import frozen_time

pytestmark = pytest.mark.django_db

AWARE = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def officer():
    return compliance(email="officer@staff.example.com")


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR-TEST", city="Paris")


def _facts(**overrides) -> dict:
    facts = {
        "title": "Laptop stolen from the Paris boutique",
        "occurred_at": AWARE - timedelta(hours=5),
        "aware_at": AWARE,
        "nature": Breach.Nature.CONFIDENTIALITY,
        "description": "An unencrypted laptop with a client export was stolen.",
        "data_categories": ["identity", "contact"],
        "people_categories": ["clients"],
        "approx_people": 40,
        "approx_records": 40,
        "consequences": "Unsolicited contact; phishing.",
        "measures_taken": "Device wiped remotely; police report.",
        "measures_proposed": "Disk encryption on every laptop.",
    }
    return {**facts, **overrides}


def _record(officer, paris, now=None, **overrides):
    return breaches.breach_record(
        acting_user=officer,
        query={"boutique_codes": [paris.code]},
        now=now or AWARE + timedelta(hours=1),
        **_facts(**overrides),
    )


def test_a_breach_counts_and_records_its_clients_by_id(officer, paris):
    inside = ClientFactory.create_batch(3, home_boutique=paris)
    ClientFactory.create_batch(2)  # another boutique

    breach = _record(officer, paris)

    assert breach.clients_found == 3
    assert set(
        BreachClient.objects.filter(breach=breach).values_list("client_id", flat=True)
    ) == {c.pk for c in inside}
    assert breach.client_query == {"boutique_codes": [paris.code]}
    # nothing of the clients is copied onto the breach
    assert all(c.last_name not in str(breach.__dict__) for c in inside)


def test_affected_clients_by_category_dates_and_numbers(paris):
    allergic = ClientFactory(home_boutique=paris)
    MetalAllergyFactory(client=allergic)
    other = ClientFactory(home_boutique=paris)

    by_health = breaches.affected_clients(category="health")
    by_numbers = breaches.affected_clients(client_numbers=[other.client_number])
    by_dates = breaches.affected_clients(
        created_from=timezone.localdate() + timedelta(days=1)
    )

    assert list(by_health) == [allergic]
    assert list(by_numbers) == [other]
    assert not by_dates.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"aware_at": AWARE - timedelta(hours=6)},
            "aware_at",
            "cannot have become aware",
        ),
        ({"data_categories": []}, "data_categories", "at least one category"),
        ({"data_categories": ["gossip"]}, "data_categories", "Unknown data"),
        ({"people_categories": []}, "people_categories", "at least one category"),
    ],
)
def test_a_bad_breach_is_refused_with_its_field_and_nothing_written(
    officer, paris, overrides, field, message
):
    ClientFactory(home_boutique=paris)

    with pytest.raises(ValidationError) as refused:
        _record(officer, paris, **overrides)

    assert message in " ".join(refused.value.message_dict[field])
    assert not Breach.objects.exists()
    assert not BreachClient.objects.exists()


def test_a_breach_without_a_client_criterion_or_with_unknown_numbers_is_refused(
    officer,
):
    for query, field in (
        ({}, "boutique_codes"),
        ({"client_numbers": ["NOPE"]}, "client_numbers"),
    ):
        with pytest.raises(ValidationError) as refused:
            breaches.breach_record(
                acting_user=officer, query=query, now=AWARE, **_facts()
            )
        assert field in refused.value.message_dict
    assert not Breach.objects.exists()


def test_the_clock_runs_72_hours_from_awareness(officer, paris):
    with frozen_time(AWARE + timedelta(hours=1)) as clock:
        breach = _record(officer, paris, now=None)
        clock.move_to(AWARE + timedelta(hours=10))
        running = breaches.breach_clock(breach)
        assert (running.state, running.hours_left) == ("running", 62)
        clock.move_to(AWARE + timedelta(hours=72))
        assert breaches.breach_clock(breach).state == "running"
        clock.tick(timedelta(seconds=1))
        late = breaches.breach_clock(breach)
    assert late.state == "overdue"
    assert "ran out" in late.sentence


def test_alerts_at_48_and_66_hours_once_each_to_compliance(officer, paris):
    UserFactory(role=roles.ADVISER, email="adviser@staff.example.com")
    with frozen_time(AWARE + timedelta(hours=1)) as clock:
        breach = _record(officer, paris, now=None)
        # the beat task itself, as Celery runs it, under the frozen clock
        clock.move_to(AWARE + timedelta(hours=47, minutes=59, seconds=59))
        assert breach_alerts() == {"sent": []}
        clock.tick(timedelta(seconds=1))  # 48:00:00
        assert breach_alerts() == {"sent": [(breach.pk, 48)]}
        assert BreachAlert.objects.get().sent_at == AWARE + timedelta(hours=48)
        clock.tick(timedelta(minutes=15))
        assert breach_alerts() == {"sent": []}
        clock.move_to(AWARE + timedelta(hours=65, minutes=59, seconds=59))
        assert breach_alerts() == {"sent": []}
        clock.tick(timedelta(seconds=1))  # 66:00:00
        assert breach_alerts() == {"sent": [(breach.pk, 66)]}
        clock.move_to(AWARE + timedelta(hours=80))
        assert breach_alerts() == {"sent": []}

    assert len(mail.outbox) == 2
    assert [m.to for m in mail.outbox] == [["officer@staff.example.com"]] * 2
    assert "48 hours" in mail.outbox[0].subject
    assert "24 hours left to notify the CNIL" in mail.outbox[0].body
    assert "66 hours" in mail.outbox[1].subject
    assert "6 hours left to notify the CNIL" in mail.outbox[1].body
    assert list(
        BreachAlert.objects.order_by("hours").values_list("hours", "sent_at")
    ) == [(48, AWARE + timedelta(hours=48)), (66, AWARE + timedelta(hours=66))]


def test_a_missed_beat_sends_both_alerts_late_once(officer, paris):
    with frozen_time(AWARE + timedelta(hours=1)) as clock:
        breach = _record(officer, paris, now=None)
        clock.move_to(AWARE + timedelta(hours=70))
        assert breaches.breaches_alert() == [(breach.pk, 48), (breach.pk, 66)]
        assert breaches.breaches_alert() == []


def test_no_alert_once_notified_or_ruled_out(officer, paris):
    with frozen_time(AWARE + timedelta(hours=1)) as clock:
        told = _record(officer, paris, now=None)
        ruled_out = _record(officer, paris, now=None, title="Misaddressed email")
        clock.move_to(AWARE + timedelta(hours=2))
        breaches.breach_assess(
            acting_user=officer,
            breach=ruled_out,
            risk=BreachAssessment.Risk.UNLIKELY,
            reasoning="Sent to a colleague, deleted at once.",
            reasons_not_notified="Recipient is staff bound by confidentiality.",
        )
        clock.move_to(AWARE + timedelta(hours=21))
        breaches.breach_notify(
            acting_user=officer,
            breach=told,
            to=BreachNotification.To.AUTHORITY,
            notified_at=AWARE + timedelta(hours=20),
        )
        clock.move_to(AWARE + timedelta(hours=70))
        assert breaches.breaches_alert() == []
        assert breaches.breach_clock(told).state == "notified"
        assert breaches.breach_clock(ruled_out).state == "not_required"
    assert not mail.outbox


def test_assessment_decides_who_is_told(officer, paris):
    breach = _record(officer, paris)
    Risk = BreachAssessment.Risk

    high = breaches.breach_assess(
        acting_user=officer, breach=breach, risk=Risk.HIGH, reasoning="Names, emails."
    )
    risk = breaches.breach_assess(
        acting_user=officer, breach=breach, risk=Risk.RISK, reasoning="Encrypted."
    )

    assert (high.notify_authority, high.notify_people) == (True, True)
    assert (risk.notify_authority, risk.notify_people) == (True, False)
    assert breaches.latest_assessment(breach) == risk
    with pytest.raises(ValidationError) as refused:
        breaches.breach_assess(
            acting_user=officer, breach=breach, risk=Risk.UNLIKELY, reasoning="x"
        )
    assert "reasons_not_notified" in refused.value.message_dict
    assert BreachAssessment.objects.count() == 2


def test_a_late_notification_needs_a_reason_for_the_delay(officer, paris):
    breach = _record(officer, paris)
    late = AWARE + timedelta(hours=80)

    with pytest.raises(ValidationError) as refused:
        breaches.breach_notify(
            acting_user=officer,
            breach=breach,
            to=BreachNotification.To.AUTHORITY,
            notified_at=late,
            now=late,
        )

    assert "delay_reason" in refused.value.message_dict
    assert not BreachNotification.objects.exists()
    done = breaches.breach_notify(
        acting_user=officer,
        breach=breach,
        to=BreachNotification.To.AUTHORITY,
        notified_at=late,
        delay_reason="The extent was only known after the forensic report.",
        now=late,
    )
    assert breaches.breach_clock(breach, now=late).late
    assert done.delay_reason


def test_the_cnil_text_is_french_and_the_letters_follow_each_clients_language(
    officer, paris
):
    ClientFactory.create_batch(2, home_boutique=paris, preferred_language="fr")
    ClientFactory(home_boutique=paris, preferred_language="en")
    breach = _record(officer, paris)
    breaches.breach_assess(
        acting_user=officer,
        breach=breach,
        risk=BreachAssessment.Risk.HIGH,
        reasoning="Names and emails in clear.",
    )

    text = breaches.cnil_notification_text(breach)
    letters = {letter.language: letter for letter in breaches.people_letters(breach)}

    assert "Notification d’une violation de données" in text
    assert "3 clients identifiés" in text
    assert "Délégué à la protection des données" in text
    assert letters["fr"].clients == 2
    assert letters["en"].clients == 1
    assert "Chère cliente, cher client" in letters["fr"].text
    assert "Dear client" in letters["en"].text
    assert "contact details" in letters["en"].text


# --- Pages -----------------------------------------------------------------------


def test_compliance_records_a_breach_and_works_on_its_page(client, officer, paris):
    ClientFactory.create_batch(2, home_boutique=paris)
    client.force_login(officer)
    add = reverse("admin:privacy_breach_add")
    assert client.get(add).status_code == 200
    data = {
        **{k: v for k, v in _facts().items() if not isinstance(v, (list, datetime))},
        "occurred_at": "2026-12-01T04:00",
        "aware_at": "2026-12-01T09:00",
        "data_categories": ["identity", "contact"],
        "people_categories": ["clients"],
        "boutique_codes": [paris.code],
    }

    response = client.post(add, data)

    breach = Breach.objects.get()
    assert response.status_code == 302
    assert breach.clients_found == 2
    page = client.get(reverse("admin:privacy_breach_change", args=[breach.pk]))
    assert page.status_code == 200
    assert "2 clients (recorded by id, nothing copied)" in page.text
    assert "72-hour clock" in page.text
    assessed = client.post(
        reverse("admin:privacy_breach_assess", args=[breach.pk]),
        {"risk": "high", "reasoning": "Names and emails."},
    )
    assert assessed.status_code == 302
    assert client.get(reverse("admin:privacy_breach_changelist")).status_code == 200


def test_awareness_before_occurrence_keeps_the_form_and_writes_nothing(
    client, officer, paris
):
    client.force_login(officer)

    response = client.post(
        reverse("admin:privacy_breach_add"),
        {
            "title": "x",
            "occurred_at": "2026-12-01T09:00",
            "aware_at": "2026-12-01T08:00",
            "nature": "integrity",
            "description": "x",
            "data_categories": ["identity"],
            "people_categories": ["clients"],
            "approx_people": 1,
            "approx_records": 1,
            "consequences": "x",
            "measures_taken": "x",
            "boutique_codes": [paris.code],
        },
    )

    assert response.status_code == 200
    assert "cannot have become aware" in response.text
    assert not Breach.objects.exists()


@pytest.mark.parametrize("role", [roles.ADVISER, roles.MANAGER, roles.CUSTOMER_SERVICE])
def test_other_roles_do_not_see_the_register(client, officer, paris, role):
    breach = _record(officer, paris)
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("admin:privacy_breach_changelist")).status_code == 403
    assert (
        client.get(reverse("admin:privacy_breach_change", args=[breach.pk])).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:privacy_breach_assess", args=[breach.pk]),
            {"risk": "high", "reasoning": "x"},
        ).status_code
        == 403
    )
    assert not BreachAssessment.objects.exists()
