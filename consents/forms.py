from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from clienteling.models import Boutique, Client
from clienteling.models.clients import LANGUAGES
from consents.documents import texts
from consents.documents.languages import ENGLISH, NATIVE_NAMES
from consents.models import FormTemplateVersion, Purpose
from consents.outreach import not_an_outreach_purpose, outreach_purposes
from consents.selectors import OUTREACH_CHANNELS


class IsoDateInput(forms.DateInput):
    """A browser date picker: its value attribute must be YYYY-MM-DD.

    The picker shows the date in the user's locale, but reads only the
    ISO form; a localised value (07/12/2026) leaves it empty.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


_FIELD_FACTORIES = {
    "title": lambda label: forms.ChoiceField(
        label=label, choices=Client.Title.choices, required=False
    ),
    "birth_date": lambda label: forms.DateField(
        label=label, required=False, widget=IsoDateInput()
    ),
    "nationality": lambda label: forms.ChoiceField(
        label=label, choices=[("", "—"), *countries], required=False
    ),
    "country": lambda label: forms.ChoiceField(
        label=label, choices=[("", "—"), *countries], required=False
    ),
    "preferred_language": lambda label: forms.ChoiceField(
        label=label, choices=[("", "—"), *LANGUAGES], required=False
    ),
    "email": lambda label: forms.EmailField(label=label, required=False),
}


class PaperFormCaptureForm(forms.Form):
    """The signed paper form as keyed in; fields come from the version.

    Every field is optional at form level: which ones are compulsory
    depends on the services ticked, and the service decides
    (services.missing_mandatory_fields), so the message is the notice's.
    """

    services = forms.MultipleChoiceField(
        label=_("Services the client asked for"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consents = forms.MultipleChoiceField(
        label=_("Consents ticked by the client"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of the signed form"),
        help_text=_(
            "The language printed on the form: its consent sentences are the "
            "ones recorded."
        ),
    )
    signed_on = forms.DateField(
        label=_("Signature date"),
        required=False,
        widget=IsoDateInput(),
    )
    scan = forms.FileField(
        label=_("Scan of the signed form (PDF, JPEG or PNG)"), required=False
    )

    def __init__(self, *args, version: FormTemplateVersion, boutiques, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.mandatory = {}
        for form_field in version.fields.prefetch_related("mandatory_for"):
            make = _FIELD_FACTORIES.get(
                form_field.key,
                lambda label: forms.CharField(
                    label=label, max_length=200, required=False
                ),
            )
            self.fields[form_field.key] = make(form_field.label)
            self.mandatory[form_field.key] = [
                p.code for p in form_field.mandatory_for.all()
            ]
        self.field_keys = list(self.mandatory)
        self.fields["services"].choices = [
            (p.code, p.display_name) for p in version.services.order_by("display_order")
        ]
        self.fields["consents"].choices = [
            (w.purpose.code, w.text)
            for w in version.wordings.filter(language=ENGLISH)
            .select_related("purpose")
            .order_by("purpose__display_order")
        ]
        languages = sorted(set(version.wordings.values_list("language", flat=True)))
        self.fields["language"].choices = [
            (code, NATIVE_NAMES.get(code, code)) for code in languages
        ]
        if not self.is_bound and not self.initial.get("language"):
            self.initial["language"] = ENGLISH
        self.fields["boutique"] = forms.ModelChoiceField(
            queryset=boutiques, label=_("Boutique"), empty_label=None
        )
        # Field order: boutique, client fields, services, consents, signature.
        order = ["boutique", *self.field_keys, "services", "consents"]
        self.order_fields([*order, "language", "signed_on", "scan"])

    def client_fields(self):
        return [self[key] for key in self.field_keys]

    def values(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in self.field_keys}


class OutreachPurposeField(forms.ModelChoiceField):
    """Offers the outreach purposes only; names why another one is refused."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            other = Purpose.objects.filter(code=value).first()
            if other is None:
                raise
            raise forms.ValidationError(
                not_an_outreach_purpose(other), code="invalid_choice"
            ) from None


class OutreachForm(forms.Form):
    """What an outreach list is for; `boutiques` are the user's own.

    A purpose that is not an outreach purpose of the registry (a contract,
    fraud prevention, allergy-aware service, an inactive purpose) or a
    boutique outside the user's is not a valid choice.
    """

    purpose = OutreachPurposeField(
        queryset=Purpose.objects.none(), to_field_name="code"
    )
    channel = forms.ChoiceField(choices=OUTREACH_CHANNELS.choices)
    boutique = forms.ModelChoiceField(
        queryset=Boutique.objects.none(),
        required=False,
        empty_label=_("All my clients"),
    )

    def __init__(self, *args, boutiques, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].queryset = outreach_purposes()
        self.fields["boutique"].queryset = boutiques


class TabletCaptureForm(forms.Form):
    """The clienteling-tool form the client fills in and signs on a tablet.

    Labels, services and consent sentences are in `language` (the
    client's, consents.documents); as on paper, which fields are
    compulsory depends on the services asked for, and the service decides.
    `signature` is the PNG the signature pad (static/consents/
    signature-pad.js) puts in the file input after each stroke.
    """

    services = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False
    )
    consents = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False
    )
    signature = forms.FileField(required=False)

    def __init__(
        self, *args, version: FormTemplateVersion, language, boutiques, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.version = version
        self.language = language
        module = texts(language.code)
        self.fields["boutique"] = forms.ModelChoiceField(
            queryset=boutiques, label=_("Boutique"), empty_label=None
        )
        self.mandatory = {}
        for form_field in version.fields.prefetch_related("mandatory_for"):
            label = module.FIELD_LABELS.get(form_field.key, form_field.label)
            make = _FIELD_FACTORIES.get(
                form_field.key,
                lambda label: forms.CharField(
                    label=label, max_length=200, required=False
                ),
            )
            self.fields[form_field.key] = make(label)
            self.mandatory[form_field.key] = [
                module.PURPOSES.get(p.code, {}).get("name", p.name)
                for p in form_field.mandatory_for.all()
            ]
        self.field_keys = list(self.mandatory)
        self.fields["services"].choices = [
            (p.code, module.PURPOSES.get(p.code, {}).get("name", p.name))
            for p in version.services.order_by("display_order")
        ]
        self.fields["consents"].choices = [
            (w.purpose.code, w.text)
            for w in version.wordings.filter(language=language.code)
            .select_related("purpose")
            .order_by("purpose__display_order")
        ]
        self.order_fields(
            ["boutique", *self.field_keys, "services", "consents", "signature"]
        )

    def client_fields(self):
        """(bound field, compulsory for: service names) in form order."""
        return [(self[key], self.mandatory[key]) for key in self.field_keys]

    def values(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in self.field_keys}


class ConversationConsentForm(forms.Form):
    """Consent given or withdrawn in a phone call or an email
    (consents.conversations). The wording is the chosen version's, in the
    chosen language: it cannot be typed, only chosen."""

    decision = forms.ChoiceField(
        label=_("The client"),
        choices=[
            ("grant", _("gave consent")),
            ("withdraw", _("withdrew consent")),
        ],
        widget=forms.RadioSelect,
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one purpose the client spoke about."),
            "invalid_choice": _(
                "%(value)s is not a purpose whose consent is recorded here."
            ),
        },
    )
    channel = forms.ChoiceField(
        label=_("How the client told us"),
        choices=[("phone", _("Phone call")), ("email", _("Email"))],
        widget=forms.RadioSelect,
    )
    version = forms.ModelChoiceField(
        label=_("Wording read or sent"),
        queryset=FormTemplateVersion.objects.none(),
        empty_label=None,
        help_text=_(
            "The consent sentences of this form version are the ones read to "
            "the client or sent to them. Choose another version to change them."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the wording"), choices=[])
    reference = forms.CharField(
        label=_("Call id or email reference"),
        required=False,
        max_length=100,
        help_text=_(
            "Phone: the call id from the telephony system (required). Email: "
            "the message id or ticket number, if any."
        ),
    )
    email_copy = forms.FileField(
        label=_("Copy of the email"),
        required=False,
        help_text=_(
            "Email: the client's message or our message they answered, saved "
            "as .eml, .msg, .pdf or .txt (required)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".eml,.msg,.pdf,.txt"}),
    )

    def __init__(self, *args, purposes, versions, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = [(p.code, p.display_name) for p in purposes]
        self.fields["version"].queryset = versions
        self.fields["version"].label_from_instance = str
        self.fields["language"].choices = languages

    def clean(self):
        """The evidence the channel needs, reported with the other errors
        (the service checks it again before writing)."""
        from consents import conversations

        cleaned = super().clean()
        channel = cleaned.get("channel")
        if channel == "phone" and not (cleaned.get("reference") or "").strip():
            self.add_error("reference", conversations.CALL_ID_MISSING)
        if channel == "email":
            try:
                conversations.email_copy_validate(cleaned.get("email_copy"))
            except ValidationError as exc:
                self.add_error("email_copy", exc.message_dict["email_copy"])
        return cleaned
