from django.contrib import admin

from clienteling.admin_mixins import ReadOnlyAdminMixin
from privacy.models import AccessLogEntry


@admin.register(AccessLogEntry)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is evidence."""

    list_display = ["at", "user", "action", "object_type", "object_id", "count", "path"]
    list_select_related = ["user"]
    list_filter = ["action", "object_type", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["object_id", "user__username", "path"]
    date_hierarchy = "at"
    show_full_result_count = False
    actions = None
