"""Job kinds: what a kind of long job does, declared once per app.

An app declares its kinds in its jobs.py (core.apps autodiscovers them):

    class ReportJob(JobKind):
        name = "privacy.subject_access_report"
        label = "Subject-access report"

        def run(self, job, ctx):
            ...  # ctx.progress(...), ctx.partial_path(...), ctx.fenced()
            return {"rows": 42}

    register(ReportJob())
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class JobRefused(Exception):
    """Raised by a kind when the job cannot be done: it fails at once, no
    retry, with this message shown to staff."""


class JobKind:
    #: Unique name, "<app>.<what>"; stored on each job row.
    name: str = ""
    #: What staff call it, e.g. "Subject-access report".
    label: str = ""
    #: Claims by a worker before the job fails for good.
    max_attempts: int = 3
    #: Staff may stop it while it waits or runs.
    cancellable: bool = True
    #: Staff may start a failed or cancelled job again (the kind's run()
    #: must then be safe to repeat: it resumes or starts afresh).
    retryable: bool = True
    #: Days a result file stays downloadable; None keeps it.
    result_days: int | None = None
    #: The permission (app_label.codename) that lets someone other than the
    #: owner see the job and its file; compliance's jobs page shows all.
    view_permission: str = ""
    #: The code of the app's FILE_LOCATIONS entry whose `erase` calls this
    #: kind's erase_results (the erasure receipt counts the files there);
    #: core's own location (job_results) then leaves the kind to it.
    file_location: str = ""

    def run(self, job, ctx) -> dict[str, Any] | None:
        """Do the work of `job` (a core.Job) through `ctx` (a JobContext)."""
        raise NotImplementedError

    def on_done(self, job, result: dict) -> None:
        """In the finishing transaction, fenced: record the outcome on the
        domain row. Runs once per job."""

    def on_failed(self, job) -> None:
        """After the job failed for good (committed): tidy the domain row."""

    def on_cancelled(self, job) -> None:
        """After the job was cancelled (committed): tidy the domain row."""

    def before_retry(self, job) -> None:
        """Inside the transaction that starts a failed or cancelled job
        again (the jobs page's "Start again"): refuse with JobRefused and a
        sentence for staff when the domain says no, or put the domain row
        back to its running state."""

    def erase_results(self, *, client_ids: list[int], identifiers=None) -> int:
        """Erasure: delete or rewrite this kind's result files that name any
        of the clients; how many. A kind whose results name clients must
        implement it (its app's datamap.py registers where and how)."""
        return 0

    def error_message(self, exc: BaseException) -> str:
        """The sentence staff read when an attempt fails with `exc`."""
        return _(
            "It stopped on an unexpected error; the technical team has the "
            "details in the logs."
        )

    def __repr__(self) -> str:
        return f"<JobKind {self.name}>"


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    if not kind.name or "." not in kind.name:
        raise ValueError(f"A job kind needs a name '<app>.<what>': {kind!r}")
    if not kind.label:
        raise ValueError(f"Job kind {kind.name} needs a label staff can read.")
    existing = _KINDS.get(kind.name)
    if existing is not None and type(existing) is not type(kind):
        raise ValueError(f"Job kind {kind.name} is registered twice.")
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(
            f"No job kind named {name!r}: is it registered in its app's jobs.py?"
        ) from None


def kinds() -> dict[str, JobKind]:
    return dict(_KINDS)


def erase_clients(*, client_ids, identifiers=None) -> int:
    """Erasure: each job kind deletes or rewrites its results naming the
    clients (the FILE_LOCATIONS entry of core/datamap.py)."""
    return sum(
        kind.erase_results(client_ids=list(client_ids), identifiers=identifiers)
        for kind in _KINDS.values()
        if not kind.file_location  # its app's location erases them
    )
