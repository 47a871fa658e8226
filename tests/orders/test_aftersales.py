from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from clienteling.models import ContactEvent
from orders import selectors, services
from orders.models import AfterSalesCase, Complaint, Guarantee, Order
from orders.models.aftersales import add_years
from tests.orders.factories import ClientFactory, order

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


# --- Guarantee dates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "legal_end", "house_end"),
    [
        (date(2026, 3, 1), date(2028, 2, 29), date(2031, 2, 28)),
        (date(2026, 1, 15), date(2028, 1, 14), date(2031, 1, 14)),
        # 29 February: the anniversary falls on 28 February.
        (date(2028, 2, 29), date(2030, 2, 27), date(2033, 2, 27)),
        (date(2026, 12, 31), date(2028, 12, 30), date(2031, 12, 30)),
    ],
)
def test_guarantee_dates(start, legal_end, house_end):
    dates = services.guarantee_dates(start)

    assert dates == {
        "legal_start": start,
        "legal_end": legal_end,
        "house_start": start,
        "house_end": house_end,
    }


def test_add_years_keeps_the_day_or_falls_back_to_28_february():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_a_guarantee_is_in_force_until_its_last_day_inclusive():
    created = order(status=Order.Status.INVOICED)
    guarantee = Guarantee.objects.get(order_line__order=created)

    assert guarantee.is_in_force(guarantee.legal_start)
    assert guarantee.is_in_force(guarantee.house_end)
    assert not guarantee.is_in_force(add_years(guarantee.house_end, 1))
    guarantee.status = Guarantee.Status.VOID
    assert not guarantee.is_in_force(guarantee.legal_start)


def test_a_guarantee_ending_before_it_starts_is_refused():
    created = order(status=Order.Status.INVOICED)
    guarantee = Guarantee.objects.get(order_line__order=created)
    guarantee.legal_end = date(2000, 1, 1)

    with pytest.raises(ValidationError, match="ends after it starts"):
        guarantee.full_clean()


# --- After-sales cases -------------------------------------------------------------


def _case(client=None, **kwargs):
    client = client or ClientFactory()
    return services.case_open(
        acting_user=None,
        client=client,
        boutique=client.home_boutique,
        kind=AfterSalesCase.Kind.RESIZING,
        piece_description="Gold ring, to size 54",
        now=kwargs.pop("now", NOW),
        **kwargs,
    )


def test_opening_a_case_logs_the_intake_with_a_link_to_the_case():
    case = _case()

    event = ContactEvent.objects.get(client=case.client)
    assert event.related_object == case
    assert event.occurred_at == NOW
    assert "resizing" in event.subject


CS = AfterSalesCase.Status


@pytest.mark.parametrize(
    ("path", "target", "allowed"),
    [
        ([], CS.IN_WORKSHOP, True),
        ([], CS.READY, False),
        ([], CS.RETURNED, False),
        ([CS.IN_WORKSHOP], CS.READY, True),
        ([CS.IN_WORKSHOP, CS.READY], CS.RETURNED, True),
        ([CS.IN_WORKSHOP, CS.READY, CS.RETURNED], CS.IN_WORKSHOP, False),
        ([CS.CANCELLED], CS.RECEIVED, False),
    ],
)
def test_case_transitions_follow_the_table(path, target, allowed):
    case = _case()
    for status in path:
        services.case_transition(acting_user=None, case=case, status=status)

    if allowed:
        services.case_transition(acting_user=None, case=case, status=target)
        case.refresh_from_db()
        assert case.status == target
    else:
        before = case.history.count()
        with pytest.raises(ValidationError, match="cannot go from"):
            services.case_transition(acting_user=None, case=case, status=target)
        case.refresh_from_db()
        assert case.status == (path[-1] if path else CS.RECEIVED)
        assert case.history.count() == before


def test_a_case_promised_in_the_past_writes_nothing():
    with pytest.raises(ValidationError, match="in the past"):
        _case(promised_date=date(2026, 2, 1))

    assert not AfterSalesCase.objects.exists()
    assert not ContactEvent.objects.exists()


def test_closing_a_complaint_needs_its_resolution():
    complaint = services.complaint_open(
        acting_user=None,
        client=ClientFactory(),
        channel="email",
        category="product_quality",
        description="A stone is loose.",
        now=NOW,
    )

    with pytest.raises(ValidationError, match="resolved"):
        services.complaint_transition(
            acting_user=None, complaint=complaint, status="resolved"
        )
    complaint.refresh_from_db()
    assert complaint.status == "open"

    services.complaint_transition(
        acting_user=None,
        complaint=complaint,
        status="resolved",
        resolution="Stone reset free of charge.",
        now=NOW,
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolved_at) == ("resolved", NOW)


# --- Legal holds --------------------------------------------------------------------


def test_open_cases_and_complaints_are_legal_holds_closed_ones_are_not():
    # given one client with an open case and an open complaint, one with a
    # closed case, one with nothing
    held, released, free = ClientFactory(), ClientFactory(), ClientFactory()
    case = _case(client=held)
    services.complaint_open(
        acting_user=None,
        client=held,
        channel="phone",
        category="after_sales",
        description="Still waiting.",
        now=NOW,
    )
    closed = _case(client=released)
    services.case_transition(acting_user=None, case=closed, status=CS.CANCELLED)

    # when
    holds = selectors.legal_holds_for([held.pk, released.pk, free.pk])

    # then
    assert set(holds) == {held.pk}
    assert {(h.kind, h.object_id) for h in holds[held.pk]} == {
        ("aftersales_case", case.pk),
        ("complaint", Complaint.objects.get().pk),
    }


def test_legal_holds_take_two_queries_whatever_the_number_of_clients(
    django_assert_num_queries,
):
    clients = [ClientFactory() for _ in range(5)]
    for client in clients:
        _case(client=client)

    with django_assert_num_queries(2):
        holds = selectors.legal_holds_for([c.pk for c in clients])

    assert len(holds) == 5


def test_invoices_kept_for_lists_invoices_under_retention():
    created = order(status=Order.Status.INVOICED)

    kept = selectors.invoices_kept_for([created.client_id], today=date(2030, 1, 1))

    assert list(kept) == list(created.invoices.all())
