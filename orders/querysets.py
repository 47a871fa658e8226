from django.db import models


class OrderQuerySet(models.QuerySet):
    def for_clients(self, clients):
        """Orders of these clients (a Client queryset or ids)."""
        return self.filter(client__in=clients)

    def purchases(self):
        """Orders that became a sale (invoiced, delivered or returned)."""
        return self.filter(status__in=["invoiced", "delivered", "returned"])


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(
            "Issued invoices and credit notes are immutable: issue a credit note."
        )

    def delete(self):
        raise TypeError(
            "Invoices are kept 10 years (Commercial Code L123-22); only the "
            "retention job removes them, in SQL, after that."
        )


class InvoiceQuerySet(ImmutableQuerySet):
    def under_retention(self, today):
        """Invoices the legal obligation still requires the house to keep."""
        return self.filter(retention_until__gte=today)


class OpenCaseQuerySet(models.QuerySet):
    open_statuses: tuple[str, ...] = ()

    def open(self):
        """Cases not yet closed: a legal hold on erasure."""
        return self.filter(status__in=self.open_statuses)
