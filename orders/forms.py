"""Admin forms: parse input and run the rules that must send the user back."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clienteling.models import MetalAllergy
from core import hooks
from core.payment_numbers import iban_mask
from orders import selectors
from orders.models import AfterSalesCase, Complaint, Order, Payment, Product


class ProductForm(forms.ModelForm):
    metals = forms.MultipleChoiceField(
        choices=MetalAllergy.Metal.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Every metal in the piece, plating included: the allergy "
            "warning checks these."
        ),
    )

    class Meta:
        model = Product
        fields = [
            "reference",
            "name",
            "collection",
            "category",
            "metals",
            "stones",
            "price",
            "currency",
            "is_active",
        ]


class OrderForm(forms.ModelForm):
    allergy_discussed = forms.BooleanField(
        required=False,
        label=_("I have discussed this with the client"),
        help_text=_(
            "Required to save when a piece contains a metal the client "
            "is recorded as allergic to."
        ),
    )

    class Meta:
        model = Order
        fields = [
            "client",
            "channel",
            "boutique",
            "currency",
            "notes",
            "marketing_email",
        ]

    def clean(self):
        cleaned = super().clean()
        # Read by the lines formset, which validates after this form.
        self.instance._allergy_discussed = cleaned.get("allergy_discussed", False)
        return cleaned


class OrderLineFormSet(forms.BaseInlineFormSet):
    """Lines of an order; refuses an unconfirmed allergy conflict."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        self.allergy_acknowledged = False
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        order = self.instance
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("product")
        ]
        if not order.client_id:
            return
        conflicts = selectors.allergy_conflicts(
            client_id=order.client_id,
            products=[form.cleaned_data["product"] for form in kept],
        )
        lines_changed = any(form.has_changed() for form in self.forms)
        already = order.pk and order.allergy_acknowledged_at and not lines_changed
        ticked = getattr(order, "_allergy_discussed", False)
        if conflicts and not (ticked or already):
            if self.user is not None and self.user.has_perm(
                selectors.ALLERGY_PERMISSION
            ):
                # The detailed warning shows health data.
                hooks.record_access(
                    user=self.user,
                    action="view_health",
                    target=MetalAllergy,
                    object_id=order.client_id,
                )
            raise ValidationError(
                selectors.allergy_warning(user=self.user, conflicts=conflicts),
                code="allergy_unacknowledged",
            )
        self.allergy_acknowledged = bool(conflicts) and bool(ticked or already)


class PaymentForm(forms.ModelForm):
    iban = forms.CharField(
        required=False,
        label=_("IBAN"),
        help_text=_(
            "For a transfer: only the country code and the last four "
            "characters are kept."
        ),
    )

    class Meta:
        model = Payment
        fields = [
            "order",
            "method",
            "amount",
            "currency",
            "provider_reference",
            "card_brand",
            "card_last4",
            "card_expiry_month",
            "card_expiry_year",
            "received_at",
        ]

    def clean_iban(self):
        value = self.cleaned_data["iban"].strip()
        if value:
            # Only the masked form goes any further than this form.
            self.instance.iban_masked = iban_mask(value)
        return value


class _TransitionForm(forms.ModelForm):
    """A status change is checked against the model's TRANSITIONS table."""

    def clean_status(self):
        status = self.cleaned_data["status"]
        model = self._meta.model
        previous = self.initial.get("status")
        if self.instance.pk and status != previous:
            allowed = model.TRANSITIONS[previous]
            if status not in allowed:
                labels = dict(model.Status.choices)
                raise ValidationError(
                    _(
                        "This cannot go from %(current)s to "
                        "%(target)s (allowed: %(allowed)s)."
                    )
                    % {
                        "current": labels[previous].lower(),
                        "target": labels[status].lower(),
                        "allowed": ", ".join(sorted(str(labels[s]) for s in allowed))
                        or "none",
                    }
                )
        return status


class AfterSalesCaseForm(_TransitionForm):
    class Meta:
        model = AfterSalesCase
        fields = [
            "client",
            "boutique",
            "kind",
            "guarantee",
            "piece_description",
            "intake_notes",
            "promised_date",
            "status",
        ]


class ComplaintForm(_TransitionForm):
    class Meta:
        model = Complaint
        fields = [
            "client",
            "boutique",
            "order",
            "channel",
            "category",
            "description",
            "status",
            "resolution",
        ]
