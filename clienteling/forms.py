from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from clienteling import import_uploads
from clienteling.models import ContactEvent
from clienteling.models.contacts import INSTANT_MESSAGING_WARNING
from core import hooks
from core.free_text import LONG_TEXT_MAX_LENGTH


class ContactLogForm(forms.Form):
    """One form to log a contact from the client page."""

    channel = forms.ChoiceField(choices=ContactEvent.Channel.choices)
    direction = forms.ChoiceField(
        choices=ContactEvent.Direction.choices,
        initial=ContactEvent.Direction.OUTBOUND,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", "---------"), *ContactEvent.Outcome.choices],
        required=False,
        help_text=_("Required for a phone call."),
    )
    subject = forms.CharField(max_length=200)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
    )
    occurred_at = forms.DateTimeField(
        required=False,
        help_text=_("Leave empty for now."),
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
        # The metal is encrypted, so no database constraint sees two rows
        # of one save naming the same metal; each row checks only the rows
        # already stored (MetalAllergy.validate_constraints).
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or self._should_delete_form(form):
                continue
            metal = data.get("metal")
            if metal and metal in seen:
                form.add_error("metal", _("This allergy is already recorded."))
            seen.add(metal)


class ContactDetailFormSet(BaseInlineFormSet):
    """One primary at most, and no value twice, across all rows of a save.

    Conditional and expression unique constraints are not checked across
    the forms of one formset by Django: without this, two rows marked
    primary (or "A@x" and "a@x") reach the database and fail there.
    """

    unique_field = ""

    def _kept_forms(self):
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self._should_delete_form(form):
                continue
            yield form

    def clean(self):
        super().clean()
        seen = {}
        for form in self._kept_forms():
            value = form.cleaned_data.get(self.unique_field)
            key = str(value).strip().lower() if value else None
            if key and key in seen:
                form.add_error(
                    self.unique_field, _("This value is already in another row.")
                )
            elif key:
                seen[key] = form
        primaries = [f for f in self._kept_forms() if f.cleaned_data.get("is_primary")]
        if len(primaries) > 1:
            raise forms.ValidationError(_("Mark only one row as primary."))


# The client form's checkbox: "Create anyway" / "Save anyway".
DUPLICATE_CONFIRM_FIELD = "duplicate_confirmed"


class DuplicateCheckedFormSet(ContactDetailFormSet):
    """An email or phone typed (new, or changed) that another live client
    holds stops the save unless the client form's "create anyway" box is
    ticked (decision 0035).

    The rows found are kept in `duplicate_matches` (ClientAdmin names them
    at the top of the form and flags the pair once saved); each row
    concerned gets a short error next to the value. `viewer` (the user,
    given by ClientAdmin.get_formset_kwargs) decides whether the other
    client is named.
    """

    kind = ""

    def __init__(self, *args, viewer=None, **kwargs):
        self.viewer = viewer
        self.duplicate_matches = []
        self.duplicate_confirmed = False
        super().__init__(*args, **kwargs)

    def _typed(self, form) -> str | None:
        """The row's value as stored, when it is new or changed."""
        if form.instance.pk and self.unique_field not in form.changed_data:
            return None
        value = form.cleaned_data.get(self.unique_field)
        if not value:
            return None
        if self.kind == "phone":
            return value.as_e164 if value.is_valid() else None
        return str(value).strip().lower()

    def clean(self):
        super().clean()
        if self.viewer is None:
            return
        typed = {}
        for form in self._kept_forms():
            value = self._typed(form)
            if value:
                typed.setdefault(value, form)
        if not typed:
            return
        from clienteling.selectors import duplicate_matches

        self.duplicate_matches = duplicate_matches(
            user=self.viewer,
            exclude_client_id=self.instance.pk,
            **{f"{self.kind}s": list(typed)},
        )
        self.duplicate_confirmed = forms.CheckboxInput().value_from_datadict(
            self.data, self.files, DUPLICATE_CONFIRM_FIELD
        )
        if self.duplicate_confirmed:
            return
        for value in {match.value for match in self.duplicate_matches}:
            typed[value].add_error(
                self.unique_field,
                _("Another client has it: see the message at the top."),
            )


class EmailFormSet(DuplicateCheckedFormSet):
    unique_field = "address"
    kind = "email"


class PhoneFormSet(DuplicateCheckedFormSet):
    unique_field = "number"
    kind = "phone"


class AddressFormSet(ContactDetailFormSet):
    unique_field = ""


class InvitationAdminForm(forms.ModelForm):
    """Capacity is checked in the form, so an overbooking is sent back."""

    def clean(self):
        from clienteling.services import invitation_capacity_check

        cleaned = super().clean()
        event, status = cleaned.get("event"), cleaned.get("status")
        if event and status:
            previous = self.initial.get("status") if self.instance.pk else None
            invitation_capacity_check(
                event=event, new_status=status, previous_status=previous
            )
        return cleaned


class ClientAdminForm(forms.ModelForm):
    """Advisers must work in the client's home boutique.

    The duplicate box is shown only once an email or phone typed was found
    on another client (ClientAdmin, templates/admin/clienteling/client/
    change_form.html); the check itself is the formsets' (above).
    """

    duplicate_confirmed = forms.BooleanField(
        label=_("Save anyway (they are different people)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields[DUPLICATE_CONFIRM_FIELD].label = _(
                "Create anyway (they are different people)"
            )

    def clean(self):
        cleaned = super().clean()
        boutique = cleaned.get("home_boutique")
        for name in ("primary_adviser", "secondary_adviser"):
            adviser = cleaned.get(name)
            if (
                adviser
                and boutique
                and not adviser.boutiques.filter(pk=boutique.pk).exists()
            ):
                self.add_error(
                    name,
                    (
                        _(
                            "%(adviser)s does not work in "
                            "%(boutique)s, the home boutique."
                        )
                        % {"adviser": adviser, "boutique": boutique}
                    ),
                )
        return cleaned


class ImportUploadForm(forms.Form):
    """The admin's upload step: the file is stored (under a name the server
    draws, clienteling.import_uploads) and checked by a job; refused early
    when too large."""

    what = forms.ChoiceField(
        label=_("The file holds"),
        choices=[
            ("clients", _("Clients (CSV, one client a row)")),
            ("web_events", _("Website activity (JSON Lines, one event a line)")),
        ],
        initial="clients",
        required=False,
    )
    import_file = forms.FileField(label=_("File to import"))

    def clean_what(self):
        return self.cleaned_data.get("what") or "clients"

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = import_uploads.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _(
                    "The file is %(size)s MB; the limit is %(limit)s MB. Split it "
                    "and import each part."
                )
                % {
                    "size": upload.size // (1024 * 1024),
                    "limit": limit // (1024 * 1024),
                }
            )
        return upload


class ImportConfirmForm(forms.Form):
    """The admin's confirm step: the import's number, never a file name."""

    staged_import = forms.IntegerField(widget=forms.HiddenInput(), min_value=1)
