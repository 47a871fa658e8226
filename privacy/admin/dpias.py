"""Impact assessments in the admin: a thin caller of privacy.dpias."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import adopt_saved
from privacy import dpias
from privacy.models import Dpia


class DpiaForm(forms.ModelForm):
    purpose_code = forms.ChoiceField(label=_("purpose"), choices=())

    class Meta:
        model = Dpia
        fields = [
            "purpose_code",
            "processing",
            "necessity",
            "risks",
            "measures",
            "residual_risk",
            "dpo_opinion",
            "review_on",
        ]
        widgets = {"review_on": forms.DateInput(attrs={"type": "date"})}
        error_messages = {
            "review_on": {"required": _("A DPIA needs a review date.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose_code"].choices = dpias.purpose_choices()


@admin.register(Dpia)
class DpiaAdmin(admin.ModelAdmin):
    form = DpiaForm
    list_display = ["__str__", "residual_risk", "review_on", "review_state"]
    list_select_related = ["updated_by"]
    actions = None

    @admin.display(description=_("review"))
    def review_state(self, obj):
        if obj.review_on <= timezone.localdate():
            return _("Due: review it and set the next date")
        return _("Next on %(date)s") % {"date": obj.review_on.strftime("%d/%m/%Y")}

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        adopt_saved(obj, dpias.dpia_save(acting_user=request.user, dpia=obj))
