import calendar
from datetime import date, timedelta

from django.db import models
from django.db.models import Q


def anniversaries_within(prefix: str, start: date, days: int) -> Q:
    """Dates whose day and month fall in [start, start + days], any year.

    In a year without 29 February, a 29 February date is remembered on the
    28th.
    """
    condition = Q()
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        condition |= Q(**{f"{prefix}__month": day.month, f"{prefix}__day": day.day})
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            condition |= Q(**{f"{prefix}__month": 2, f"{prefix}__day": 29})
    return condition


# The client number an erased client's tombstone gets (privacy.erasure
# writes it): the one mark of an erased record, so lists can leave it out.
TOMBSTONE_PREFIX = "ERASED-"


# Written once for ClientQuerySet.retired() and the partial index, so the
# planner can prove the index serves the query.
RETIRED = Q(status="merged") | Q(client_number__startswith=TOMBSTONE_PREFIX)
# Not an erased tombstone: the condition of the list's order indexes
# (decision 0116), so erasing a client writes no entry in them; live()
# includes it word for word, which lets the planner prove they serve it.
NOT_ERASED = ~Q(client_number__startswith=TOMBSTONE_PREFIX)
# The same for live(): the condition of the "my book" partial indexes
# (decision 0039); live() filters on exactly this.
LIVE = Q(status="active") & NOT_ERASED


def next_occurrence(original: date, today: date) -> date:
    """The next anniversary of a date on or after today (29 Feb -> 28 Feb in
    a common year): the one rule for follow-ups, the home and the card."""
    for year in (today.year, today.year + 1):
        try:
            candidate = original.replace(year=year)
        except ValueError:
            candidate = date(year, 2, 28)
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


class BoutiqueQuerySet(models.QuerySet):
    def active(self):
        """Boutiques still trading."""
        return self.filter(is_active=True)


class ClientQuerySet(models.QuerySet):
    def active(self):
        """Clients not merged into another record."""
        return self.filter(status="active")

    def live(self):
        """Clients neither merged nor erased: the people staff work with."""
        return self.filter(LIVE)

    def retired(self):
        """Merged records and erased tombstones (the partial index
        client_retired serves exactly this condition)."""
        return self.filter(RETIRED)

    def erased(self):
        """Erased clients' tombstones."""
        return self.filter(client_number__startswith=TOMBSTONE_PREFIX)

    def merged(self):
        """Records merged into another."""
        return self.filter(status="merged")

    def for_boutiques(self, boutique_ids):
        """Clients whose home boutique is one of these."""
        return self.filter(home_boutique_id__in=boutique_ids)

    def visible_to(self, user):
        """Clients this member of staff may see: the one scoping rule.

        Superusers and holders of clienteling.view_all_clients (customer
        service, compliance) see every client; everyone else sees the
        clients of the boutiques they work in.
        """
        if not user.is_active:
            return self.none()
        if user.is_superuser or user.has_perm("clienteling.view_all_clients"):
            return self
        # The ids as values, not a subquery: with one boutique the planner
        # then walks the (home_boutique, order...) indexes in the list's
        # order instead of joining and sorting (decision 0041).
        return self.filter(
            home_boutique_id__in=list(user.boutiques.values_list("id", flat=True))
        )

    def advised_by(self, user):
        """Clients whose primary or secondary adviser is this user."""
        return self.filter(Q(primary_adviser=user) | Q(secondary_adviser=user))

    def matching(self, term: str):
        """Clients matching a search box entry: clienteling.search's rules
        (accent-insensitive names, part of an email, the last digits of a
        phone, a client number), at most search.CAP of them."""
        from clienteling.search import search_clients

        return search_clients(self, term).clients
