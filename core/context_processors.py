"""The header notice: the signed-in user's jobs that ended since they looked."""

from django.utils.translation import gettext_lazy as _

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
            sentence = {
                "done": _("%(label)s is done."),
                "failed": _("%(label)s failed."),
                "cancelled": _("%(label)s was stopped."),
            }[status]
            return {"text": sentence % {"label": label}, "failed": status == "failed"}
        failed = Job.objects.filter(
            owner=user, status=Job.Status.FAILED, seen_at__isnull=True
        ).count()
        if failed:
            text = _(
                "%(total)s of your jobs have ended, %(failed)s of them failed."
            ) % {
                "total": total,
                "failed": failed,
            }
        else:
            text = _("%(total)s of your jobs have ended.") % {"total": total}
        return {"text": text, "failed": bool(failed)}

    # Lazy: evaluated only by pages that show the header.
    from django.utils.functional import SimpleLazyObject

    return {"jobs_notice": SimpleLazyObject(lambda: notice() or {})}
