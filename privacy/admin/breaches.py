"""The breach register in the admin: thin callers of privacy.breaches.

Compliance records a breach (the add form, which also finds the affected
clients by a query), then works on its page: the 72-hour clock, the facts,
the clients counted, the risk assessment that decides who is told, the
CNIL notification text and the letters to the people in their language,
and the notifications made. Nothing is edited: each step adds a row.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from clienteling.models import Boutique
from core.admin_mixins import adopt_saved
from privacy import breaches
from privacy.models import Breach, BreachAssessment, BreachNotification

FACTS = [
    "title",
    "occurred_at",
    "aware_at",
    "nature",
    "description",
    "data_categories",
    "people_categories",
    "approx_people",
    "approx_records",
    "consequences",
    "measures_taken",
    "measures_proposed",
]
QUERY = ["boutique_codes", "created_from", "created_to", "category", "client_numbers"]


class _Moment(forms.DateTimeField):
    widget = forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
    )


class _Capitalised:
    """Labels as the admin writes them ("Occurred at"), whatever their msgid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)


def _apply(form, exc: ValidationError) -> None:
    """The service's refusal, field by field, onto the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class BreachForm(_Capitalised, forms.ModelForm):
    occurred_at = _Moment(label=_("occurred at"))
    aware_at = _Moment(
        label=_("the house became aware at"),
        help_text=_("The 72-hour clock of Art. 33 runs from this moment."),
    )
    data_categories = forms.MultipleChoiceField(
        label=_("categories of data"),
        choices=breaches.DATA_CATEGORIES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    people_categories = forms.MultipleChoiceField(
        label=_("categories of people"),
        choices=Breach.PEOPLE,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    boutique_codes = forms.ModelMultipleChoiceField(
        label=_("affected clients: home boutique"),
        queryset=Boutique.objects.order_by("name"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    created_from = forms.DateField(
        label=_("affected clients: recorded from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = forms.DateField(
        label=_("affected clients: recorded until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    category = forms.ChoiceField(
        label=_("affected clients: holding data of"),
        choices=[("", "—"), *breaches.DATA_CATEGORIES],
        required=False,
    )
    client_numbers = forms.CharField(
        label=_("affected clients: client numbers"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by spaces, commas or new lines."),
    )

    class Meta:
        model = Breach
        fields = FACTS

    def query(self) -> dict:
        data = self.cleaned_data
        return {
            "boutique_codes": [b.code for b in data.get("boutique_codes") or []],
            "created_from": data.get("created_from"),
            "created_to": data.get("created_to"),
            "category": data.get("category") or "",
            "client_numbers": [
                n for n in re.split(r"[\s,;]+", data.get("client_numbers") or "") if n
            ],
        }

    def facts(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in FACTS}

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                breaches.breach_check(query=self.query(), **self.facts())
            except ValidationError as exc:
                _apply(self, exc)
        return cleaned


class AssessForm(_Capitalised, forms.Form):
    risk = forms.ChoiceField(
        label=_("risk"),
        choices=BreachAssessment.Risk.choices,
        widget=forms.RadioSelect,
    )
    reasoning = forms.CharField(
        label=_("reasoning"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    reasons_not_notified = forms.CharField(
        label=_("reasons for not notifying"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required when the CNIL is not notified; for a high risk, a reason "
            "of Art. 34(3) means the people are not told."
        ),
    )


class NotifyForm(_Capitalised, forms.Form):
    to = forms.ChoiceField(label=_("to"), choices=BreachNotification.To.choices)
    notified_at = _Moment(label=_("notified at"))
    reference = forms.CharField(label=_("reference"), max_length=100, required=False)
    delay_reason = forms.CharField(
        label=_("reason for the delay"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a notification to the CNIL after 72 hours."),
    )


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    form = BreachForm
    list_display = ["__str__", "aware_at", "nature", "clients_found", "clock"]
    list_select_related = ["recorded_by"]
    actions = None
    fieldsets = [
        (None, {"fields": FACTS}),
        (
            _("Affected clients (counted and recorded as ids, nothing copied)"),
            {"fields": QUERY},
        ),
    ]

    @admin.display(description=_("72-hour clock"))
    def clock(self, obj):
        return breaches.breach_clock(obj).sentence

    def has_change_permission(self, request, obj=None):
        return False  # append-only: new facts are new rows

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = breaches.breach_record(
            acting_user=request.user, query=form.query(), **form.facts()
        )
        adopt_saved(obj, saved)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/assess/",
                self.admin_site.admin_view(self.assess_view),
                name="privacy_breach_assess",
            ),
            path(
                "<path:object_id>/notify/",
                self.admin_site.admin_view(self.notify_view),
                name="privacy_breach_notify",
            ),
            path(
                "<path:object_id>/letters/send/",
                self.admin_site.admin_view(self.send_letters_view),
                name="privacy_breach_send_letters",
            ),
            path(
                "<path:object_id>/letters/<str:language>/pdf/",
                self.admin_site.admin_view(self.letter_pdf_view),
                name="privacy_breach_letter_pdf",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            raise PermissionDenied  # append-only: assess or notify instead
        return self._page(request, object_id)

    def _breach(self, request, object_id) -> Breach:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Breach, pk=object_id)

    def _page(self, request, object_id, *, assess=None, notify=None, status=200):
        breach = self._breach(request, object_id)
        can_add = self.has_add_permission(request)
        return TemplateResponse(
            request,
            "privacy/breaches/breach.html",
            {
                **self.admin_site.each_context(request),
                "title": str(breach),
                "opts": self.opts,
                "breach": breach,
                "clock": breaches.breach_clock(breach),
                "categories": [
                    breaches.CATEGORY_LABELS.get(c, c) for c in breach.data_categories
                ],
                "people": [
                    dict(Breach.PEOPLE).get(p, p) for p in breach.people_categories
                ],
                "assessment": breaches.latest_assessment(breach),
                "assessments": breach.assessments.select_related("assessed_by"),
                "notifications": breach.notifications.select_related("recorded_by"),
                "alerts": breach.alerts.all(),
                "cnil_text": breaches.cnil_notification_text(breach),
                "letters": breaches.people_letters(breach),
                "letter_counts": breaches.letter_counts(breach),
                # Once told, the button goes (the service refuses anyway).
                "people_told": breach.notifications.filter(
                    to=BreachNotification.To.PEOPLE
                ).exists(),
                "can_add": can_add,
                "assess_form": assess or AssessForm(),
                "notify_form": notify or NotifyForm(),
            },
            status=status,
        )

    def assess_view(self, request, object_id):
        breach = self._breach(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:privacy_breach_change", breach.pk)
        form = AssessForm(request.POST)
        if form.is_valid():
            try:
                breaches.breach_assess(
                    acting_user=request.user, breach=breach, **form.cleaned_data
                )
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Risk assessment recorded."))
                return redirect("admin:privacy_breach_change", breach.pk)
        return self._page(request, object_id, assess=form, status=400)

    def notify_view(self, request, object_id):
        breach = self._breach(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:privacy_breach_change", breach.pk)
        form = NotifyForm(request.POST)
        if form.is_valid():
            try:
                breaches.breach_notify(
                    acting_user=request.user, breach=breach, **form.cleaned_data
                )
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Notification recorded."))
                return redirect("admin:privacy_breach_change", breach.pk)
        return self._page(request, object_id, notify=form, status=400)

    def send_letters_view(self, request, object_id):
        breach = self._breach(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:privacy_breach_change", breach.pk)
        try:
            breaches.breach_letters_start(acting_user=request.user, breach=breach)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _(
                    "The letters are being emailed by a job: follow it on the "
                    "jobs page. The clients without an email address get the "
                    "PDF by post."
                ),
            )
        return redirect("admin:privacy_breach_change", breach.pk)

    def letter_pdf_view(self, request, object_id, language):
        breach = self._breach(request, object_id)
        letter = next(
            (x for x in breaches.people_letters(breach) if x.language == language),
            None,
        )
        if letter is None:
            raise Http404(_("No affected client reads this language."))
        response = HttpResponse(
            breaches.breach_letter_pdf(breach, letter), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="breach-{breach.pk}-letter-{language}.pdf"'
        )
        return response
