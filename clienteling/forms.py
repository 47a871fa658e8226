from django import forms
from django.forms.models import BaseInlineFormSet

from clienteling import hooks
from clienteling.models import ContactEvent
from clienteling.models.contacts import INSTANT_MESSAGING_WARNING


class ContactLogForm(forms.Form):
    """One form to log a contact from the client page."""

    channel = forms.ChoiceField(choices=ContactEvent.Channel.choices)
    direction = forms.ChoiceField(
        choices=ContactEvent.Direction.choices,
        initial=ContactEvent.Direction.OUTBOUND,
    )
    subject = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    occurred_at = forms.DateTimeField(
        required=False,
        help_text="Leave empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    instant_messaging_warning = INSTANT_MESSAGING_WARNING


class AllergyFormSet(BaseInlineFormSet):
    """Allergy rows may only be added or changed under explicit consent."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            try:
                hooks.check_allergy_allowed(self.instance)
            except forms.ValidationError as exc:
                form.add_error(None, exc)
