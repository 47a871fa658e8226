"""The header notice: the signed-in user's jobs that ended since they looked."""

from core.models import Job


def finished_jobs(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}

    def notice():
        ended = list(
            Job.objects.filter(
                owner=user, status__in=Job.FINISHED, seen_at__isnull=True
            )
            .order_by("-finished_at")
            .values_list("label", "status")[:2]
        )
        if not ended:
            return None
        total = Job.objects.filter(
            owner=user, status__in=Job.FINISHED, seen_at__isnull=True
        ).count()
        label, status = ended[0]
        if total == 1:
            verb = {"done": "is done", "failed": "failed", "cancelled": "was stopped"}
            return {"text": f"{label} {verb[status]}.", "failed": status == "failed"}
        failed = Job.objects.filter(
            owner=user, status=Job.Status.FAILED, seen_at__isnull=True
        ).count()
        text = f"{total} of your jobs have ended"
        text += f", {failed} of them failed." if failed else "."
        return {"text": text, "failed": bool(failed)}

    # Lazy: evaluated only by pages that show the header.
    from django.utils.functional import SimpleLazyObject

    return {"jobs_notice": SimpleLazyObject(lambda: notice() or {})}
