"""Appointments: booking rules, the admin forms, cancel, marks, the diary
and the day-before reminder."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.models import Appointment, ContactEvent
from core import hooks
from tests.clienteling.factories import (
    AppointmentFactory,
    BoutiqueFactory,
    ClientFactory,
    adviser,
)

pytestmark = pytest.mark.django_db

ADD = reverse("admin:clienteling_appointment_add")
CALENDAR = reverse("admin:clienteling_appointment_calendar")


def _at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=days),
            datetime.time(hour, minute),
        )
    )


def _book(**overrides):
    boutique = overrides.pop("boutique", None) or BoutiqueFactory()
    values = {
        "acting_user": None,
        "client": ClientFactory(home_boutique=boutique),
        "boutique": boutique,
        "adviser": adviser(boutique),
        "starts_at": _at(2, 15),
        "ends_at": _at(2, 16),
        "purpose": Appointment.Purpose.RING_SIZING,
        **overrides,
    }
    return services.appointment_book(**values)


def _form_data(client, boutique, staff, start, end, **extra):
    return {
        "client": client.pk,
        "boutique": boutique.pk,
        "adviser": staff.pk,
        "purpose": "viewing",
        "starts_at_0": start.astimezone(timezone.get_current_timezone()).strftime(
            "%Y-%m-%d"
        ),
        "starts_at_1": start.astimezone(timezone.get_current_timezone()).strftime(
            "%H:%M"
        ),
        "ends_at_0": end.astimezone(timezone.get_current_timezone()).strftime(
            "%Y-%m-%d"
        ),
        "ends_at_1": end.astimezone(timezone.get_current_timezone()).strftime("%H:%M"),
        "notes": "Wants to see the Joséphine rings",
        "booked_via": "phone",
        **extra,
    }


# --- Services -------------------------------------------------------------------


def test_booking_writes_the_appointment_and_a_timeline_entry():
    appointment = _book()

    event = ContactEvent.objects.get(client=appointment.client)
    assert event.related_object == appointment
    assert event.outcome == ContactEvent.Outcome.APPOINTMENT_BOOKED
    assert event.subject.startswith("Appointment booked: Ring sizing on")
    assert appointment.history.count() == 1


def test_double_booking_is_refused_naming_the_time_not_an_unseen_client():
    # given Anna booked 15:00-16:00 with a client of London
    paris, london = BoutiqueFactory(), BoutiqueFactory()
    anna = adviser(paris, london, first_name="Anna", last_name="Martin")
    london_client = ClientFactory(
        home_boutique=london, first_name="Alice", last_name="Rossi"
    )
    _book(client=london_client, boutique=london, adviser=anna, acting_user=anna)
    paris_only = adviser(paris)

    # when a Paris adviser books her at 15:30
    with pytest.raises(ValidationError) as refused:
        _book(
            boutique=paris,
            adviser=anna,
            starts_at=_at(2, 15, 30),
            ends_at=_at(2, 16, 30),
            acting_user=paris_only,
        )

    # then refused, naming the time, not the London client
    message = refused.value.message_dict["starts_at"][0]
    assert "Anna Martin already has an appointment" in message
    assert "from 15:00 to 16:00" in message
    assert "Rossi" not in message
    assert Appointment.objects.count() == 1
    # and someone who sees the client is told whose it is
    with pytest.raises(ValidationError, match="with Alice Rossi"):
        _book(
            boutique=london,
            adviser=anna,
            starts_at=_at(2, 15, 30),
            ends_at=_at(2, 16, 30),
            acting_user=anna,
        )


def test_back_to_back_appointments_are_not_a_double_booking():
    first = _book()

    second = _book(
        boutique=first.boutique,
        adviser=first.adviser,
        starts_at=first.ends_at,
        ends_at=first.ends_at + datetime.timedelta(hours=1),
    )

    assert second.pk


def test_past_and_inverted_times_are_refused_and_nothing_is_written():
    with pytest.raises(ValidationError) as past:
        _book(starts_at=_at(-1, 15), ends_at=_at(-1, 16))
    with pytest.raises(ValidationError) as inverted:
        _book(starts_at=_at(2, 16), ends_at=_at(2, 15))

    assert "in the past" in past.value.message_dict["starts_at"][0]
    assert "end must be after the start" in inverted.value.message_dict["ends_at"][0]
    assert not Appointment.objects.exists()
    assert not ContactEvent.objects.exists()


def test_a_restricted_client_cannot_be_booked():
    target = ClientFactory()

    def gate(client):
        raise ValidationError("Processing of this client is restricted.")

    with hooks.override("edit_gate", gate), pytest.raises(ValidationError) as refused:
        _book(client=target, boutique=target.home_boutique)

    assert "restricted" in refused.value.message_dict["client"][0]
    assert not Appointment.objects.exists()


def test_reschedule_keeps_the_old_times_in_history():
    appointment = _book()
    old_start = appointment.starts_at

    services.appointment_reschedule(
        acting_user=None,
        appointment=appointment,
        starts_at=_at(3, 11),
        ends_at=_at(3, 12),
    )

    appointment.refresh_from_db()
    assert appointment.starts_at == _at(3, 11)
    assert old_start in set(appointment.history.values_list("starts_at", flat=True))


def test_marks_wait_for_the_start_and_attended_is_a_visit():
    # given an appointment that began an hour ago, booked the day before
    start = timezone.now() - datetime.timedelta(hours=1)
    appointment = _book(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        now=start - datetime.timedelta(days=1),
    )

    with pytest.raises(ValidationError, match="once it has begun"):
        services.appointment_mark(
            acting_user=None,
            appointment=appointment,
            status="attended",
            now=start - datetime.timedelta(minutes=1),
        )
    services.appointment_mark(
        acting_user=None, appointment=appointment, status="attended"
    )

    appointment.refresh_from_db()
    assert appointment.status == "attended"
    visit = ContactEvent.objects.get(channel=ContactEvent.Channel.BOUTIQUE_VISIT)
    assert visit.occurred_at == appointment.starts_at
    with pytest.raises(ValidationError, match="already attended"):
        services.appointment_cancel(acting_user=None, appointment=appointment)


# --- Reminders -------------------------------------------------------------------


def test_reminder_is_sent_once_to_the_adviser_the_day_before():
    # given an appointment tomorrow and one in three days
    tomorrow = AppointmentFactory()
    AppointmentFactory(starts_at=_at(3, 10), ends_at=_at(3, 11))

    # when beat runs twice
    first = services.appointment_reminders_send()
    second = services.appointment_reminders_send()

    # then one email, to the adviser, and the appointment is marked
    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [tomorrow.adviser.email]
    assert tomorrow.client.full_name in mail.outbox[0].body
    tomorrow.refresh_from_db()
    assert tomorrow.reminded_at is not None


def test_a_failed_send_is_tried_again_at_the_next_run(monkeypatch):
    appointment = AppointmentFactory()

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(services, "send_mail", broken)
    with pytest.raises(ConnectionError):
        services.appointment_reminders_send()
    appointment.refresh_from_db()
    assert appointment.reminded_at is None

    monkeypatch.undo()
    assert services.appointment_reminders_send() == 1


def test_cancelled_appointments_are_not_reminded():
    appointment = AppointmentFactory()
    services.appointment_cancel(acting_user=None, appointment=appointment)

    assert services.appointment_reminders_send() == 0
    assert mail.outbox == []


# --- The admin forms: bad input ---------------------------------------------------


@pytest.fixture
def booking(client):
    boutique = BoutiqueFactory()
    me = adviser(boutique, first_name="Anna", last_name="Martin")
    target = ClientFactory(home_boutique=boutique)
    client.force_login(me)
    return boutique, me, target


def _refused(response, field):
    assert response.status_code == 200
    return response.context["adminform"].form.errors[field]


def test_booking_from_the_form(client, booking):
    boutique, me, target = booking

    page = client.get(f"{ADD}?client={target.pk}")
    assert page.context["adminform"].form.initial["adviser"] == me.pk
    assert page.context["adminform"].form.initial["boutique"] == boutique.pk
    response = client.post(
        ADD, _form_data(target, boutique, me, _at(2, 15), _at(2, 16))
    )

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.client, appointment.adviser) == (target, me)


@pytest.mark.parametrize(
    ("start", "end", "field", "reason"),
    [
        ((-1, 15), (-1, 16), "starts_at", "in the past"),
        ((2, 16), (2, 15), "ends_at", "end must be after the start"),
        ((2, 15, 30), (2, 16, 30), "starts_at", "already has an appointment"),
    ],
)
def test_bad_bookings_name_the_field_keep_the_input_and_write_nothing(  # noqa: PLR0917 - parametrised
    client, booking, start, end, field, reason
):
    boutique, me, target = booking
    AppointmentFactory(
        client=ClientFactory(home_boutique=boutique),
        adviser=me,
        starts_at=_at(2, 15),
        ends_at=_at(2, 16),
    )
    before = Appointment.objects.count()

    response = client.post(
        ADD, _form_data(target, boutique, me, _at(*start), _at(*end))
    )

    assert reason in " ".join(_refused(response, field))
    assert "Wants to see the Joséphine rings" in response.text
    assert Appointment.objects.count() == before
    assert not ContactEvent.objects.filter(client=target).exists()


def test_booking_a_restricted_client_from_the_form_is_refused(client, booking):
    boutique, me, target = booking

    def gate(candidate):
        raise ValidationError("Processing of this client is restricted.")

    with hooks.override("edit_gate", gate):
        response = client.post(
            ADD, _form_data(target, boutique, me, _at(2, 15), _at(2, 16))
        )

    assert "restricted" in " ".join(_refused(response, "client"))
    assert not Appointment.objects.exists()


def test_reschedule_from_the_change_form_refuses_a_clash(client, booking):
    boutique, me, target = booking
    AppointmentFactory(
        adviser=me, client=target, starts_at=_at(2, 10), ends_at=_at(2, 11)
    )
    moving = AppointmentFactory(adviser=me, client=target)
    url = reverse("admin:clienteling_appointment_change", args=[moving.pk])
    form = client.get(url).context["adminform"].form
    data = {
        **_form_data(target, boutique, me, _at(2, 10, 30), _at(2, 11, 30)),
        **{name: form[name].value() for name in form.fields if name.startswith("_")},
    }

    response = client.post(url, data)

    assert "already has an appointment" in " ".join(_refused(response, "starts_at"))
    moving.refresh_from_db()
    assert moving.starts_at == _at(1, 15)


# --- Cancel and marks ---------------------------------------------------------------


def test_cancel_asks_first_naming_the_appointment(client, booking):
    boutique, me, target = booking
    appointment = AppointmentFactory(adviser=me, client=target)
    url = reverse("admin:clienteling_appointment_cancel", args=[appointment.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "Ring sizing" in page.text
    assert target.full_name in page.text
    appointment.refresh_from_db()
    assert appointment.status == "booked"

    client.post(url)  # not from the page's button: nothing happens
    appointment.refresh_from_db()
    assert appointment.status == "booked"

    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


def test_mark_attended_from_the_page(client, booking):
    boutique, me, target = booking
    appointment = AppointmentFactory(adviser=me, client=target)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=_at(0, 0), ends_at=_at(0, 0, 30)
    )
    url = reverse(
        "admin:clienteling_appointment_mark", args=[appointment.pk, "no_show"]
    )

    response = client.post(url)

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "no_show"


# --- The diary ------------------------------------------------------------------


def test_day_and_week_views_show_the_boutiques_appointments_only(client, booking):
    boutique, me, target = booking
    mine = AppointmentFactory(adviser=me, client=target)
    theirs = AppointmentFactory()

    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    day = client.get(CALENDAR, {"span": "day", "day": tomorrow})
    week = client.get(
        CALENDAR,
        {"span": "week", "day": tomorrow, "boutique": boutique.pk, "adviser": "0"},
    )

    for page in (day, week):
        assert page.status_code == 200
        assert target.full_name in page.text
        assert theirs.client.full_name not in page.text
        assert (
            reverse("admin:clienteling_appointment_change", args=[mine.pk]) in page.text
        )
    assert len(week.context["columns"]) == 7


def test_another_boutiques_appointment_is_404(client, booking):
    theirs = AppointmentFactory()

    for name in ("change", "cancel"):
        url = reverse(f"admin:clienteling_appointment_{name}", args=[theirs.pk])
        assert client.get(url).status_code == 404
