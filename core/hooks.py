"""Extension points the apps plug into (docs/decisions/0017).

core and clienteling import none of consents, orders or privacy; those
register here from their AppConfig.ready(), the way admin.py registers with
the admin. Tests replace what is registered with `override(name, ...)`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _


class Registry(list):
    """Callables an app registers from its AppConfig.ready(), each once, in
    registration order (ready() may run again in some test setups)."""

    def register(self, item: Callable) -> None:
        if item not in self:
            self.append(item)


# Each gate takes the client and raises ValidationError when health data
# may not be recorded for them (no explicit consent).
_allergy_gates = Registry()
register_allergy_gate = _allergy_gates.register


def check_allergy_allowed(client) -> None:
    """Raise ValidationError if any registered gate refuses.

    Fails closed: with no gate registered (no consent mechanism installed),
    health data may not be recorded at all.
    """
    if not _allergy_gates:
        raise ValidationError(
            _("Health data cannot be recorded: no consent check is installed.")
        )
    errors = []
    for gate in _allergy_gates:
        try:
            gate(client)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)


# --- Client 360 panels ---------------------------------------------------------


@dataclass(frozen=True)
class ClientPanel:
    """A section of the client 360 page contributed by an app above.

    `get_context(request, client)` returns the template's context; it must
    run a constant number of queries whatever the client's history size.
    `permission` ("app_label.codename"), when set, hides the panel from
    staff without it.
    """

    key: str
    title: str
    template: str
    get_context: Callable
    permission: str | None = None
    order: int = 100
    # summarise(request, client, context) -> CardSummary: what the panel puts
    # in the client card's header, from the context it already computed (no
    # extra query).
    summarise: Callable | None = None


@dataclass
class CardSummary:
    """A panel's share of the client card's header."""

    # (label, value) pairs shown among the key facts.
    facts: list = field(default_factory=list)
    # (label, state) chips; state is "yes", "no" or "none" (styling only).
    chips: list = field(default_factory=list)
    # (label, url) quick actions.
    actions: list = field(default_factory=list)
    # Sentences shown at the top of the card (a restriction, an erasure).
    notices: list = field(default_factory=list)


_client_panels: dict[str, ClientPanel] = {}


def register_client_panel(panel: ClientPanel) -> None:
    _client_panels[panel.key] = panel


def client_panels_for(user) -> list[ClientPanel]:
    """The registered panels this user may see, in display order."""
    return sorted(
        (
            p
            for p in _client_panels.values()
            if p.permission is None or user.has_perm(p.permission)
        ),
        key=lambda p: (p.order, p.key),
    )


# --- Client list filters ----------------------------------------------------------

# List filters (admin.SimpleListFilter classes) that apps above add to the
# client list, by what only they know (a current consent, a retention
# rule): the dashboards' figures link to them.
_client_list_filters = Registry()
register_client_list_filter = _client_list_filters.register


def client_list_filters() -> list:
    return list(_client_list_filters)


# --- Access log ------------------------------------------------------------------

# core keeps the access log and registers its recorder here (core.apps), so
# a test can put another recorder in its place.
_access_recorders = Registry()
register_access_recorder = _access_recorders.register


def record_access(
    *, user, action: str, target, object_id=None, count=None, path: str = ""
) -> None:
    """Record who accessed what (never the values) in the access log.

    `action` is one of core.models.AccessLogEntry.Action's values;
    `target` a model instance, model class or "app_label.model" label.
    """
    if not _access_recorders:
        raise ImproperlyConfigured(
            "No access-log recorder is registered: is the core app installed?"
        )
    for recorder in _access_recorders:
        recorder(
            acting_user=user,
            action=action,
            target=target,
            object_id=object_id,
            count=count,
            path=path,
        )


# --- Edit gates ----------------------------------------------------------------

# Each gate takes the client and raises ValidationError when the record may
# not be changed (the privacy app's restriction of processing, Art. 18).
_edit_gates = Registry()
register_edit_gate = _edit_gates.register


def edit_refusal(client) -> str | None:
    """Why the client's record may not be changed now, or None."""
    for gate in _edit_gates:
        try:
            gate(client)
        except ValidationError as exc:
            return " ".join(exc.messages)
    return None


# --- Processing filters ----------------------------------------------------------

# Each filter takes a queryset of clients and returns it without the clients
# whose data may only be stored, not otherwise processed (the privacy app's
# restriction of processing, Art. 18): exports and other bulk uses apply them.
_processing_filters = Registry()
register_processing_filter = _processing_filters.register


def processable_clients(queryset):
    for keep in _processing_filters:
        queryset = keep(queryset)
    return queryset


# --- Bulk export gates ----------------------------------------------------------

# Each gate takes keyword arguments user, count (the clients an export
# would write) and query (the list's filters, a query string) and returns
# why the export may not run now, or None. privacy's four-eyes gate asks a
# second compliance officer for exports past the threshold
# (privacy.approvals.export_gate, docs/decisions/0059).
_export_gates = Registry()
register_export_gate = _export_gates.register


def export_refusal(*, user, count: int, query: str) -> str | None:
    for gate in _export_gates:
        refusal = gate(user=user, count=count, query=query)
        if refusal:
            return refusal
    return None


# --- Contact filters ------------------------------------------------------------

# Each filter takes a queryset of clients and returns it without the clients
# the house may not approach unprompted (the consents app's objections,
# Art. 21). Generated follow-ups ("call the client") apply them after the
# processing filters.
_contact_filters = Registry()
register_contact_filter = _contact_filters.register


def contactable_clients(queryset):
    """Clients who may be called unprompted: processable, no objection."""
    queryset = processable_clients(queryset)
    for keep in _contact_filters:
        queryset = keep(queryset)
    return queryset


# --- Client merges -------------------------------------------------------------

# Apps whose rows cannot simply be re-pointed at the surviving record
# (append-only evidence, legal documents) register a handler here. Each is
# called inside client_merge's transaction with the survivor, the duplicate
# and the acting user as keyword arguments, and returns a dict of model
# label to the number of rows it carried over.
_merge_handlers = Registry()
register_merge_handler = _merge_handlers.register


def merge_handlers() -> list[Callable]:
    return list(_merge_handlers)


# --- Sales -------------------------------------------------------------------

# The orders app announces a completed sale (an invoice issued) with the
# client's answer, at collection, about emails on similar products; the
# consents app turns it into a soft opt-in or an objection. Each handler is
# called inside the sale's transaction with keyword arguments acting_user,
# client, at, reference, marketing_email ("offered", "refused" or "") and
# in_person (False for a distance sale).
_sale_handlers = Registry()
register_sale_handler = _sale_handlers.register


def sale_completed(
    *, acting_user, client, at, reference, marketing_email, in_person=True
) -> None:
    for handler in list(_sale_handlers):
        handler(
            acting_user=acting_user,
            client=client,
            at=at,
            reference=reference,
            marketing_email=marketing_email,
            in_person=in_person,
        )


# --- Health data withdrawn ---------------------------------------------------

# When the client withdraws (or objects to) allergy-aware service, their
# health data goes, history rows included (ARCHITECTURE.md). Apps holding
# health data of their own (orders: when an allergy warning was confirmed)
# register an eraser; each is called with the client inside the
# withdrawal's transaction and returns how many rows it changed.
_health_erasers = Registry()
register_health_eraser = _health_erasers.register


def erase_health_data(client) -> int:
    return sum(eraser(client) for eraser in list(_health_erasers))


# --- Consent ended ------------------------------------------------------------

# The consents app announces a withdrawal or an objection recorded in the
# ledger; privacy tells the recipients that received the client's data
# under that purpose (Art. 19, docs/decisions/0079). Each handler is called
# inside the ledger's transaction with the keyword arguments of
# consent_ended below: the decision is a withdrawal or an objection, the
# reference names the ledger row.
_consent_ended_handlers = Registry()
register_consent_ended_handler = _consent_ended_handlers.register


def consent_ended(*, acting_user, client, purpose_code, decision, reference) -> None:
    for handler in list(_consent_ended_handlers):
        handler(
            acting_user=acting_user,
            client=client,
            purpose_code=purpose_code,
            decision=decision,
            reference=reference,
        )


# --- Website activity ---------------------------------------------------------

# Web events are stored only when the client's cookie choices allow their
# category (the privacy notice: collection "depends on your choices ... in
# relation to cookies"; docs/decisions/0076). The consents app, which keeps
# the choices, registers a filter: it takes unsaved WebEvent objects and
# returns those it allows. Every import path (the API, the file import, the
# management command) goes through clienteling.services.web_events_write,
# which applies them.
_web_event_filters = Registry()
register_web_event_filter = _web_event_filters.register


def web_events_allowed(events: list) -> list:
    for keep in _web_event_filters:
        events = keep(events)
    return events


# --- Overrides (tests) ---------------------------------------------------------

_REGISTRIES: dict[str, Registry] = {
    "allergy_gate": _allergy_gates,
    "access_recorder": _access_recorders,
    "edit_gate": _edit_gates,
    "processing_filter": _processing_filters,
    "export_gate": _export_gates,
    "contact_filter": _contact_filters,
    "merge_handler": _merge_handlers,
    "sale_handler": _sale_handlers,
    "health_eraser": _health_erasers,
    "consent_ended_handler": _consent_ended_handlers,
    "web_event_filter": _web_event_filters,
}


@contextmanager
def override(name: str, *callables: Callable) -> Iterator[None]:
    """Put `callables` in the place of what is registered for hook `name`
    until the block ends (none: nothing registered), then restore it.

    with hooks.override("allergy_gate", lambda client: None): ...

    `name` is a hook's register_<name> without the prefix: allergy_gate,
    access_recorder, edit_gate, processing_filter, contact_filter,
    merge_handler, sale_handler, health_eraser, consent_ended_handler or
    web_event_filter.
    """
    if name not in _REGISTRIES:
        raise ValueError(
            f"No hook is called {name!r}: one of {', '.join(sorted(_REGISTRIES))}."
        )
    for item in callables:
        if not callable(item):
            raise TypeError(f"override({name!r}, ...) takes callables, not {item!r}.")
    registry = _REGISTRIES[name]
    saved = list(registry)
    registry[:] = callables
    try:
        yield
    finally:
        registry[:] = saved
