"""Small admin building blocks shared by every app's admin."""


class ReadOnlyAdminMixin:
    """No add, change or delete from the admin, superusers included.

    For evidence and legal records (the consent ledger, invoices, the
    access log, erasure receipts, transfer batches): they are written by
    services only, and the admin shows them.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
