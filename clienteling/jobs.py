"""Long jobs of clienteling (core.jobs): the nightly follow-up generation."""

from datetime import date

from core import jobs

KIND = "clienteling.follow_up_generation"

# Clients per chunk of the follow-up job: a chunk takes seconds, and its
# memory does not grow with the table.
FOLLOW_UP_CHUNK = 5000


class FollowUpGenerationJob(jobs.JobKind):
    """Walk every client in chunks of FOLLOW_UP_CHUNK ids and create
    the follow-ups due (services.follow_ups_generate).

    Resumable: each chunk's follow-ups are written fenced, then the clients
    walked so far are reported as progress; a retried attempt starts one
    chunk before the progress it finds (so a client deleted meanwhile
    cannot make it skip any), and the follow-ups' unique source key makes
    the chunk it walks again create nothing twice.
    """

    name = KIND
    label = "Follow-up generation"
    max_attempts = 3
    view_permission = "clienteling.view_followup"

    def run(self, job, ctx):
        from clienteling import services
        from clienteling.models import Client

        today = date.fromisoformat(job.params["today"])
        chunk = FOLLOW_UP_CHUNK
        clients = Client.objects.order_by("pk").values_list("pk", flat=True)
        total = clients.count()
        # Where the last attempt got to (one chunk back), or the start.
        skip = max(0, min(job.progress_done, total) - chunk)
        done = skip
        after = clients[skip - 1] if skip else 0
        ctx.progress(done, total, f"{done} of {total} clients looked at", force=True)
        created = {"anniversary": 0, "lapsing": 0}
        while True:
            ids = list(clients.filter(pk__gt=after)[:chunk])
            if not ids:
                break
            with ctx.fenced():
                run = services.follow_ups_generate(
                    today=today, id_range=(ids[0], ids[-1] + 1)
                )
            for reason, count in run.created.items():
                created[reason] = created.get(reason, 0) + count
            after = ids[-1]
            done += len(ids)
            total = max(total, done)  # clients added while it runs
            ctx.progress(
                done, total, f"{done} of {total} clients looked at", force=True
            )
        return created


jobs.register(FollowUpGenerationJob())
