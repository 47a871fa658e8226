"""The client list's "current consent" filter, registered with
core.hooks.register_client_list_filter (clienteling knows no consents):
the manager dashboard's consent rates link to it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from consents.models import ConsentDecision, Purpose


class ConsentFilter(admin.SimpleListFilter):
    """Clients whose current decision on a consent purpose is a grant."""

    title = _("current consent")
    parameter_name = "consent"

    def lookups(self, request, model_admin):
        return [
            (str(p.pk), p.name)
            for p in Purpose.objects.filter(
                is_active=True, legal_basis="consent"
            ).order_by("name")
        ]

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
