"""Segments in the admin: the list and form, the segment's members, and the
outreach list and follow-up campaign asked for from a segment.

Scope: a segment outside segments_visible_to(user) is absent, and its
pages answer 404, logged as denied in the access log.
"""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clienteling.models import Client
from core import confirmation, hooks
from core.admin_mixins import adopt_saved
from core.paginators import EstimatedCountPaginator
from segments import dashboards, selectors, services
from segments.forms import CampaignForm, SegmentForm, SegmentOutreachForm
from segments.models import Campaign, Segment

MEMBERS_PER_PAGE = 50


def _reasons(excluded_by_reason: dict) -> list[str]:
    """ "Processing restricted: 2" lines, in the staff's language."""
    return [
        f"{selectors.REASON_LABELS.get(reason, reason)}: {count}"
        for reason, count in excluded_by_reason.items()
    ]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    form = SegmentForm
    # The admin net (tests/test_admin_registry.py) makes the role its owner.
    owner_field = "created_by"
    list_display = ("name", "boutique_names", "shared", "created_by", "updated_at")
    list_select_related = ("created_by",)
    list_filter = ("shared",)
    search_fields = ("name",)
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("name", "boutiques", "shared")}),
        (
            _("Who advises them, what they like"),
            {
                "fields": (
                    "adviser",
                    "preferred_collection",
                    "preferred_channel",
                    "language",
                ),
            },
        ),
        (
            _("Purchases"),
            {
                "fields": (
                    "purchase_collection",
                    "purchase_category",
                    "purchase_metal",
                    ("purchase_min_eur", "purchase_max_eur"),
                    ("purchased_from", "purchased_to"),
                    ("lifetime_value_min_eur", "lifetime_value_max_eur"),
                ),
            },
        ),
        (
            _("Recent relationship"),
            {
                "fields": (
                    ("contacted_within_days", "not_contacted_for_days"),
                    ("bought_within_days", "not_bought_for_days"),
                    "important_date_within_days",
                ),
            },
        ),
        (
            _("May be contacted"),
            {
                "fields": (("eligible_purpose", "eligible_channel"),),
                "description": _(
                    "Only clients who may be contacted for this purpose on this "
                    "channel (consent or soft opt-in, preference, address)."
                ),
            },
        ),
    )

    @admin.display(description=_("boutiques"))
    def boutique_names(self, obj):
        return ", ".join(b.name for b in obj.boutiques.all())

    def get_queryset(self, request):
        return selectors.segments_visible_to(request.user).prefetch_related("boutiques")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class ScopedForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return ScopedForm

    def save_model(self, request, obj, form, change):
        saved = services.segment_save(
            acting_user=request.user,
            segment=obj,
            boutiques=form.cleaned_data["boutiques"],
        )
        adopt_saved(obj, saved)

    def save_related(self, request, form, formsets, change):
        # segment_save set the boutiques; no other relation is edited here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # --- Scope ---------------------------------------------------------------

    def segment_or_404(self, request, object_id) -> Segment:
        segment = services.segment_for_user(request.user, object_id)
        if segment is None:
            hooks.record_access(
                user=request.user,
                action="denied",
                target=Segment,
                object_id=str(object_id)[:64],
                path=request.path,
            )
            raise Http404(_("No segment with this number in your scope."))
        return segment

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        self.segment_or_404(request, object_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        segment = self.segment_or_404(request, object_id)
        membership = selectors.segment_membership(segment, user=request.user)
        context = {
            "membership": membership,
            "excluded_lines": _reasons(membership.excluded_by_reason),
            "outreach_form": SegmentOutreachForm(),
            "may_outreach": request.user.has_perm("consents.build_outreach_list"),
            "may_campaign": request.user.has_perm(services.CAMPAIGN_PERMISSION),
            "campaigns": segment.campaigns.select_related("job")[:5],
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def delete_view(self, request, object_id, extra_context=None):
        self.segment_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.segment_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    # --- Pages of a segment --------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "dashboard/",
                wrap(partial(dashboards.manager_dashboard, admin_site=self.admin_site)),
                name="segments_dashboard_manager",
            ),
            path(
                "dashboard/mine/",
                wrap(partial(dashboards.adviser_dashboard, admin_site=self.admin_site)),
                name="segments_dashboard_adviser",
            ),
            path(
                "dashboard/compliance/",
                wrap(
                    partial(dashboards.compliance_dashboard, admin_site=self.admin_site)
                ),
                name="segments_dashboard_compliance",
            ),
            path(
                "dashboard/clients/",
                wrap(partial(dashboards.dashboard_clients, admin_site=self.admin_site)),
                name="segments_dashboard_clients",
            ),
            path(
                "<path:object_id>/clients/",
                wrap(self.members_view),
                name="segments_segment_clients",
            ),
            path(
                "<path:object_id>/outreach/",
                wrap(self.outreach_view),
                name="segments_segment_outreach",
            ),
            path(
                "<path:object_id>/campaign/",
                wrap(self.campaign_view),
                name="segments_segment_campaign",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, segment) -> str:
        return reverse("admin:segments_segment_change", args=[segment.pk])

    def _breadcrumbs(self, segment):
        return [
            (
                self.opts.verbose_name_plural.capitalize(),
                reverse("admin:segments_segment_changelist"),
            ),
            (segment.name, self._change_url(segment)),
        ]

    def members_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        segment = self.segment_or_404(request, object_id)
        # Page 1 never waits for every member to be counted: the list is
        # counted up to the paginator's reachable rows ("more than 10,000"),
        # the clients left out from the few the exclusions name.
        membership = selectors.segment_member_list(segment, user=request.user)
        page = EstimatedCountPaginator(membership.pages(), MEMBERS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        by_id = Client.objects.select_related(
            "home_boutique", "primary_adviser"
        ).in_bulk(list(page.object_list))
        clients = [by_id[pk] for pk in page.object_list if pk in by_id]
        return TemplateResponse(
            request,
            "admin/segments/segment/clients.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Clients of the segment “%(name)s”")
                % {"name": segment.name},
                "segment": segment,
                "membership": membership,
                "excluded_lines": _reasons(membership.excluded_by_reason),
                "client_names": Client._meta.verbose_name_plural,
                "page": page,
                "clients": clients,
                "breadcrumbs": self._breadcrumbs(segment),
                "opts": self.opts,
            },
        )

    def outreach_view(self, request, object_id):
        segment = self.segment_or_404(request, object_id)
        if request.method != "POST":
            return redirect(self._change_url(segment))
        form = SegmentOutreachForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(self._change_url(segment))
        try:
            services.segment_outreach_request(
                acting_user=request.user,
                segment=segment,
                purpose=form.cleaned_data["purpose"],
                channel=form.cleaned_data["channel"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(self._change_url(segment))
        messages.success(
            request,
            _(
                "The outreach list of “%(name)s” is being built; it appears "
                "below when ready."
            )
            % {"name": segment.name},
        )
        return HttpResponseRedirect(reverse("admin:consents_outreach"))

    def campaign_view(self, request, object_id):
        if not request.user.has_perm(services.CAMPAIGN_PERMISSION):
            raise PermissionDenied
        segment = self.segment_or_404(request, object_id)
        form = CampaignForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if confirmation.is_confirmed(request):
                try:
                    services.campaign_request(
                        acting_user=request.user,
                        segment=segment,
                        due_date=form.cleaned_data["due_date"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as exc:
                    form.apply_refusal(exc)
                else:
                    messages.success(
                        request,
                        _(
                            "The follow-ups of “%(name)s” are being written; "
                            "each adviser finds theirs on their home."
                        )
                        % {"name": segment.name},
                    )
                    return redirect(self._change_url(segment))
            else:
                return self._campaign_confirmation(request, segment, form)
        membership = selectors.segment_membership(segment, user=request.user)
        return TemplateResponse(
            request,
            "admin/segments/segment/campaign.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Follow-up campaign of “%(name)s”") % {"name": segment.name},
                "segment": segment,
                "form": form,
                "membership": membership,
                "excluded_lines": _reasons(membership.excluded_by_reason),
                "breadcrumbs": self._breadcrumbs(segment),
                "opts": self.opts,
            },
        )

    def _campaign_confirmation(self, request, segment, form):
        """Name what the campaign writes before it does (GOV.UK's check
        page): how many follow-ups, for which advisers, who is left out."""
        membership = selectors.segment_membership(segment, user=request.user)
        per_adviser = selectors.members_per_adviser(
            membership.client_ids, fallback=request.user
        )
        due = form.cleaned_data["due_date"]
        count = membership.count
        return confirmation.confirmation_page(
            request,
            admin_site=self.admin_site,
            title=_("Create %(count)s follow-ups?") % {"count": count},
            lead=ngettext(
                "One follow-up will be created, due on %(date)s: “%(note)s”.",
                "%(count)s follow-ups will be created, due on %(date)s: “%(note)s”.",
                count,
            )
            % {
                "count": count,
                "date": date_format(due, "DATE_FORMAT"),
                "note": form.cleaned_data["note"],
            },
            sections=[
                confirmation.Section(
                    _("For each adviser"),
                    [f"{name}: {n}" for name, n in per_adviser],
                ),
                confirmation.Section(
                    _("Left out"),
                    _reasons(membership.excluded_by_reason) or [_("No one.")],
                ),
            ],
            action_label=_("Create the follow-ups"),
            cancel_url=self._change_url(segment),
            breadcrumbs=self._breadcrumbs(segment),
            hidden={"due_date": due.isoformat(), "note": form.cleaned_data["note"]},
            can_act=count > 0,
        )


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "segment",
        "requested_by",
        "due_date",
        "created_count",
        "created_at",
    )
    list_select_related = ("segment", "requested_by")
    readonly_fields = (
        "segment",
        "requested_by",
        "due_date",
        "note",
        "created_count",
        "excluded_lines",
        "created_at",
    )
    fields = readonly_fields
    show_full_result_count = False
    owner_field = "requested_by"

    @admin.display(description=_("left out"))
    def excluded_lines(self, obj):
        return "; ".join(_reasons(obj.excluded_by_reason)) or "—"

    def get_queryset(self, request):
        visible = selectors.segments_visible_to(request.user).values("pk")
        return (
            super()
            .get_queryset(request)
            .filter(Q(segment__in=visible) | Q(requested_by=request.user))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
