"""Admin pages for the websites that call the intake API (decision 0075).

Compliance (or IT under a compliance account) creates a website client,
then issues its key and later rotates it on one confirmation page: the
new key is shown in full in the answer to that page's POST, once, and is
never stored (nor kept in the session across a redirect).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consents.api.keys import website_key_issue
from consents.models import WebsiteClient
from core.confirmation import Section, confirmation_page, is_confirmed
from core.display import moment

ROTATE_PERMISSION = "consents.rotate_website_key"


@admin.register(WebsiteClient)
class WebsiteClientAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "current_key", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    filter_horizontal = ["boutiques"]
    readonly_fields = ["keys_list", "created_at"]
    fields = ["name", "boutiques", "is_active", "keys_list", "created_at"]
    actions = None

    def has_delete_permission(self, request, obj=None):
        # A website's calls and cookie choices name it: switch it off instead.
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("keys")

    @admin.display(description=_("current key"))
    def current_key(self, obj):
        current = [k for k in obj.keys.all() if k.valid_until is None]
        return f"{current[0].prefix}…" if current else "—"

    @admin.display(description=_("keys"))
    def keys_list(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the website client, then issue its key.")
        now = timezone.now()
        rows = []
        for key in obj.keys.all():
            if key.valid_until is None:
                state = _("current")
            elif key.valid_until > now:
                state = _("still accepted until %(moment)s") % {
                    "moment": moment(key.valid_until)
                }
            else:
                state = _("refused since %(moment)s") % {
                    "moment": moment(key.valid_until)
                }
            rows.append((f"ecr_{key.prefix}_…", moment(key.created_at), state))
        listing = format_html_join(
            "", "<li><code>{}</code> · {} · {}</li>", rows
        ) or format_html("<li>{}</li>", _("No key."))
        rotate = ""
        if obj.pk:
            rotate = format_html(
                '<p><a class="button" href="{}">{}</a></p>',
                reverse("admin:consents_websiteclient_rotate", args=[obj.pk]),
                _("Rotate the key") if obj.keys.exists() else _("Issue a key"),
            )
        return format_html("<ul>{}</ul>{}", listing, rotate)

    def get_urls(self):
        return [
            path(
                "<int:pk>/rotate/",
                self.admin_site.admin_view(self.rotate_view),
                name="consents_websiteclient_rotate",
            ),
            *super().get_urls(),
        ]

    def response_add(self, request, obj, post_url_continue=None):
        # The key is issued on its own page, which shows it in the answer
        # to its POST: nothing holds it across a redirect.
        return HttpResponseRedirect(
            reverse("admin:consents_websiteclient_rotate", args=[obj.pk])
        )

    def _key_page(self, request, obj, issued, *, created: bool):
        response = TemplateResponse(
            request,
            "admin/consents/websiteclient/key_issued.html",
            {
                **self.admin_site.each_context(request),
                "title": _("The website’s new API key"),
                "website_client": obj,
                "key": issued.key,
                "created": created,
                "opts": self.model._meta,
                "change_url": reverse(
                    "admin:consents_websiteclient_change", args=[obj.pk]
                ),
            },
        )
        # The page holds the key: no cache keeps a copy.
        add_never_cache_headers(response)
        return response

    def rotate_view(self, request, pk):
        if not request.user.has_perm(ROTATE_PERMISSION):
            raise PermissionDenied
        website = get_object_or_404(WebsiteClient, pk=pk)
        change_url = reverse("admin:consents_websiteclient_change", args=[pk])
        first = not website.keys.exists()
        if is_confirmed(request):
            issued = website_key_issue(acting_user=request.user, website_client=website)
            return self._key_page(request, website, issued, created=first)
        now = timezone.now()
        grace_end = now + timedelta(hours=settings.WEBSITE_API_KEY_GRACE_HOURS)
        accepted = [
            k
            for k in website.keys.all()
            if k.valid_until is None or k.valid_until > now
        ]
        lines = [
            _("Key %(prefix)s stops working at %(moment)s.")
            % {"prefix": f"ecr_{k.prefix}_…", "moment": moment(grace_end)}
            for k in accepted
        ]
        return confirmation_page(
            request,
            admin_site=self.admin_site,
            title=(
                _("Issue the API key of %(name)s")
                if first
                else _("Rotate the API key of %(name)s")
            )
            % {"name": website.name},
            lead=ngettext(
                "A new key is issued and shown once. The key in use now keeps "
                "working for %(hours)s hour, so the website can switch to the "
                "new one; after that it is refused.",
                "A new key is issued and shown once. The key in use now keeps "
                "working for %(hours)s hours, so the website can switch to the "
                "new one; after that it is refused.",
                settings.WEBSITE_API_KEY_GRACE_HOURS,
            )
            % {"hours": settings.WEBSITE_API_KEY_GRACE_HOURS},
            sections=[
                Section(
                    heading=_("What this changes"),
                    lines=lines
                    or [_("The website has no key yet: this issues its first one.")],
                )
            ],
            action_label=_("Issue a new key"),
            cancel_url=change_url,
            breadcrumbs=[
                (
                    self.model._meta.verbose_name_plural.capitalize(),
                    reverse("admin:consents_websiteclient_changelist"),
                ),
                (website.name, change_url),
            ],
        )
