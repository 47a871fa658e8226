"""Each role's home page: the admin index replaced per role.

The panels come from the apps (clienteling.home, privacy.home, core.jobs);
this module, above every app, only decides which panels a person sees. A
person with several roles sees each role's panels once; someone with none
(a superuser) gets the sections index, which stays one click away for
everyone ("All sections").
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from clienteling import home as client_home
from clienteling.models import FollowUp
from core.jobs.models import Job
from core.roles import ADVISER, COMPLIANCE, CUSTOMER_SERVICE, MANAGER, ROLES
from privacy import home as privacy_home
from segments.dashboards import dashboard_links


def roles_of(user) -> list[str]:
    """The person's roles, in core.roles order."""
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in ROLES if role in names]


def running_jobs(user, *, limit: int = 8):
    jobs = Job.objects.filter(status__in=Job.UNFINISHED)
    if not (user.is_superuser or user.has_perm("core.view_all_jobs")):
        jobs = jobs.filter(owner=user)
    rows = list(jobs.select_related("owner").order_by("created_at")[:limit])
    return rows, jobs.count()


def home_context(user) -> dict:
    """The panels of every role this person holds; empty for none."""
    today = timezone.localdate()
    roles = roles_of(user)
    context = {"home_roles": roles, "today": today, "panels": []}
    panels = context["panels"]
    if ADVISER in roles or MANAGER in roles:
        follow_ups, follow_ups_count = client_home.follow_ups_due(user, today=today)
        book = client_home.my_book(user, today=today)
        context.update(
            book=book,
            follow_ups=follow_ups,
            follow_ups_count=follow_ups_count,
            dates_ahead=client_home.dates_ahead(user, today=today),
            appointments=client_home.appointments_ahead(user, today=today),
            tomorrow=today + timedelta(days=1),
            follow_up_outcomes=FollowUp.Outcome.choices,
            can_complete_follow_up=user.has_perm("clienteling.change_followup"),
        )
        # A manager who advises no client of their own sees the team first
        # and no empty "my book".
        if ADVISER in roles or book.active or follow_ups_count:
            panels.append("adviser")
    if MANAGER in roles:
        context["team"] = client_home.team_board(user, today=today)
        panels.append("manager")
    if CUSTOMER_SERVICE in roles:
        calls, calls_count = client_home.calls_today(user, today=today)
        context.update(calls_today=calls, calls_today_count=calls_count)
        panels.append("service")
    if panels:
        context["recently_viewed"] = client_home.recently_viewed(user)
        panels.append("recent")
    if COMPLIANCE in roles:
        jobs, jobs_count = running_jobs(user)
        context.update(
            desk=privacy_home.request_desk(user, today=today),
            programme=privacy_home.programme(),
            jobs=jobs,
            jobs_count=jobs_count,
        )
        panels.append("compliance")
    context["dashboard_links"] = dashboard_links(user)
    context["home_title"] = _("Today")
    return context
