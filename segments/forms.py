"""Forms of segments: the segment (its checks are services.segment_problems),
the outreach list and the campaign asked for from a segment."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.models import Boutique, ContactPreference, MetalAllergy, User
from clienteling.scoping import sees_every_boutique, visible_boutiques
from consents import outreach
from orders.models import Product
from segments import services
from segments.models import Segment

AMOUNT_FORMAT = _("Write the amount in euros as a number, for example 1500 or 1500.50.")
AMOUNT_FIELDS = (
    "purchase_min_eur",
    "purchase_max_eur",
    "lifetime_value_min_eur",
    "lifetime_value_max_eur",
)


class SegmentForm(forms.ModelForm):
    purchase_category = forms.ChoiceField(
        label=_("Bought a piece of the category"),
        choices=[("", "---------"), *Product.Category.choices],
        required=False,
    )
    purchase_metal = forms.ChoiceField(
        label=_("Bought a piece in the metal"),
        choices=[("", "---------"), *MetalAllergy.Metal.choices],
        required=False,
    )

    class Meta:
        model = Segment
        fields = [
            "name",
            "boutiques",
            "shared",
            *services.criteria_fields(),
        ]
        widgets = {
            "purchased_from": forms.DateInput(attrs={"type": "date"}),
            "purchased_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "boutiques" not in self.fields:  # read-only: nothing to offer
            return
        for name in AMOUNT_FIELDS:
            self.fields[name].error_messages["invalid"] = AMOUNT_FORMAT
            self.fields[name].localize = True
            self.fields[name].widget.is_localized = True
        boutiques = self.fields["boutiques"]
        # Every boutique validates, so a boutique the user does not work in
        # gets services.segment_problems' sentence naming it; only theirs
        # are offered.
        boutiques.queryset = Boutique.objects.all()
        boutiques.widget.choices = [
            (b.pk, b.name) for b in visible_boutiques(user).order_by("name")
        ]
        advisers = User.objects.filter(is_active=True, is_staff=True)
        if not sees_every_boutique(user):
            advisers = advisers.filter(boutiques__in=visible_boutiques(user))
        self.fields["adviser"].queryset = advisers.distinct().order_by(
            "last_name", "first_name", "username"
        )
        self.fields["eligible_purpose"].queryset = outreach.outreach_purposes()

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The instance gets the form's values only after clean().
        proposed = Segment(
            **{
                name: cleaned.get(name)
                for name in services.criteria_fields()
                if name in self.fields
            }
        )
        problems = services.segment_problems(
            segment=proposed,
            boutiques=cleaned.get("boutiques") or [],
            acting_user=self.user,
        )
        for field, message in problems.items():
            self.add_error(None if field == "__all__" else field, message)
        return cleaned


class SegmentOutreachForm(forms.Form):
    purpose = forms.ModelChoiceField(
        label=_("Purpose"), queryset=None, empty_label=None
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=ContactPreference.Channel.choices
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].queryset = outreach.outreach_purposes()


class CampaignForm(forms.Form):
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note for the advisers"),
        max_length=200,
        help_text=_("What each adviser is to do, e.g. “Invite to the spring preview”."),
    )

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        # The service's rule, so the check page never offers what it refuses.
        if problem := services.due_date_problem(due, today=timezone.localdate()):
            raise ValidationError(problem)
        return due

    def apply_refusal(self, exc: ValidationError) -> None:
        """Put a service's refusal on the form's fields."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)
