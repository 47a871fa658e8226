"""The dashboards' pages (issue 15), inside the admin: manager (one
boutique at a time, switchable), adviser (my book), compliance; each with
its date range, charts drawn by static/segments/dashboard.js from the
figures passed through json_script (no inline script: the CSP stays
strict), an accessible table beside each chart, and a CSV export of the
figures (core.downloads' formula-safe writer)."""

import io
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from clienteling.models import Client, User
from clienteling.scoping import visible_boutiques
from core import downloads
from segments import figures
from segments.figures import Period

MANAGER_PERMISSION = "segments.view_boutique_dashboard"
ADVISER_PERMISSION = "segments.view_adviser_dashboard"
COMPLIANCE_PERMISSION = "segments.view_compliance_dashboard"
# The longest range a dashboard reads at once.
MAX_RANGE_DAYS = 3 * 366
CLIENTS_PER_PAGE = 50

DASHBOARD_CSV = downloads.register(
    downloads.Download(
        key="dashboard-figures",
        label=_("Figures of a dashboard (CSV)"),
        sites=("segments.dashboards.figures_csv",),
    )
)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period is before its start."))
        elif start and end and (end - start).days > MAX_RANGE_DAYS:
            self.add_error("end", _("Choose a period of three years at most."))
        return cleaned

    def period(self) -> Period:
        default = figures.default_period(self.today)
        if not self.is_bound or not self.is_valid():
            return default
        return Period(
            self.cleaned_data.get("start") or default.start,
            self.cleaned_data.get("end") or default.end,
        )


PERIOD_SPANS = [
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("last_90_days", _("Last 90 days")),
    ("custom", _("Custom range")),
]


class AdviserPeriodForm(PeriodForm):
    """The adviser's picker: a preset period, or a custom range (both days
    given, the start not after the end)."""

    span = forms.ChoiceField(
        label=_("Period"), choices=PERIOD_SPANS, required=False, initial="this_month"
    )
    field_order = ["span", "start", "end"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("span") == "custom" and not self.has_error("end"):
            if not cleaned.get("start") and not self.has_error("start"):
                self.add_error("start", _("Give the first day of the range."))
            if not cleaned.get("end"):
                self.add_error("end", _("Give the last day of the range."))
        return cleaned

    def period(self) -> Period:
        if not self.is_bound or not self.is_valid():
            return figures.adviser_period("this_month", self.today)
        span = self.cleaned_data.get("span") or "this_month"
        if span == "custom":
            return Period(self.cleaned_data["start"], self.cleaned_data["end"])
        return figures.adviser_period(span, self.today)


class CreatedWithinForm(forms.Form):
    """The dashboard client list's creation-day filter (a chart's link)."""

    created_from = forms.DateField(required=False, label=_("Created from"))
    created_to = forms.DateField(required=False, label=_("Created to"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and start > end:
            self.add_error(
                "created_to", _("The end of the period is before its start.")
            )
        return cleaned


class BoutiquePeriodForm(PeriodForm):
    boutique = forms.ModelChoiceField(
        label=_("Boutique"), queryset=None, required=False, empty_label=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["boutique"].queryset = visible_boutiques(user).order_by("name")
        self.fields["boutique"].error_messages["invalid_choice"] = _(
            "This boutique is not one of yours: choose one of the list."
        )

    def chosen_boutique(self):
        if self.is_bound and self.is_valid() and self.cleaned_data.get("boutique"):
            return self.cleaned_data["boutique"]
        return self.fields["boutique"].queryset.first()


def _params(request) -> dict | None:
    """The picker's values, or None (unbound: the defaults)."""
    keys = ("start", "end", "boutique", "span")
    return request.GET if any(k in request.GET for k in keys) else None


def figures_csv(title: str, figure_list, *, filename: str) -> HttpResponse:
    """The figures of a page as one CSV: figure, row, column, value."""
    handle = io.StringIO(newline="")
    writer = downloads.csv_writer(handle)
    writer.writerow(["figure", "row", "column", "value"])
    for figure in figure_list:
        for row in figure.rows:
            for column, value in zip(figure.columns, row.values, strict=True):
                writer.writerow([str(figure.title), row.label, str(column), value])
    response = HttpResponse(handle.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _render(request, admin_site, *, template, title, form, figure_list, extra=None):
    if request.GET.get("format") == "csv" and not form.errors:
        return figures_csv(
            title,
            figure_list,
            filename=f"figures-{timezone.localdate().isoformat()}.csv",
        )
    query = request.GET.copy()
    query["format"] = "csv"
    return TemplateResponse(
        request,
        template,
        {
            **admin_site.each_context(request),
            "title": title,
            "form": form,
            "figures": figure_list,
            "charts": [(f, f"chart-data-{f.key}") for f in figure_list],
            "csv_query": query.urlencode(),
            **(extra or {}),
        },
    )


def manager_dashboard(request, admin_site):
    if not request.user.has_perm(MANAGER_PERMISSION):
        raise PermissionDenied
    today = timezone.localdate()
    form = BoutiquePeriodForm(_params(request), user=request.user, today=today)
    boutique = form.chosen_boutique()
    period = form.period()
    figure_list = (
        figures.manager_figures(boutique, period, today=today) if boutique else []
    )
    return _render(
        request,
        admin_site,
        template="admin/segments/dashboard.html",
        title=_("Boutique dashboard"),
        form=form,
        figure_list=figure_list,
        extra={
            "boutique": boutique,
            "period": period,
            "as_of": figures.sales_as_of(),
            "shows_sales": True,
        },
    )


def adviser_dashboard(request, admin_site):
    if not request.user.has_perm(ADVISER_PERMISSION):
        raise PermissionDenied
    today = timezone.localdate()
    form = AdviserPeriodForm(_params(request), today=today)
    period = form.period()
    figure_list = figures.adviser_figures(request.user, today=today, period=period)
    return _render(
        request,
        admin_site,
        template="admin/segments/dashboard.html",
        title=_("My dashboard"),
        form=form,
        figure_list=figure_list,
        extra={"period": period},
    )


def compliance_dashboard(request, admin_site):
    if not request.user.has_perm(COMPLIANCE_PERMISSION):
        raise PermissionDenied
    today = timezone.localdate()
    form = PeriodForm(_params(request), today=today)
    period = form.period()
    figure_list = figures.compliance_figures(period, today=today)
    return _render(
        request,
        admin_site,
        template="admin/segments/dashboard.html",
        title=_("Compliance dashboard"),
        form=form,
        figure_list=figure_list,
        extra={"period": period},
    )


def dashboard_clients(request, admin_site):
    """The clients behind a chart: a boutique's clients, by adviser or
    lapsing, within the user's scope."""
    if not (
        request.user.has_perm(MANAGER_PERMISSION)
        or request.user.has_perm(ADVISER_PERMISSION)
    ):
        raise PermissionDenied
    boutique = (
        visible_boutiques(request.user).filter(pk=request.GET.get("boutique")).first()
        if (request.GET.get("boutique") or "").isdigit()
        else None
    )
    clients = Client.objects.visible_to(request.user).live()
    heading = []
    if boutique is not None:
        clients = clients.filter(home_boutique=boutique)
        heading.append(boutique.name)
    adviser_id = request.GET.get("adviser") or ""
    if adviser_id.isdigit():
        adviser = User.objects.filter(pk=adviser_id).first()
        if adviser is not None:
            clients = clients.advised_by(adviser)
            heading.append(adviser.get_full_name() or adviser.username)
    created = CreatedWithinForm(request.GET)
    if created.is_valid():
        start, end = (
            created.cleaned_data["created_from"],
            created.cleaned_data["created_to"],
        )
        if start:
            clients = clients.filter(created_at__gte=figures.Period(start, start).since)
        if end:
            clients = clients.filter(created_at__lt=figures.Period(end, end).until)
        if start or end:
            heading.append(
                str(_("created from %(start)s to %(end)s"))
                % {
                    "start": date_format(start) if start else "…",
                    "end": date_format(end) if end else "…",
                }
            )
    else:
        for errors in created.errors.values():
            for error in errors:
                messages.error(request, error)
        clients = clients.none()
    if request.GET.get("lapsing"):
        clients = figures.lapsing(clients, today=timezone.localdate())
        heading.append(str(_("lapsing")))
    clients = clients.select_related("home_boutique", "primary_adviser").order_by(
        "last_name", "first_name", "pk"
    )
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "admin/segments/dashboard_clients.html",
        {
            **admin_site.each_context(request),
            "title": _("Clients: %(what)s") % {"what": " · ".join(heading) or "—"},
            "page": page,
            "clients": page.object_list,
            "count": number_format(page.paginator.count),
            "query": query.urlencode(),
        },
    )


def dashboard_links(user) -> list[tuple[str, str]]:
    """(label, url) of the dashboards and segments this person may open,
    for the role homes (config.homes)."""
    links = []
    if user.has_perm(ADVISER_PERMISSION):
        links.append((_("My dashboard"), reverse("admin:segments_dashboard_adviser")))
    if user.has_perm(MANAGER_PERMISSION):
        links.append(
            (_("Boutique dashboard"), reverse("admin:segments_dashboard_manager"))
        )
    if user.has_perm(COMPLIANCE_PERMISSION):
        links.append(
            (_("Compliance dashboard"), reverse("admin:segments_dashboard_compliance"))
        )
    if user.has_perm("segments.view_segment"):
        links.append((_("Segments"), reverse("admin:segments_segment_changelist")))
    return links
