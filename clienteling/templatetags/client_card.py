"""The client card's contact form, rendered once per process and language
while it is blank (decision 0117).

Every opening of the card renders the same blank "Log a contact" form: six
fields, three of them selects with their options, each widget through its
own templates (about a tenth of the card's CPU). Blank, its HTML depends on
the form's class, the language and the templates, none of which change
while the process runs; the form action and the CSRF token, which do, stay
outside (contact_form.html). A bound form (the log-contact page showing
errors) is rendered each time.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

FIELDS_TEMPLATE = "admin/clienteling/client/contact_form_fields.html"
_blank: dict = {}


def render_fields(form) -> str:
    return render_to_string(FIELDS_TEMPLATE, {"contact_form": form})


@register.simple_tag
def contact_form_fields(form):
    if form.is_bound or form.initial or form.prefix:
        return mark_safe(render_fields(form))  # noqa: S308 (a template's output)
    key = (type(form), form.auto_id, get_language())
    html = _blank.get(key)
    if html is None:
        html = _blank[key] = render_fields(form)
    return mark_safe(html)  # noqa: S308 (a template's output)
