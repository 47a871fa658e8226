"""The legal clock, the lifecycle, restriction and rectification."""

from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Client
from consents.models import Restriction
from privacy import requests as dsr
from privacy.models import DataSubjectRequest, RequestEdit
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, compliance

pytestmark = pytest.mark.django_db

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _open(received=date(2026, 1, 31), kind=Kind.ACCESS, client=None, user=None):
    return dsr.request_open(
        acting_user=user,
        client=client or ClientFactory(),
        kind=kind,
        channel="email",
        received_on=received,
        now=at(received),
    )


# --- Due dates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),  # month end clamps
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2028, 1, 29), date(2028, 2, 29)),
        (date(2026, 1, 15), date(2026, 2, 15)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 8, 31), date(2026, 9, 30)),
        (date(2026, 12, 31), date(2027, 1, 31)),  # over the year end
        (date(2026, 2, 28), date(2026, 3, 28)),  # not "the last day" again
    ],
)
def test_due_one_calendar_month_from_receipt(received, due):
    assert dsr.due_date_for(received) == due
    assert _open(received).due_on == due


def test_a_request_received_in_the_future_is_refused_and_nothing_written():
    with pytest.raises(ValidationError, match="future"):
        dsr.request_open(
            acting_user=None,
            client=ClientFactory(),
            kind=Kind.ACCESS,
            channel="email",
            received_on=date(2026, 5, 2),
            now=at(date(2026, 5, 1)),
        )
    assert not DataSubjectRequest.objects.exists()


def test_extension_counts_from_receipt_and_clamps_to_month_end():
    request = _open(date(2026, 1, 31))

    extended = dsr.request_extend(
        acting_user=None,
        request=request,
        months=2,
        reason="Complex: three boutiques' paper archives",
        now=at(date(2026, 2, 20)),
    )

    assert extended.due_on == date(2026, 2, 28)  # the first due date stays
    assert extended.extended_due_on == date(2026, 4, 30)
    assert extended.effective_due_on == date(2026, 4, 30)


def test_two_one_month_extensions_are_allowed_a_third_is_not():
    request = _open(date(2028, 1, 31))
    request = dsr.request_extend(
        acting_user=None,
        request=request,
        months=1,
        reason="a",
        now=at(date(2028, 2, 1)),
    )
    assert request.extended_due_on == date(2028, 3, 31)
    request = dsr.request_extend(
        acting_user=None,
        request=request,
        months=1,
        reason="b",
        now=at(date(2028, 2, 2)),
    )
    assert request.extended_due_on == date(2028, 4, 30)

    with pytest.raises(ValidationError, match="at most 2 further months"):
        dsr.request_extend(
            acting_user=None,
            request=request,
            months=1,
            reason="c",
            now=at(date(2028, 2, 3)),
        )
    request.refresh_from_db()
    assert request.extended_due_on == date(2028, 4, 30)
    assert request.extension_reason == "a\nb"


def test_extension_on_the_due_date_is_allowed_the_day_after_is_refused():
    request = _open(date(2026, 1, 31))
    assert dsr.request_extend(
        acting_user=None,
        request=request,
        months=1,
        reason="volume",
        now=at(date(2026, 2, 28), 20),
    ).extended_due_on == date(2026, 3, 31)

    late = _open(date(2026, 1, 31))
    with pytest.raises(ValidationError, match="has passed"):
        dsr.request_extend(
            acting_user=None,
            request=late,
            months=1,
            reason="volume",
            now=at(date(2026, 3, 1)),
        )
    late.refresh_from_db()
    assert late.extended_due_on is None
    assert late.extension_reason == ""


def test_extension_without_a_reason_or_beyond_two_months_is_refused():
    request = _open(date(2026, 1, 10))
    with pytest.raises(ValidationError, match="reason"):
        dsr.request_extend(
            acting_user=None,
            request=request,
            months=1,
            reason="  ",
            now=at(date(2026, 1, 11)),
        )
    with pytest.raises(ValidationError, match="at most 2"):
        dsr.request_extend(
            acting_user=None,
            request=request,
            months=3,
            reason="x",
            now=at(date(2026, 1, 11)),
        )
    request.refresh_from_db()
    assert request.extended_due_on is None


# --- Lifecycle -----------------------------------------------------------------


def _in_status(status: str, user) -> DataSubjectRequest:
    """An objection request brought to `status` by the services themselves
    (no erasure or report is needed to complete it)."""
    request = _open(kind=Kind.OBJECTION)
    if status == Status.RECEIVED:
        return request
    # Verified first, so that only the table refuses a move out of a
    # closed status (not the identity rule of completion).
    request = dsr.request_verify_identity(
        acting_user=user, request=request, method="id_document"
    )
    if status in (Status.COMPLETED, Status.REFUSED, Status.WITHDRAWN):
        request = dsr.request_close(
            acting_user=user, request=request, status=status, outcome="Recorded."
        )
    assert request.status == status
    return request


def _move_by_service(request: DataSubjectRequest, target: str, user) -> None:
    """The one service that takes a request to `target`."""
    if target == Status.IN_PROGRESS:
        dsr.request_verify_identity(
            acting_user=user, request=request, method="known_email"
        )
    else:
        dsr.request_close(
            acting_user=user, request=request, status=target, outcome="Recorded."
        )


@pytest.mark.parametrize("source", Status.values)
def test_every_status_change_goes_through_the_transition_table(source):
    # Every target a service can reach (nothing takes a request back to
    # "received"): allowed exactly when the table allows it, and a refused
    # move writes nothing, history included.
    user = compliance()
    for target in [s for s in Status.values if s != Status.RECEIVED]:
        request = _in_status(source, user)
        versions = request.history.count()
        allowed = target in dsr.TRANSITIONS[source]
        if allowed:
            _move_by_service(request, target, user)
        else:
            # Received -> completed also meets the identity rule first.
            refusal = "cannot become|without identity verification"
            with pytest.raises(ValidationError, match=refusal):
                _move_by_service(request, target, user)
        request.refresh_from_db()
        assert request.status == (target if allowed else source), (source, target)
        assert request.history.count() == versions + allowed, (source, target)


def test_a_request_without_identity_verification_cannot_be_fulfilled():
    request = _open(kind=Kind.ERASURE)
    with pytest.raises(ValidationError, match="without identity verification"):
        dsr.request_close(acting_user=None, request=request, status=Status.COMPLETED)
    request.refresh_from_db()
    assert request.status == Status.RECEIVED
    assert request.closed_at is None


def test_verified_request_completes_and_a_closed_one_cannot_move():
    user = compliance()
    request = _open(kind=Kind.OBJECTION)
    request = dsr.request_verify_identity(
        acting_user=user, request=request, method="id_document", note="passport"
    )
    assert (request.status, request.identity_verified_by) == (Status.IN_PROGRESS, user)
    request = dsr.request_close(
        acting_user=user, request=request, status=Status.COMPLETED, outcome="done"
    )
    with pytest.raises(ValidationError, match="cannot become"):
        dsr.request_close(acting_user=user, request=request, status=Status.WITHDRAWN)
    assert request.history.count() == 3  # opened, verified, completed


def test_an_access_request_cannot_complete_before_its_report():
    user = compliance()
    request = dsr.request_verify_identity(
        acting_user=user, request=_open(), method="known_email"
    )
    with pytest.raises(ValidationError, match="Build the report"):
        dsr.request_close(acting_user=user, request=request, status=Status.COMPLETED)


def test_verification_needs_a_method_and_a_person():
    request = _open()
    with pytest.raises(ValidationError):
        dsr.request_verify_identity(
            acting_user=compliance(), request=request, method=""
        )
    with pytest.raises(ValidationError, match="member of staff"):
        dsr.request_verify_identity(
            acting_user=None, request=request, method="known_email"
        )
    request.refresh_from_db()
    assert request.identity_verified_at is None


def test_refusal_states_its_reason():
    request = _open()
    with pytest.raises(ValidationError, match="reason"):
        dsr.request_close(acting_user=None, request=request, status=Status.REFUSED)
    request.refresh_from_db()
    assert request.status == Status.RECEIVED


# --- D-7 and D-1 -------------------------------------------------------------------


def test_requests_are_flagged_once_at_d7_and_at_d1(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = compliance(email="officer@staff.example.com")
    request = _open(date(2026, 1, 31))  # due 28/02
    dsr.request_assign(acting_user=None, request=request, assignee=user)

    assert dsr.requests_flag_due(now=at(date(2026, 2, 20))) == {7: [], 1: []}
    assert dsr.requests_flag_due(now=at(date(2026, 2, 21))) == {7: [request.pk], 1: []}
    assert dsr.requests_flag_due(now=at(date(2026, 2, 22))) == {7: [], 1: []}
    assert dsr.requests_flag_due(now=at(date(2026, 2, 27))) == {7: [], 1: [request.pk]}
    assert dsr.requests_flag_due(now=at(date(2026, 2, 28))) == {7: [], 1: []}
    assert len(mail.outbox) == 2
    assert request.client.last_name not in mail.outbox[0].body
    assert "due on 28 Feb 2026" in mail.outbox[0].subject
    assert "due in 7 days" in mail.outbox[0].body
    assert "due in 1 day." in mail.outbox[1].body


def test_the_reminder_is_in_the_assignees_language(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = compliance(email="officer@staff.example.com", language="fr")
    request = _open(date(2026, 1, 31))  # due 28/02
    dsr.request_assign(acting_user=None, request=request, assignee=user)

    dsr.requests_flag_due(now=at(date(2026, 2, 21)))

    # the date in French; the sentence follows once privacy's catalogue is
    # translated: see tests/test_translations.py.
    assert "28 fév. 2026" in mail.outbox[0].subject


def test_closed_requests_are_not_flagged():
    request = _open(date(2026, 1, 31))
    dsr.request_close(acting_user=None, request=request, status=Status.WITHDRAWN)
    assert dsr.requests_flag_due(now=at(date(2026, 2, 27))) == {7: [], 1: []}


# --- Dashboard ---------------------------------------------------------------------


def test_dashboard_is_ordered_by_due_date_with_overdue_and_soon(client):
    user = compliance()
    today = date(2026, 3, 10)
    late = _open(date(2026, 2, 1))  # due 01/03: overdue
    soon = _open(date(2026, 2, 14))  # due 14/03: 4 days
    later = _open(date(2026, 3, 5))  # due 05/04
    extended = dsr.request_extend(
        acting_user=None,
        request=_open(date(2026, 1, 20)),
        months=2,
        reason="volume",
        now=at(date(2026, 2, 1)),
    )  # due 20/04
    dsr.request_close(
        acting_user=None, request=_open(date(2026, 2, 2)), status=Status.WITHDRAWN
    )

    rows = dsr.compliance_dashboard(user=user, today=today)

    assert [r.request.pk for r in rows] == [late.pk, soon.pk, later.pk, extended.pk]
    assert [(r.overdue, r.due_soon) for r in rows] == [
        (True, False),
        (False, True),
        (False, False),
        (False, False),
    ]


# --- Restriction and rectification --------------------------------------------------


def _restriction_request(user):
    request = _open(timezone.localdate(), kind=Kind.RESTRICTION)
    return dsr.request_verify_identity(
        acting_user=user, request=request, method="known_email"
    )


def test_restriction_blocks_edits_in_the_admin_until_lifted(client):
    officer = compliance()
    request = _restriction_request(officer)
    target = request.client
    client.force_login(officer)
    superuser_url = reverse("admin:clienteling_client_change", args=[target.pk])

    request = dsr.request_restrict(
        acting_user=officer, request=request, reason="accuracy"
    )

    assert Restriction.objects.get(client=target).lifted_at is None
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", "r@example.com", "x")
    client.force_login(admin_user)
    page = client.get(superuser_url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # read-only while restricted
    response = client.post(superuser_url, {"first_name": "Changed"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.first_name != "Changed"

    dsr.request_lift_restriction(acting_user=officer, request=request)
    assert b'name="_save"' in client.get(superuser_url).content


def test_restriction_needs_a_verified_restriction_request():
    officer = compliance()
    with pytest.raises(ValidationError, match="Verify the identity"):
        dsr.request_restrict(
            acting_user=officer, request=_open(kind=Kind.RESTRICTION), reason="x"
        )
    access = dsr.request_verify_identity(
        acting_user=officer, request=_open(), method="known_email"
    )
    with pytest.raises(ValidationError, match="Only a restriction"):
        dsr.request_restrict(acting_user=officer, request=access, reason="x")
    assert not Restriction.objects.exists()


def test_rectification_links_the_history_rows_of_edits_made_under_it():
    officer = compliance()
    boutique = BoutiqueFactory()
    target = ClientFactory(home_boutique=boutique)
    untouched = ClientFactory(home_boutique=boutique)
    request = dsr.request_verify_identity(
        acting_user=officer,
        request=_open(timezone.localdate(), kind=Kind.RECTIFICATION, client=target),
        method="known_email",
    )
    for c in (target, untouched):
        c.last_name = "Rectifié"
        c._history_user = officer
        c.save()

    edits = dsr.rectification_link_edits(acting_user=officer, request=request)

    assert [(e.object_type, e.object_id) for e in edits] == [
        ("clienteling.client", str(target.pk))
    ]
    linked = dsr.edits_of(request)
    assert linked[0][1].last_name == "Rectifié"
    # linking twice links nothing new
    assert dsr.rectification_link_edits(acting_user=officer, request=request) == []
    assert RequestEdit.objects.count() == 1
    assert Client.objects.get(pk=untouched.pk).last_name == "Rectifié"


def test_restriction_blocks_the_services_too_until_lifted():
    from clienteling import services as clienteling_services
    from clienteling.models import ContactEvent, MetalAllergy
    from core import hooks

    officer = compliance()
    request = dsr.request_restrict(
        acting_user=officer, request=_restriction_request(officer), reason="accuracy"
    )
    target = request.client

    with pytest.raises(ValidationError):
        clienteling_services.contact_log(
            acting_user=officer,
            client=target,
            channel="phone",
            direction="inbound",
            subject="x",
            outcome="reached",
        )
    with (
        hooks.override("allergy_gate", lambda client: None),
        pytest.raises(ValidationError),
    ):
        clienteling_services.allergy_record(
            acting_user=officer, client=target, metal="nickel"
        )
    assert not ContactEvent.objects.filter(client=target, subject="x").exists()
    assert not MetalAllergy.objects.exists()

    dsr.request_lift_restriction(acting_user=officer, request=request)
    clienteling_services.contact_log(
        acting_user=officer,
        client=target,
        channel="phone",
        direction="inbound",
        subject="x",
        outcome="reached",
    )
