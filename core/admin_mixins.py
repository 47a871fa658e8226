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


def adopt_saved(obj, saved) -> None:
    """Make the admin's unsaved instance the row a service saved.

    When save_model hands the work to a service, Django still logs the
    addition, names the object in its message and redirects with the
    form's instance: it must carry the saved row's primary key and the
    values the service filled in (dates, numbers), or __str__ and the
    redirect see an empty object.
    """
    obj.pk = saved.pk
    obj.refresh_from_db()
