"""Outreach lists: asked for on the outreach page, built by a core.jobs job.

Dangerous module: it writes the names and addresses of many clients to one
file. The file holds only the eligible clients of the requester's scope and
only the address the channel needs; it is the result file of the list's job
(kind consents.outreach_list, consents/jobs.py) in private storage, is
handed out only through outreach_list_open_for_download (permission,
requester or compliance, scope, expiry, access log), and the jobs sweeper
deletes it at expiry (OUTREACH_LIST_DOWNLOAD_DAYS).

The build walks the in-scope clients by keyset (id greater than the last
chunk's), CHUNK_SIZE at a time, so memory stays flat whatever the number of
clients: per chunk, one call of selectors.outreach_eligibility, two reads
for the rows and one progress report on the job row. A retried attempt
builds the file again from the start (a new partial file); the job
publishes one file and records the counts once.
"""

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.exceptions import StoredFileGone
from clienteling.models import (
    Client,
    ClientAddress,
    ClientEmail,
    ClientPhone,
    SocialIdentifier,
)
from clienteling.scoping import sees_every_boutique, visible_boutiques
from consents import registry, selectors
from consents.models import OutreachList, Purpose
from consents.selectors import OUTREACH_CHANNELS, Reason
from core import downloads, hooks, jobs
from core.display import moment
from core.jobs import files as job_files
from core.writes import now_or as _now

BUILD_PERMISSION = "consents.build_outreach_list"
DOWNLOAD_ANY_PERMISSION = "consents.download_any_outreach_list"

# Eligibility runs a constant number of queries per chunk; 2,000 ids keep
# each IN (...) list quick to plan, and a chunk's rows (a few hundred kB)
# are all the build ever holds in memory.
CHUNK_SIZE = 2000
# The job kind building a list (consents/jobs.py), and its result file.
JOB_KIND = "consents.outreach_list"
RESULT_NAME = "outreach-list.csv"
# Recent lists shown on the outreach page.
RECENT_LISTS_SHOWN = 20

Status = OutreachList.Status
CHANNEL = OUTREACH_CHANNELS

SOFT_OPT_IN_BASIS = _("soft opt-in: offer an opt-out in the message")
CONSENT_BASIS = "consent"
# The CSV's third column, by channel; "in the boutique" needs no address.
ADDRESS_HEADER = {
    CHANNEL.EMAIL: "email",
    CHANNEL.SMS: "mobile phone",
    CHANNEL.PHONE: "phone",
    CHANNEL.POST: "postal address",
    CHANNEL.INSTANT_MESSAGING: "instant messaging",
}

NO_PERMISSION = _("The requester may no longer build outreach lists.")
SCOPE_CHANGED = _(
    "The requester's boutiques changed since the list was asked for: "
    "ask for a new list."
)


def storage_dir() -> Path:
    """Where the lists' files are: the jobs' result folder (a list's file is
    `file_name`, relative to it)."""
    path = job_files.root()
    path.mkdir(parents=True, exist_ok=True)
    return path


def outreach_purposes():
    """Purposes a list can be built for: the registry's outreach purposes
    (consents.registry, `outreach`), while active."""
    return Purpose.objects.filter(
        is_active=True, code__in=registry.OUTREACH_PURPOSE_CODES
    ).exclude(legal_basis=Purpose.LegalBasis.CONTRACT)


def not_an_outreach_purpose(purpose) -> str:
    """Why a list cannot be built for this purpose, for the staff member."""
    offered = _(" or ").join(f"“{p.display_name}”" for p in outreach_purposes())
    return _(
        "“%(purpose)s” is not a marketing purpose: an outreach list can "
        "be built only for %(offered)s."
    ) % {"purpose": purpose, "offered": offered}


# --- Scope -------------------------------------------------------------------


def _scope_refusal(user, outreach_list: OutreachList) -> str | None:
    """Why the user's scope no longer covers the list's, or None."""
    if not user.is_active:
        return SCOPE_CHANGED
    if sees_every_boutique(user):
        return None
    if outreach_list.whole_house:
        return SCOPE_CHANGED
    mine = set(visible_boutiques(user).values_list("pk", flat=True))
    if not set(outreach_list.scope_boutique_ids) <= mine:
        return SCOPE_CHANGED
    return None


# Narrower client lists an app above consents offers as a list's source
# (segments registers "segments.segment"): prefix -> callable(clients,
# key, user) returning the clients of `clients` the source holds. Filled in
# the registering app's AppConfig.ready(); consents imports none of them.
CLIENT_SOURCES: dict[str, Callable] = {}


def register_client_source(prefix: str, narrow: Callable) -> None:
    CLIENT_SOURCES[prefix] = narrow


def clients_in_scope(outreach_list: OutreachList):
    """The active clients the list covers: the requester's scope when asked,
    narrowed by their scope now (Client.objects.visible_to), the boutique
    chosen, if any, and the list's source (a segment), if any."""
    clients = Client.objects.visible_to(outreach_list.requested_by).active()
    if not outreach_list.whole_house:
        clients = clients.filter(home_boutique_id__in=outreach_list.scope_boutique_ids)
    if outreach_list.boutique_id:
        clients = clients.filter(home_boutique_id=outreach_list.boutique_id)
    if outreach_list.source:
        prefix, _sep, key = outreach_list.source.partition(":")
        clients = CLIENT_SOURCES[prefix](clients, key, outreach_list.requested_by)
    return clients


# --- Request -----------------------------------------------------------------


@transaction.atomic
def outreach_list_request(
    *,
    acting_user,
    purpose: Purpose,
    channel: str,
    boutique=None,
    source: str = "",
    now: datetime | None = None,
) -> OutreachList:
    """Record the list asked for and queue its build (a job) after commit."""
    if not acting_user.has_perm(BUILD_PERMISSION):
        raise ValidationError(_("You may not build outreach lists."))
    errors = {}
    if not outreach_purposes().filter(pk=purpose.pk).exists():
        errors["purpose"] = not_an_outreach_purpose(purpose)
    if channel not in CHANNEL.values:
        errors["channel"] = _("Unknown outreach channel %(channel)s.") % {
            "channel": repr(channel)
        }
    if (
        boutique is not None
        and not visible_boutiques(acting_user).filter(pk=boutique.pk).exists()
    ):
        errors["boutique"] = _("This boutique is not one of yours.")
    if errors:
        raise ValidationError(errors)
    whole_house = sees_every_boutique(acting_user)
    outreach_list = OutreachList(
        requested_by=acting_user,
        purpose=purpose,
        channel=channel,
        boutique=boutique,
        whole_house=whole_house,
        scope_boutique_ids=[]
        if whole_house
        else sorted(visible_boutiques(acting_user).values_list("pk", flat=True)),
        source=source,
        created_at=_now(now),
    )
    outreach_list.full_clean()
    outreach_list.save()
    outreach_list.job = jobs.enqueue(
        kind=JOB_KIND,
        label=(_("Outreach list %(pk)s") % {"pk": outreach_list.pk}),
        acting_user=acting_user,
        params={"list": outreach_list.pk},
        dedupe_key=f"outreach-list:{outreach_list.pk}",
        now=now,
    )
    outreach_list.save(update_fields=["job"])
    return outreach_list


# --- Build -------------------------------------------------------------------


def _keyset_chunks(clients, size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(
            clients.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return
        last = ids[-1]
        yield ids


def _first_by_client(rows, render) -> dict[int, str]:
    """The first row per client (rows ordered primary first), rendered."""
    found: dict[int, str] = {}
    for row in rows:
        found.setdefault(row.client_id, render(row))
    return found


def _addresses(channel: str, ids: list[int]) -> dict[int, str]:
    """The one address per client the channel needs, primary first."""
    order = ("client_id", "-is_primary", "pk")
    if channel == CHANNEL.EMAIL:
        rows = ClientEmail.objects.filter(client_id__in=ids).order_by(*order)
        return _first_by_client(rows, lambda r: r.address)
    if channel in (CHANNEL.SMS, CHANNEL.PHONE):
        rows = ClientPhone.objects.filter(client_id__in=ids)
        if channel == CHANNEL.SMS:
            rows = rows.filter(kind=ClientPhone.Kind.MOBILE)
        return _first_by_client(rows.order_by(*order), lambda r: str(r.number))
    if channel == CHANNEL.POST:
        rows = ClientAddress.objects.filter(client_id__in=ids).order_by(*order)
        return _first_by_client(
            rows,
            lambda r: ", ".join(
                part
                for part in (
                    r.line1,
                    r.line2,
                    f"{r.postal_code} {r.city}".strip(),
                    r.region,
                    r.country.code,
                )
                if part
            ),
        )
    if channel == CHANNEL.INSTANT_MESSAGING:
        rows = SocialIdentifier.objects.filter(client_id__in=ids).order_by(
            "client_id", "pk"
        )
        return _first_by_client(
            rows, lambda r: f"{r.get_network_display()}: {r.handle}"
        )
    return {}


OUTREACH_LIST = downloads.register(
    downloads.Download(
        key="outreach-list",
        label=_("Outreach list (Consent decisions, Build an outreach list)"),
        sites=("consents.outreach._write", "consents.views.outreach_download"),
    )
)


def header(channel: str) -> list[str]:
    address = [ADDRESS_HEADER[channel]] if channel in ADDRESS_HEADER else []
    return ["client number", "name", *address, "basis"]


def _rows(outreach_list: OutreachList, result: selectors.Eligibility) -> list[list]:
    if not result.eligible:
        return []
    names = {
        pk: (number, f"{first} {last}".strip())
        for pk, number, first, last in Client.objects.filter(
            pk__in=result.eligible
        ).values_list("pk", "client_number", "first_name", "last_name")
    }
    channel = outreach_list.channel
    addresses = _addresses(channel, result.eligible)
    purpose = outreach_list.purpose
    other_basis = (
        CONSENT_BASIS
        if purpose.needs_consent
        else purpose.get_legal_basis_display().lower()
    )
    rows = []
    for pk in result.eligible:
        number, name = names[pk]
        address = [addresses.get(pk, "")] if channel in ADDRESS_HEADER else []
        basis = SOFT_OPT_IN_BASIS if pk in result.soft_opt_in else other_basis
        rows.append([number, name, *address, basis])
    return rows


def _eligibility(
    outreach_list: OutreachList, ids: list[int], now: datetime | None
) -> selectors.Eligibility:
    """Eligibility of one chunk; clients that a processing filter (the
    privacy app's restriction of processing) withholds are excluded as
    restricted without being looked at further."""
    processable = set(
        hooks.processable_clients(Client.objects.filter(pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
    result = selectors.outreach_eligibility(
        purpose_code=outreach_list.purpose.code,
        channel=outreach_list.channel,
        client_ids=[pk for pk in ids if pk in processable],
        now=now,
    )
    for pk in ids:
        if pk not in processable:
            result.excluded[pk] = Reason.RESTRICTED
    return result


def outreach_list_build(*, list_id: int, now: datetime | None = None) -> OutreachList:
    """Run the list's build job here and now (the demo seed, the tests).

    A worker runs it otherwise (core.jobs.run); either way the job's claim
    lets one delivery build it: a finished list, or one a live build holds,
    is left as it is.
    """
    outreach_list = OutreachList.objects.get(pk=list_id)
    if outreach_list.job_id:
        jobs.run(outreach_list.job_id, now=now)
    return OutreachList.objects.select_related("job").get(pk=list_id)


def build_refusal(outreach_list: OutreachList) -> str | None:
    """Why the list may not be built now, or None (checked when it runs)."""
    requester = outreach_list.requested_by
    if not requester.has_perm(BUILD_PERMISSION):
        return NO_PERMISSION
    return _scope_refusal(requester, outreach_list)


def _write(outreach_list: OutreachList, ctx, now: datetime | None) -> dict:
    """Write the CSV to the job's partial file, reporting progress per
    chunk; the job publishes it as its one result file. The counts."""
    clients = clients_in_scope(outreach_list)
    total = clients.count()
    ctx.progress(0, total, "Checking the clients' consents", force=True)
    partial = ctx.partial_path(RESULT_NAME)
    done = eligible = soft = 0
    reasons: Counter[str] = Counter()
    with partial.open("w", newline="", encoding="utf-8") as handle:
        # Names and addresses come out inert in a spreadsheet.
        writer = downloads.csv_writer(handle)
        writer.writerow(header(outreach_list.channel))
        for ids in _keyset_chunks(clients, CHUNK_SIZE):
            result = _eligibility(outreach_list, ids, now)
            writer.writerows(_rows(outreach_list, result))
            done += len(ids)
            eligible += len(result.eligible)
            soft += len(result.soft_opt_in)
            reasons.update(result.excluded.values())
            # Clients who joined the scope while it ran are counted too.
            total = max(total, done)
            ctx.progress(done, total, f"{done} of {total} clients checked", force=True)
    ctx.keep_as_result(partial, RESULT_NAME)
    return {
        "clients": done,
        "eligible": eligible,
        "soft_opt_in": soft,
        "excluded_by_reason": dict(sorted(reasons.items())),
    }


# --- Download ----------------------------------------------------------------


def outreach_list_open_for_download(
    *, acting_user, outreach_list: OutreachList, path: str = "", now=None
) -> Path:
    """The CSV's path, once checked; the export is logged with its count.

    The caller found the list in OutreachList.objects.visible_to(user): the
    requester's own, or any list for compliance.
    """
    if not (
        (
            acting_user.has_perm(DOWNLOAD_ANY_PERMISSION)
            and sees_every_boutique(acting_user)
        )
        or (
            acting_user.has_perm(BUILD_PERMISSION)
            and outreach_list.requested_by_id == acting_user.pk
        )
    ):
        raise ValidationError(_("You may not download this outreach list."))
    if (
        outreach_list.status == Status.EXPIRED
        and outreach_list.error == ERASED_CLIENT_ON_LIST
    ):
        raise StoredFileGone(outreach_list.error)
    if outreach_list.status == Status.EXPIRED and outreach_list.error:
        raise ValidationError(outreach_list.error)
    expired = outreach_list.status == Status.EXPIRED or (
        outreach_list.status == Status.DONE
        and outreach_list.expires_at is not None
        and _now(now) >= outreach_list.expires_at
    )
    if expired:
        until = timezone.localtime(outreach_list.expires_at)
        raise ValidationError(
            _(
                "This list expired on %(until)s and its file is deleted: build a "
                "new one if it is still needed."
            )
            % {"until": moment(until)}
        )
    if outreach_list.status != Status.DONE:
        raise ValidationError(_("This list is not ready yet."))
    if _scope_refusal(acting_user, outreach_list):
        raise ValidationError(
            _("This list covers boutiques you no longer work in: build a new one.")
        )
    file = jobs.result_path(outreach_list.job)
    if file is None or not file.is_file():
        raise StoredFileGone(_("The list's file is missing: build a new one."))
    hooks.record_access(
        user=acting_user,
        action="export",
        target=outreach_list,
        count=outreach_list.eligible_count,
        path=path,
    )
    return file


# --- Erasure -----------------------------------------------------------------


ERASED_CLIENT_ON_LIST = _(
    "Withdrawn: a client on this list was erased since it was built; build a "
    "new one if it is still needed."
)


def outreach_lists_withdraw(*, client_numbers: Iterable[str]) -> int:
    """Delete the files of ready lists that name any of these clients.

    Called by privacy's erasure before the clients become tombstones: a
    list built earlier must not keep an erased client's name and address
    until it expires. Reads each live file once (a week's lists at most);
    a list whose file goes is marked expired, saying why.
    """
    wanted = set(client_numbers)
    if not wanted:
        return 0
    withdrawn = 0
    for outreach_list in OutreachList.objects.ready():
        file = job_files.path_of(outreach_list.job.result_file)
        try:
            with file.open(newline="", encoding="utf-8") as handle:
                rows = csv.reader(handle)
                next(rows, None)  # the header
                named = any(row and row[0] in wanted for row in rows)
        except FileNotFoundError:
            named = False
        if named:
            withdrawn += OutreachList.objects.filter(
                pk=outreach_list.pk, withdrawn=""
            ).update(withdrawn=ERASED_CLIENT_ON_LIST)
            job_files.remove_result(outreach_list.job.result_file)
    return withdrawn


def client_numbers(client_ids: list[int]) -> list[str]:
    """The clients' numbers (what a list names them by), read in chunks."""
    numbers: list[str] = []
    for start in range(0, len(client_ids), CHUNK_SIZE):
        numbers += Client.objects.filter(
            pk__in=client_ids[start : start + CHUNK_SIZE]
        ).values_list("client_number", flat=True)
    return numbers


def outreach_lists_erase(*, client_ids: list[int], identifiers=None) -> int:
    """Withdraw the ready lists naming these clients (erasure, retention):
    the outreach list job kind's erase_results (consents/jobs.py).

    The lists name clients by client number; the numbers are read before
    erasure turns the records into tombstones (a tombstone's number is on
    no list), and every live file is read once per call. With no ready
    list (most erasures: lists live a week), no number is read at all.
    """
    if not OutreachList.objects.ready().exists():
        return 0
    return jobs.get(JOB_KIND).erase_results(
        client_ids=list(client_ids), identifiers=identifiers
    )
