"""Orders models, one module per concept (see the app README)."""

from orders.models.aftersales import AfterSalesCase, Complaint, Guarantee
from orders.models.catalogue import Product
from orders.models.invoices import (
    INVOICE_RETENTION,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
)
from orders.models.orders import Order, OrderLine
from orders.models.payments import Payment

__all__ = [
    "INVOICE_RETENTION",
    "AfterSalesCase",
    "Complaint",
    "Guarantee",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "Order",
    "OrderLine",
    "Payment",
    "Product",
]
