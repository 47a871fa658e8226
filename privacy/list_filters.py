"""The client list's "due for erasure" filter, registered with
core.hooks.register_client_list_filter (clienteling knows no retention
rules): the compliance dashboard's retention forecast links to it."""

from datetime import datetime, time, timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy import retention
from privacy.models import RetentionRule
from privacy.retention_preview import erases_clients


class RetentionDueFilter(admin.SimpleListFilter):
    """Clients a retention rule erasing clients would erase within 30 or
    90 days (as the forecast counts them, from the start of today).
    Offered only to who may read the retention rules."""

    title = _("due for erasure")
    parameter_name = "retention_due"
    DAYS = (30, 90)

    def lookups(self, request, model_admin):
        if not request.user.has_perm("privacy.view_retentionrule"):
            return []  # a filter without choices is not shown
        return [
            (
                f"{rule.code}:{days}",
                _("%(rule)s, within %(days)s days") % {"rule": rule, "days": days},
            )
            for rule in RetentionRule.objects.order_by("code")
            if erases_clients(rule.code)
            for days in self.DAYS
        ]

    def queryset(self, request, queryset):
        # Only a value this filter offered; anything else is ignored.
        if self.value() not in {key for key, _unused in self.lookup_choices}:
            return queryset
        code, days = self.value().rsplit(":", 1)
        rule = RetentionRule.objects.get(code=code)
        now = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        due = retention.HANDLERS[code].due(rule, now + timedelta(days=int(days)))
        return queryset.filter(pk__in=due.values("pk"))
