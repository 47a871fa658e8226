"""The client list's rows, built once per column instead of once per cell
(decision 0115).

The admin's `result_list` tag builds every cell through `items_for_result`:
`lookup_field`, `display_for_field` and `format_html` for each of the 50 x 7
cells, then the template loops over every cell. For the column kinds the
client list shows (a plain text field, a foreign key, a date and time, a
decimal; links to the card), what those functions decide depends on the
column only: the cell's tag and classes, how a value is shown, the link.
`lean_result_list` decides it once per column and per page, formats each
value the way `display_for_field` would, and hands the template one string
per row. A page with anything else (a column of another kind, a method or
a property column, choices, list_editable, a popup, to_field) takes the
admin's own path. tests/clienteling/test_client_list_rows.py renders pages
both ways and compares them byte for byte.
"""

from django import template
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    result_list,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

register = template.Library()

_TEXT = (models.CharField, models.TextField)


_KINDS = (
    models.CharField,
    models.TextField,
    models.DateTimeField,
    models.DecimalField,
    models.ForeignKey,
)


def _plain_field(model, name):
    """The model's own concrete field for a list_display entry, or None
    when the admin would take it from somewhere else (a method, a
    property, a lookup across a relation) or show it another way
    (choices, a field class of another kind)."""
    if not isinstance(name, str) or "__" in name:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    plain = (
        field.concrete
        and not field.auto_created
        and not getattr(field, "flatchoices", None)
        # Exact types only: a subclass may display itself differently.
        and type(field) in _KINDS
    )
    return field if plain else None


def _formatter(field, empty):
    """How a cell of this column shows a value: the escaped text
    `items_for_result` would have put in the cell."""
    if isinstance(field, models.ForeignKey):
        name = field.name

        def related(obj):
            value = getattr(obj, name)
            return empty if value is None else conditional_escape(value)

        return related

    attname = field.attname
    if isinstance(field, _TEXT):

        def text(obj):
            value = getattr(obj, attname)
            if value is None or (isinstance(value, str) and value.strip() == ""):
                return empty
            return conditional_escape(str(value))

        return text

    if isinstance(field, models.DateTimeField):

        def moment(obj):
            value = getattr(obj, attname)
            if value in field.empty_values:
                return empty
            return conditional_escape(
                formats.localize(timezone.template_localtime(value))
            )

        return moment

    places = field.decimal_places

    def decimal(obj):
        value = getattr(obj, attname)
        if value in field.empty_values:
            return empty
        return conditional_escape(formats.number_format(value, places))

    return decimal


def _columns(cl):
    """Per column: (opening tag, closing tag, is a link, formatter), or
    None when a column needs the admin's own path."""
    empty = conditional_escape(cl.model_admin.get_empty_value_display())
    links = cl.list_display_links
    columns = []
    first = True
    for name in cl.list_display:
        field = _plain_field(cl.model, name)
        if field is None:
            return None
        if links is None:
            link = False
        elif first and not links:
            link = True
        else:
            link = name in links
        classes = [f"field-{name}"]
        if isinstance(field, models.DateField | models.TimeField | models.ForeignKey):
            classes.append("nowrap")
        tag = "td"
        if link:
            tag = "th" if first else "td"
            first = False
        opening = f'<{tag} class="{" ".join(classes)}">'
        columns.append((opening, f"</{tag}>", link, _formatter(field, empty)))
    return columns


def _link_maker(cl):
    """The href of a row's link, escaped, as `items_for_result` writes it:
    `url_for_result` passed through `add_preserved_filters`."""
    context = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
    row_link = getattr(cl, "card_link_parts", None)
    if row_link is not None:
        # The client list's rows all share one prefix and one query: the
        # admin's re-encoding of the query is done once (decision 0115).
        prefix, query = row_link()
        sample = f"{prefix}0/{query}"
        tail = add_preserved_filters(context, sample).removeprefix(f"{prefix}0/")
        if add_preserved_filters(context, sample) == f"{prefix}0/{tail}":
            prefix, tail = escape(prefix), escape(tail)
            return lambda result: f"{prefix}{int(result.pk)}/{tail}"

    def general(result):
        return escape(add_preserved_filters(context, cl.url_for_result(result)))

    return general


def lean_result_list(cl):
    """`result_list(cl)` with the rows built once per column; the same
    context, and so the same HTML, as the admin's tag."""
    columns = None
    if not (cl.formset or cl.is_popup or cl.to_field):
        columns = _columns(cl)
    if columns is None:
        return result_list(cl)
    context = _headers_only(cl)
    link_of = _link_maker(cl) if any(link for _, _, link, _ in columns) else None
    rows = []
    for result in cl.result_list:
        cells = []
        for opening, closing, link, show in columns:
            shown = show(result)
            if link:
                cells.append(
                    f'{opening}<a href="{link_of(result)}">{shown}</a>{closing}'
                )
            else:
                cells.append(f"{opening}{shown}{closing}")
        # Every piece is escaped above (the formatters, the href) or a
        # constant of this module.
        rows.append(ResultList(None, [mark_safe("".join(cells))]))  # noqa: S308
    context["results"] = rows
    return context


def _headers_only(cl):
    """result_list's context without building the rows it would replace."""
    result_list_rows = cl.result_list
    try:
        cl.result_list = []
        context = result_list(cl)
    finally:
        cl.result_list = result_list_rows
    return context


@register.tag(name="client_result_list")
def client_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=lean_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
