"""Restriction.objects.in_force(at): the one definition of a restriction of
processing (GDPR Art. 18) in force, and its edges."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consents import services
from consents.models import Restriction
from tests.clienteling.factories import ClientFactory

pytestmark = pytest.mark.django_db

AT = timezone.now().replace(microsecond=0) - timedelta(days=3)
HOUR = timedelta(hours=1)


def _restriction(*, started, lifted=None):
    row = services.restriction_start(
        acting_user=None,
        client=ClientFactory(),
        reason="accuracy contested",
        now=started,
    )
    if lifted is not None:
        services.restriction_lift(acting_user=None, restriction=row, now=lifted)
    return row


def _in_force(at=AT):
    return set(Restriction.objects.in_force(at).values_list("pk", flat=True))


def test_a_restriction_starting_exactly_at_the_moment_is_in_force():
    row = _restriction(started=AT)
    assert _in_force() == {row.pk}


def test_a_restriction_starting_after_the_moment_is_not_yet_in_force():
    _restriction(started=AT + HOUR)
    assert _in_force() == set()


def test_a_restriction_lifted_exactly_at_the_moment_is_no_longer_in_force():
    _restriction(started=AT - HOUR, lifted=AT)
    assert _in_force() == set()


def test_a_restriction_lifted_after_the_moment_was_in_force_then():
    row = _restriction(started=AT - HOUR, lifted=AT + HOUR)
    assert _in_force() == {row.pk}
    assert _in_force(AT + 2 * HOUR) == set()


def test_a_restriction_never_lifted_stays_in_force():
    row = _restriction(started=AT - HOUR)
    assert _in_force() == {row.pk}
    assert _in_force(AT + timedelta(days=365)) == {row.pk}


def test_the_moment_defaults_to_now():
    current = _restriction(started=timezone.now() - HOUR)
    _restriction(started=timezone.now() - 2 * HOUR, lifted=timezone.now() - HOUR)
    _restriction(started=timezone.now() + timedelta(days=1))
    assert set(Restriction.objects.in_force().values_list("pk", flat=True)) == {
        current.pk
    }
