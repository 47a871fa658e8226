"""Client search: the one function behind the client list's search box and
the header's global search (docs/decisions/0034).

What a term matches, each branch served by an index on PostgreSQL:

- names: every word of the term, accent- and case-insensitively, anywhere
  in "first last" (ecrin_search_name(), a trigram GIN index on it);
- a client number, exactly (the unique index);
- part of an email, for a term of one word (a trigram GIN index on
  UPPER(address));
- a phone: a number in any format matches its E.164 form exactly; a run
  of at least PHONE_SUFFIX_MIN digits matches the end of a number
  (reverse(number) with text_pattern_ops: a suffix is a prefix of the
  reversed digits).

`%`, `_` and `\\` are text (Django's LIKE escaping). A term longer than
MAX_LENGTH is refused before any query runs. Each branch reads at most
CAP + 1 ids of the queryset it is given (already scoped and filtered by
the caller), so the commonest surname costs what a rare one does; when
more match, `truncated` is set and the page asks to refine the search.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import CharField, F, Func, Q, Value
from django.db.models.functions import Reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clienteling.phones import normalise_phone

MAX_LENGTH = 100
CAP = 200
PHONE_SUFFIX_MIN = 4
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-/]+$")


class Fold(Func):
    """ecrin_fold(text): lower case without accents (the database function
    installed by migration 0020 on PostgreSQL, registered per connection on
    SQLite)."""

    function = "ecrin_fold"
    output_field = CharField()


class SearchName(Func):
    """ecrin_search_name(first, last): the indexed, folded "first last"."""

    function = "ecrin_search_name"
    output_field = CharField()
    arity = 2


def fold(text: str) -> str:
    """Python's twin of ecrin_fold for SQLite: NFKD, marks dropped, lower
    case, and the few letters unaccent spells out (ß, æ, œ, ø, ł, đ)."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.lower().translate(_SPELLED_OUT)


_SPELLED_OUT = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}
)


def search_name(first: str, last: str) -> str:
    return fold(f"{first or ''} {last or ''}")


@dataclass(frozen=True)
class Found:
    clients: object  # a Client queryset, unordered: the caller orders it
    truncated: bool
    cap: int = CAP

    @property
    def refine_message(self) -> str:
        return ngettext(
            "More than %(cap)d client matches: only %(cap)d are shown. "
            "Refine your search (add a first name, or search by client "
            "number, email or phone).",
            "More than %(cap)d clients match: only %(cap)d are shown. "
            "Refine your search (add a first name, or search by client "
            "number, email or phone).",
            self.cap,
        ) % {"cap": self.cap}


def clean_term(term) -> str:
    """The term stripped, or ValidationError naming the search box."""
    term = (term or "").strip()
    if len(term) > MAX_LENGTH:
        raise ValidationError(
            _(
                "Search: %(length)d characters is too long. Search with at "
                "most %(max)d characters (a name, a client number, an email "
                "or the last digits of a phone)."
            ),
            code="too_long",
            params={"length": len(term), "max": MAX_LENGTH},
        )
    return term


def search_clients(queryset, term: str, *, cap: int | None = None) -> Found:
    """The clients of `queryset` matching `term` (see the module's doc).

    Raises ValidationError for a term longer than MAX_LENGTH (no query
    runs). An empty term returns the queryset unchanged.
    """
    term = clean_term(term)
    cap = CAP if cap is None else cap
    if not term:
        return Found(clients=queryset, truncated=False)
    base = with_search_name(queryset.order_by())
    ids: list[int] = []
    seen: set[int] = set()
    truncated = False
    for condition in _branches(term):
        found = list(base.filter(condition).values_list("pk", flat=True)[: cap + 1])
        for pk in found:
            if pk not in seen:
                seen.add(pk)
                ids.append(pk)
        if len(ids) > cap:
            # Enough to fill the page and ask for a narrower term: the
            # other branches would only add to what is not shown.
            truncated = True
            break
    return Found(
        clients=queryset.filter(pk__in=ids[:cap]), truncated=truncated, cap=cap
    )


def _branches(term: str) -> list[Q]:
    from clienteling.models import ClientEmail, ClientPhone

    words = term.split()
    branches = []
    if _PHONE_CHARS.match(term):
        digits = re.sub(r"\D", "", term)
        phone = normalise_phone(term)
        if phone:
            branches.append(
                Q(pk__in=ClientPhone.objects.filter(number=phone).values("client_id"))
            )
        elif len(digits) >= PHONE_SUFFIX_MIN:
            phones = ClientPhone.objects.alias(reversed_number=Reverse("number"))
            branches.append(
                Q(
                    pk__in=phones.filter(
                        reversed_number__startswith=digits[::-1]
                    ).values("client_id")
                )
            )
        if " " not in term and len(digits) == len(term):
            # Bare digits may also be a whole client number.
            branches.append(Q(client_number=term.upper()))
        return branches
    names = Q()
    for word in words:
        names &= Q(search_name__contains=Fold(Value(word, output_field=CharField())))
    if len(words) == 1:
        names |= Q(client_number=term.upper())
    branches.append(names)
    if len(words) == 1 and len(term) >= 3:
        emails = ClientEmail.objects.filter(address__icontains=term)
        branches.append(Q(pk__in=emails.values("client_id")))
    return branches


def with_search_name(queryset):
    """The queryset with the search_name alias the name branch filters on."""
    return queryset.alias(search_name=SearchName(F("first_name"), F("last_name")))


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """ecrin_fold and ecrin_search_name on SQLite (the demo database): the
    same SQL as on PostgreSQL, without an index (a scan of the demo's few
    thousand clients)."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("ecrin_fold", 1, fold, deterministic=True)
    connection.connection.create_function(
        "ecrin_search_name", 2, search_name, deterministic=True
    )
