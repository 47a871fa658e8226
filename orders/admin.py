"""Admin of the orders app: thin callers of orders.services.

Every list of client-related rows is scoped through
Client.objects.visible_to(user), on every path (list, change, history,
raw-id lookups), and follows "Built for a million clients".
"""

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from clienteling.models import Client
from clienteling.scoping import ClientScopedMixin
from core import hooks
from core.admin_mixins import ReadOnlyAdminMixin, adopt_saved
from core.confirmation import Section, confirmation_page, is_confirmed
from core.locking import OptimisticLockAdminMixin
from core.money import money
from core.paginators import EstimatedCountPaginator
from orders import services
from orders.forms import (
    AfterSalesCaseForm,
    ComplaintForm,
    OrderForm,
    OrderLineFormSet,
    PaymentForm,
    ProductForm,
)
from orders.models import (
    AfterSalesCase,
    Complaint,
    Guarantee,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    Payment,
    Product,
)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def money_column(field: str, label):
    """A list column showing `field` with the row's currency (core.money)."""

    @admin.display(description=label, ordering=field)
    def column(obj):
        return money(getattr(obj, field), obj.currency)

    column.__name__ = f"{field}_with_currency"
    return column


class ClientScopedAdmin(
    OptimisticLockAdminMixin, ClientScopedMixin, SimpleHistoryAdmin
):
    # Large tables: PostgreSQL's estimate for unfiltered lists.
    paginator = EstimatedCountPaginator
    """clienteling's scoping (lists, change, delete and history pages, client
    and boutique pickers, 404 and a logged refusal out of scope), plus this
    app's order and guarantee pickers and the access log of each opening;
    a change form saved over a newer version is refused (core.locking)."""

    show_full_result_count = False
    # What opening a record of this admin is, in the access log.
    access_action = "view"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            self.in_scope_or_404(request, object_id)
            hooks.record_access(
                user=request.user,
                action=self.access_action,
                target=self.model,
                object_id=object_id,
                path=request.path,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("order", "guarantee"):
            kwargs["queryset"] = db_field.related_model.objects.filter(
                client__in=Client.objects.visible_to(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Product)
class ProductAdmin(OptimisticLockAdminMixin, SimpleHistoryAdmin):
    form = ProductForm
    list_display = [
        "reference",
        "name",
        "collection",
        "category",
        "get_metals_display",
        money_column("price", _("price")),
        "is_active",
    ]
    list_select_related = ["collection"]
    list_filter = ["category", "collection", "is_active"]
    search_fields = ["=reference", "name"]
    show_full_result_count = False

    @admin.display(description=_("metals"))
    def get_metals_display(self, obj):
        return obj.get_metals_display()


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    formset = OrderLineFormSet
    fields = [
        "product",
        "ring_size",
        "engraving",
        "serial_number",
        "quantity",
        "unit_price",
        "currency",
    ]
    readonly_fields = ["currency"]
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "product":
            kwargs["queryset"] = Product.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")

    def _editable(self, obj) -> bool:
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class InvoiceForOrderInline(admin.TabularInline):
    model = Invoice
    fields = ["number", "kind", "total", "currency", "issued_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ClientScopedAdmin):
    form = OrderForm
    change_form_template = "admin/orders/order/change_form.html"
    inlines = [OrderLineInline, InvoiceForOrderInline]
    raw_id_fields = ["client"]
    list_display = [
        "number",
        "client",
        "boutique",
        "channel",
        "status",
        money_column("total", _("total")),
        "created_at",
    ]
    list_select_related = ["client", "boutique"]
    list_filter = ["status", "channel", "boutique"]
    search_fields = ["=number", "=client__client_number"]
    readonly_fields = [
        "number",
        "status",
        "total",
        "adviser",
        "allergy_acknowledged_at",
        "allergy_acknowledged_by",
    ]

    def get_fields(self, request, obj=None):
        editable = list(OrderForm.Meta.fields)
        if obj is None or obj.is_editable:
            editable.append("allergy_discussed")
        return [*editable, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        if not obj.is_editable:
            return [
                *self.readonly_fields,
                "client",
                "channel",
                "boutique",
                "currency",
                "marketing_email",
            ]
        # The client of an existing order never changes: its invoices,
        # guarantees and allergy check depend on it.
        return [*self.readonly_fields, "client"]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, OrderLineInline):
            kwargs["user"] = request.user
        return kwargs

    def save_model(self, request, obj, form, change):
        services.order_save(acting_user=request.user, order=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        lines = next((f for f in formsets if isinstance(f, OrderLineFormSet)), None)
        services.order_lines_saved(
            acting_user=request.user,
            order=form.instance,
            allergy_acknowledged=bool(lines and lines.allergy_acknowledged),
        )

    # --- Status buttons -------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="orders_order_status",
            ),
            path(
                "<path:object_id>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="orders_order_cancel",
            ),
            path(
                "<path:object_id>/issue-invoice/",
                self.admin_site.admin_view(self.issue_invoice_view),
                name="orders_order_issue_invoice",
            ),
            *super().get_urls(),
        ]

    def _order_for_post(self, request, object_id) -> Order:
        # Scope first (404, logged), then method and permission.
        self.in_scope_or_404(request, object_id)
        if request.method != "POST":
            raise PermissionDenied
        order = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        return order

    def _back(self, order):
        return HttpResponseRedirect(
            reverse("admin:orders_order_change", args=[order.pk])
        )

    def status_view(self, request, object_id):
        order = self._order_for_post(request, object_id)
        status = request.POST.get("status", "")
        if status == Order.Status.CANCELLED:
            # Cancelling is not undone: only from its confirmation page.
            return HttpResponseRedirect(
                reverse("admin:orders_order_cancel", args=[order.pk])
            )
        try:
            services.order_transition(
                acting_user=request.user, order=order, status=status
            )
        except ValidationError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
        else:
            self.message_user(
                request,
                (
                    _("Order %(number)s is now %(status)s.")
                    % {"number": order.number, "status": order.get_status_display()}
                ),
            )
        return self._back(order)

    def cancel_view(self, request, object_id):
        """The confirmation page of a cancellation; it happens on its POST."""
        self.in_scope_or_404(request, object_id)
        order = get_object_or_404(
            self.get_queryset(request).select_related("client", "boutique"),
            pk=object_id,
        )
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        allowed = Order.Status.CANCELLED in order.allowed_transitions()
        error = ""
        if not allowed:
            error = _(
                "Order %(number)s is %(status)s: it can no longer be cancelled."
            ) % {"number": order.number, "status": order.get_status_display().lower()}
        elif is_confirmed(request):
            try:
                services.order_transition(
                    acting_user=request.user,
                    order=order,
                    status=Order.Status.CANCELLED,
                )
            except ValidationError as exc:
                error = _error_text(exc)
            else:
                self.message_user(
                    request,
                    (
                        _("Order %(number)s is now cancelled.")
                        % {"number": order.number}
                    ),
                )
                return self._back(order)
        elif request.method == "POST":
            error = _("Use the button on this page to cancel. Nothing was changed.")
        back = reverse("admin:orders_order_change", args=[order.pk])
        return confirmation_page(
            request,
            admin_site=self.admin_site,
            title=(_("Cancel order %(number)s") % {"number": order.number}),
            lead=(
                _(
                    "Order %(number)s of %(full_name)s (%(client_number)s), %(name)s, "
                    "%(status)s, total %(total)s %(currency)s. A cancelled order "
                    "cannot be reopened."
                )
                % {
                    "number": order.number,
                    "full_name": order.client.full_name,
                    "client_number": order.client.client_number,
                    "name": order.boutique.name,
                    "status": order.get_status_display().lower(),
                    "total": order.total,
                    "currency": order.currency,
                }
            ),
            sections=cancel_sections(order),
            action_label=_("Cancel the order"),
            cancel_url=back,
            breadcrumbs=[
                ("Orders", reverse("admin:orders_order_changelist")),
                (order.number, back),
            ],
            error=error,
            can_act=allowed,
        )

    def issue_invoice_view(self, request, object_id):
        order = self._order_for_post(request, object_id)
        if not request.user.has_perm("orders.issue_invoice"):
            raise PermissionDenied
        try:
            invoice = services.invoice_issue(acting_user=request.user, order=order)
        except ValidationError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
        else:
            self.message_user(
                request, (_("Invoice %(number)s issued.") % {"number": invoice.number})
            )
        return self._back(order)

    def render_change_form(self, request, context, add=False, change=False, **kw):
        order = context.get("original")
        if order is not None:
            labels = dict(Order.Status.choices)
            context["status_buttons"] = [
                (status, labels[status])
                for status in sorted(order.allowed_transitions())
                if status not in Order.SERVICE_ONLY
            ]
            context["can_issue_invoice"] = (
                order.status == Order.Status.CONFIRMED
                and request.user.has_perm("orders.issue_invoice")
                and self.has_change_permission(request, order)
            )
            context["can_change_status"] = self.has_change_permission(request, order)
        return super().render_change_form(request, context, add, change, **kw)


def cancel_sections(order: Order) -> list[Section]:
    lines = [
        _("%(quantity)s × %(name)s (%(reference)s), %(price)s each")
        % {
            "quantity": line.quantity,
            "name": line.product.name,
            "reference": line.product.reference,
            "price": money(line.unit_price, line.currency),
        }
        for line in order.lines.select_related("product").order_by("id")
    ]
    payments = list(order.payments.order_by("received_at", "id"))
    received = sum((p.amount for p in payments), Decimal("0"))
    if payments:
        refunds = [
            ngettext(
                "%(count)s payment received, %(amount)s in all: cancelling "
                "refunds nothing. Refund the client through the payment "
                "terminal or provider, then note it on the order.",
                "%(count)s payments received, %(amount)s in all: cancelling "
                "refunds nothing. Refund the client through the payment "
                "terminal or provider, then note it on the order.",
                len(payments),
            )
            % {"count": len(payments), "amount": money(received, order.currency)}
        ]
    else:
        refunds = [_("No payment was received: there is nothing to refund.")]
    return [
        Section(
            heading=_("Lines cancelled"),
            lines=lines or [_("The order has no lines.")],
            note=_("The order stays on the client's record, marked cancelled."),
        ),
        Section(heading=_("Payments and refunds"), lines=refunds),
    ]


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = ["description", "quantity", "unit_price", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, ClientScopedAdmin):
    """Read-only: invoices are issued from orders and never edited."""

    change_form_template = "admin/orders/invoice/change_form.html"
    inlines = [InvoiceLineInline]
    list_display = [
        "number",
        "kind",
        "client",
        "boutique",
        money_column("total", _("total")),
        "issued_at",
        "retention_until",
    ]
    list_select_related = ["client", "boutique"]
    list_filter = ["kind", "boutique", "year"]
    search_fields = ["=number", "=client__client_number"]
    readonly_fields = [
        "number",
        "kind",
        "order",
        "client",
        "credited_invoice",
        "reason",
        "billed_name",
        "billed_address",
        "boutique",
        "currency",
        "total",
        "issued_at",
        "issued_by",
        "legal_obligation",
        "retention_until",
    ]
    fields = readonly_fields

    def get_urls(self):
        return [
            path(
                "<path:object_id>/credit-note/",
                self.admin_site.admin_view(self.credit_note_view),
                name="orders_invoice_credit_note",
            ),
            *super().get_urls(),
        ]

    def credit_note_view(self, request, object_id):
        self.in_scope_or_404(request, object_id)
        if request.method != "POST" or not request.user.has_perm(
            "orders.issue_credit_note"
        ):
            raise PermissionDenied
        invoice = get_object_or_404(self.get_queryset(request), pk=object_id)
        try:
            note = services.credit_note_issue(
                acting_user=request.user,
                invoice=invoice,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
            target = invoice
        else:
            self.message_user(
                request, (_("Credit note %(number)s issued.") % {"number": note.number})
            )
            target = note
        return HttpResponseRedirect(
            reverse("admin:orders_invoice_change", args=[target.pk])
        )

    def render_change_form(self, request, context, add=False, change=False, **kw):
        invoice = context.get("original")
        context["can_issue_credit_note"] = (
            invoice is not None
            and invoice.kind == Invoice.Kind.INVOICE
            and request.user.has_perm("orders.issue_credit_note")
        )
        return super().render_change_form(request, context, add, change, **kw)


@admin.register(Payment)
class PaymentAdmin(ClientScopedAdmin):
    """Payment references; visible only with orders.view_payment."""

    form = PaymentForm
    client_path = "order__client"
    access_action = "view_payment"
    raw_id_fields = ["order"]
    list_display = [
        "order",
        "method",
        money_column("amount", _("amount")),
        "card_brand",
        "card_last4",
        "received_at",
    ]
    list_select_related = ["order"]
    list_filter = ["method", "card_brand"]
    search_fields = ["=order__number"]
    readonly_fields = ["iban_masked", "recorded_by"]

    def get_changeform_initial_data(self, request):
        return {
            "received_at": timezone.now(),
            **super().get_changeform_initial_data(request),
        }

    def has_change_permission(self, request, obj=None):
        # A payment reference is a record of what happened: not edited.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k != "received_at"}
        saved = services.payment_record(
            acting_user=request.user,
            received_at=form.cleaned_data["received_at"],
            **data,
        )
        adopt_saved(obj, saved)


@admin.register(Guarantee)
class GuaranteeAdmin(ReadOnlyAdminMixin, ClientScopedAdmin):
    """Registered when an invoice is issued; read-only here."""

    list_display = [
        "certificate_number",
        "client",
        "product",
        "product_serial",
        "legal_end",
        "house_end",
        "status",
    ]
    list_select_related = ["client", "product"]
    list_filter = ["status"]
    search_fields = ["=certificate_number", "=product_serial"]


@admin.register(AfterSalesCase)
class AfterSalesCaseAdmin(ClientScopedAdmin):
    form = AfterSalesCaseForm
    raw_id_fields = ["client", "guarantee"]
    list_display = [
        "__str__",
        "client",
        "boutique",
        "status",
        "received_at",
        "promised_date",
    ]
    list_select_related = ["client", "boutique"]
    list_filter = ["status", "kind", "boutique"]
    search_fields = ["=client__client_number"]
    readonly_fields = ["received_at", "closed_at", "opened_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "client"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            # A case starts as received, through case_open.
            return [f for f in fields if f not in ("status", *self.readonly_fields)]
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            services.case_save(acting_user=request.user, case=obj)
            return
        data = {k: v for k, v in form.cleaned_data.items() if k != "status"}
        case = services.case_open(acting_user=request.user, **data)
        adopt_saved(obj, case)


@admin.register(Complaint)
class ComplaintAdmin(ClientScopedAdmin):
    form = ComplaintForm
    raw_id_fields = ["client", "order"]
    list_display = [
        "__str__",
        "client",
        "channel",
        "status",
        "received_at",
        "resolved_at",
    ]
    list_select_related = ["client"]
    list_filter = ["status", "category", "channel"]
    search_fields = ["=client__client_number"]
    readonly_fields = ["received_at", "resolved_at", "opened_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "client"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            # A complaint starts open, through complaint_open.
            hidden = ("status", "resolution", *self.readonly_fields)
            return [f for f in fields if f not in hidden]
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            services.complaint_save(acting_user=request.user, complaint=obj)
            return
        complaint = services.complaint_open(
            acting_user=request.user, **form.cleaned_data
        )
        adopt_saved(obj, complaint)
