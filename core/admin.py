"""The Jobs page: each user's own long jobs; every job for compliance.

Progress, state and a sentence when something went wrong; Stop while a job
waits or runs, Start again after it failed or was stopped (where its kind
says it is safe). Downloads stay on the pages of what the job produced
(the request's report, the outreach list...), behind their own checks.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import jobs
from core.admin_mixins import ReadOnlyAdminMixin
from core.confirmation import Section, confirmation_page, is_confirmed
from core.display import moment
from core.jobs import registry
from core.models import AccessLogEntry, Job

SEE_ALL = "core.view_all_jobs"


def sees_all_jobs(user) -> bool:
    return user.has_perm(SEE_ALL)


def may_act_on(user, job: Job) -> bool:
    return job.owner_id == user.pk or sees_all_jobs(user)


class KindFilter(admin.SimpleListFilter):
    title = _("kind of job")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return sorted(
            (
                (name, kind.label)
                for name, kind in registry.kinds().items()
                if not name.startswith("tests.")
            ),
            key=lambda pair: pair[1],
        )

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class WhoseFilter(admin.SimpleListFilter):
    title = _("started by")
    parameter_name = "whose"

    def lookups(self, request, model_admin):
        if sees_all_jobs(request.user):
            return [("mine", "Me"), ("all", "Anyone")]
        return []

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(owner=request.user)
        return queryset


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Staff see the jobs they started (compliance sees all): see get_queryset.
    owner_field = "owner"
    list_display = ("job", "state", "progress", "started_by", "started", "ended")
    list_filter = ("status", KindFilter, WhoseFilter)
    search_fields = ("label",)
    ordering = ("-created_at", "-id")
    list_per_page = 50
    fields = (
        "job",
        "state",
        "progress",
        "started_by",
        "started",
        "ended",
        "what_went_wrong",
        "tries",
        "outcome",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("owner")
        if sees_all_jobs(request.user):
            return queryset
        return queryset.filter(owner=request.user)

    def changelist_view(self, request, extra_context=None):
        jobs.mark_seen(user=request.user)
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        own = [
            path(
                "<int:job_id>/stop/",
                self.admin_site.admin_view(self.stop_view),
                name="core_job_stop",
            ),
            path(
                "<int:job_id>/start-again/",
                self.admin_site.admin_view(self.retry_view),
                name="core_job_retry",
            ),
        ]
        return own + super().get_urls()

    # --- columns ------------------------------------------------------------

    @admin.display(description=_("Job"), ordering="label")
    def job(self, obj):
        return obj.label

    @admin.display(description=_("State"), ordering="status")
    def state(self, obj):
        if obj.status == Job.Status.RUNNING and obj.cancel_requested_at:
            return "Stopping"
        return obj.get_status_display()

    @admin.display(description=_("Progress"))
    def progress(self, obj):
        percent = obj.percent
        label = obj.progress_label or ""
        if percent is None:
            return label or "—"
        return format_html(
            _('<progress max="100" value="{}">{} %</progress> {} % {}'),
            percent,
            percent,
            percent,
            label,
        )

    @admin.display(description=_("Started by"), ordering="owner")
    def started_by(self, obj):
        if obj.owner is None:
            return "Écrin (scheduled)"
        return obj.owner.get_full_name() or obj.owner.get_username()

    @admin.display(description=_("Started"), ordering="created_at")
    def started(self, obj):
        return moment(obj.created_at)

    @admin.display(description=_("Ended"), ordering="finished_at")
    def ended(self, obj):
        return moment(obj.finished_at) if obj.finished_at else "—"

    @admin.display(description=_("What went wrong"))
    def what_went_wrong(self, obj):
        return obj.error or "—"

    @admin.display(description=_("Tries"))
    def tries(self, obj):
        return f"{obj.attempts} of {obj.max_attempts}"

    @admin.display(description=_("Outcome"))
    def outcome(self, obj):
        if not obj.result:
            return "—"
        return (
            ", ".join(
                f"{str(key).replace('_', ' ')}: {value}"
                for key, value in obj.result.items()
                if isinstance(value, int | str)
            )
            or "—"
        )

    # --- detail page with its buttons ----------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if job is not None:
            kind = registry.kinds().get(job.kind)
            extra["job_actions"] = {
                "stop": may_act_on(request.user, job)
                and not job.is_finished
                and bool(kind and kind.cancellable)
                and not job.cancel_requested_at,
                "retry": may_act_on(request.user, job)
                and job.status in (Job.Status.FAILED, Job.Status.CANCELLED)
                and bool(kind and kind.retryable),
                "stop_url": reverse("admin:core_job_stop", args=[job.pk]),
                "retry_url": reverse("admin:core_job_retry", args=[job.pk]),
            }
        return super().change_view(request, object_id, form_url, extra)

    def _job_for_action(self, request, job_id) -> Job:
        job = get_object_or_404(self.get_queryset(request), pk=job_id)
        if not may_act_on(request.user, job):
            raise PermissionDenied
        return job

    def _detail_url(self, job) -> str:
        return reverse("admin:core_job_change", args=[job.pk])

    def stop_view(self, request, job_id):
        job = self._job_for_action(request, job_id)
        if is_confirmed(request):
            try:
                job = jobs.cancel(acting_user=request.user, job=job)
            except jobs.JobError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                if job.status == Job.Status.CANCELLED:
                    self.message_user(
                        request, (_("%(label)s was stopped.") % {"label": job.label})
                    )
                else:
                    self.message_user(
                        request,
                        (
                            _(
                                "%(label)s will stop at its next step; this "
                                "page shows when it has."
                            )
                            % {"label": job.label}
                        ),
                    )
            return HttpResponseRedirect(self._detail_url(job))
        done = (
            _("%(done)s of %(total)s done so far")
            % {"done": job.progress_done, "total": job.progress_total}
            if job.progress_total
            else _("It has not reported any progress yet")
        )
        return confirmation_page(
            request,
            admin_site=self.admin_site,
            title=(_("Stop %(label)s?") % {"label": job.label}),
            lead=_(
                "The job stops at its next step. What it has finished stays "
                "finished; what it was writing is thrown away."
            ),
            sections=[
                Section(_("Where it is"), [f"{job.get_status_display()}. {done}."]),
            ],
            action_label=_("Stop the job"),
            cancel_url=self._detail_url(job),
            breadcrumbs=[
                (reverse("admin:core_job_changelist"), "Jobs"),
                (self._detail_url(job), job.label),
            ],
        )

    def retry_view(self, request, job_id):
        job = self._job_for_action(request, job_id)
        if request.method != "POST":
            return HttpResponseRedirect(self._detail_url(job))
        try:
            jobs.retry(acting_user=request.user, job=job)
        except jobs.JobError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(
                request, (_("%(label)s was started again.") % {"label": job.label})
            )
        return HttpResponseRedirect(self._detail_url(job))


@admin.register(AccessLogEntry)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is evidence."""

    list_display = [
        "at",
        "user",
        "action",
        "object_type",
        "object_id",
        "count",
        "path",
        "outcome",
    ]
    list_select_related = ["user"]
    list_filter = ["action", "object_type", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["object_id", "user__username", "path"]
    date_hierarchy = "at"
    show_full_result_count = False
    actions = None
