"""Job kinds used only by the protocol's own tests (and its drill worker).

`tests.count` counts to params["n"] one progress report at a time, writes
one line per number to a result file, and records its effect once, fenced,
as one access-log row (a table every process shares): what a real kind's
"one zip, one receipt" is. Not a pytest module.
"""

from django.core.cache import cache

from core import jobs
from core.models import AccessLogEntry

EFFECT = "tests.count"


class CountJob(jobs.JobKind):
    name = "tests.count"
    label = "Counting (test)"
    max_attempts = 3
    result_days = 7

    def run(self, job, ctx):
        n = job.params["n"]
        if job.params.get("refuse"):
            raise jobs.JobRefused("Nothing to count: the list is empty.")
        if job.params.get("explode"):
            raise RuntimeError("boom")
        partial = ctx.partial_path("count.txt")
        with open(partial, "w") as out:
            for i in range(1, n + 1):
                out.write(f"{i}\n")
                ctx.progress(i, n, f"Counted {i} of {n}", force=True)
        ctx.keep_as_result(partial, "count.txt")
        with ctx.fenced():
            AccessLogEntry.objects.create(
                action=AccessLogEntry.Action.EXPORT,
                object_type=EFFECT,
                object_id=str(job.pk),
                count=n,
            )
        return {"counted": n}

    def on_failed(self, job):
        cache.set(f"tests.count:{job.pk}:failed", True, None)

    def on_cancelled(self, job):
        cache.set(f"tests.count:{job.pk}:cancelled", True, None)


jobs.register(CountJob())


def effects(job) -> int:
    return AccessLogEntry.objects.filter(
        object_type=EFFECT, object_id=str(job.pk)
    ).count()
