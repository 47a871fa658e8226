"""Uploaded CSV files read as text or as a dataset: every CSV import of the
project (clients, website activity, the group's insights) reads its file
through here, so each refuses the same bad files with the same sentences."""

import logging

import tablib
from django.utils.translation import gettext_lazy as _

from clienteling.exceptions import ImportRefused

logger = logging.getLogger(__name__)

# A line longer than this is not a client row: csv would refuse it with
# its own "field larger than field limit", after reading it whole.
MAX_LINE_CHARACTERS = 10_000
# The first bytes of files that are often chosen instead of a CSV.
_NOT_CSV = {
    b"PK\x03\x04": _("a spreadsheet workbook (XLSX or ODS)"),
    b"\xd0\xcf\x11\xe0": _("an Excel 97-2003 workbook (XLS)"),
    b"%PDF": _("a PDF"),
}


def read_text(data: bytes | str) -> str:
    """An uploaded CSV as text, or ImportRefused saying why it is not one:
    empty, a workbook or PDF, not UTF-8, or a line too long to be a row.
    Every CSV import of the project reads its file through here."""
    text = _decode(data)
    if not text.strip():
        raise ImportRefused(_("The file is empty: nothing was imported."))
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARACTERS:
            raise ImportRefused(
                _(
                    "Line %(number)s is %(count)s characters long; the limit is "
                    "%(max_line_characters)s. Check that the file is the expected CSV."
                )
                % {
                    "number": number,
                    "count": format(len(line), ","),
                    "max_line_characters": format(MAX_LINE_CHARACTERS, ","),
                }
            )
    return text


def read_dataset(data: bytes | str) -> tablib.Dataset:
    """The CSV as a dataset, or ImportRefused naming why it is unreadable."""
    text = read_text(data)
    try:
        return tablib.Dataset().load(text, format="csv")
    except Exception:  # noqa: BLE001 - tablib raises several types
        logger.warning("Unreadable import file", exc_info=True)
        raise ImportRefused(
            _(
                "The file is not readable as CSV: save it as 'CSV UTF-8' (comma "
                "separated) and try again."
            )
        ) from None


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    for magic, kind in _NOT_CSV.items():
        if data.startswith(magic):
            raise ImportRefused(
                _(
                    "The file is %(kind)s, not a CSV: save it as 'CSV UTF-8' and try "
                    "again."
                )
                % {"kind": kind}
            )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            _(
                "The file is not UTF-8 text (byte 0x%(byte)s at position "
                "%(start)s): save it as 'CSV UTF-8' and try again."
            )
            % {"byte": format(data[exc.start], "02x"), "start": exc.start}
        ) from None
