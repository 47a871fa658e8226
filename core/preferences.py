"""My preferences: the language a member of staff reads the back office in.

Reachable from the user menu of the admin header; each user changes only
their own row (no permission beyond being signed in to the admin).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.localisation import staff_language


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["language"]
        labels = {"language": _("Language")}
        help_texts = {
            "language": _(
                "Leave blank to follow your browser's language (English when "
                "the browser asks for one the back office does not speak)."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = self.fields["language"].choices
        self.fields["language"].choices = [
            ("", _("Your browser's language")),
            *[(code, name) for code, name in choices if code],
        ]


def my_preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        language = staff_language(user) or translation.get_language_from_request(
            request
        )
        translation.activate(language)
        messages.success(request, _("Your preferences are saved."))
        return HttpResponseRedirect(reverse("staff-preferences"))
    context = {
        **admin.site.each_context(request),
        "title": _("My preferences"),
        "form": form,
    }
    return TemplateResponse(request, "admin/core/preferences.html", context)
