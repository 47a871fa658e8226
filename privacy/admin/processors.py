"""Recipients, processors and transfers in the admin: thin callers of
privacy.processors. The models' clean() refuses a processor without its
Art. 28 agreement and a transfer without a mechanism, on the form."""

from django.contrib import admin

from core.admin_mixins import adopt_saved
from privacy import processors
from privacy.models import Recipient, Transfer


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "country",
        "agreement_reference",
        "agreement_signed_on",
        "contact_email",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]
    list_select_related = ["parent"]
    search_fields = ["name"]
    actions = None

    def has_delete_permission(self, request, obj=None):
        return False  # the register keeps who received data: deactivate

    def save_model(self, request, obj, form, change):
        adopt_saved(
            obj, processors.recipient_save(acting_user=request.user, recipient=obj)
        )


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ["recipient", "country", "mechanism", "tia_reference"]
    list_filter = ["mechanism"]
    list_select_related = ["recipient"]
    actions = None

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        adopt_saved(
            obj, processors.transfer_save(acting_user=request.user, transfer=obj)
        )
