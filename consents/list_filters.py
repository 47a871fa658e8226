"""The client list's "current consent" filter, registered with
core.hooks.register_client_list_filter (clienteling knows no consents):
the manager dashboard's consent rates link to it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from consents.models import ConsentDecision, Purpose
from consents.selectors import sees_special_categories


class ConsentFilter(admin.SimpleListFilter):
    """Clients whose current decision on a consent purpose is a grant."""

    title = _("current consent")
    parameter_name = "consent"

    def lookups(self, request, model_admin):
        purposes = Purpose.objects.filter(is_active=True, legal_basis="consent")
        if not sees_special_categories(request.user):
            # A consent to process health data is itself health data
            # (Art. 9): not offered, and so not applied, to staff who may
            # not see it.
            purposes = purposes.filter(special_category=False)
        return [(str(p.pk), p.name) for p in purposes.order_by("name")]

    def queryset(self, request, queryset):
        # Only a value this filter offered; anything else is ignored.
        if self.value() not in {key for key, _unused in self.lookup_choices}:
            return queryset
        granted = (
            ConsentDecision.objects.filter(
                purpose_id=self.value(), decision=ConsentDecision.Decision.GRANT
            )
            .current()
            .values("client_id")
        )
        return queryset.filter(pk__in=granted)
