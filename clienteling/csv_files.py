"""Uploaded CSV files read as text or as a dataset: every CSV import of the
project (clients, website activity, the group's insights) reads its file
through here, so each refuses the same bad files with the same sentences."""

import codecs
import csv
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import tablib
from django.utils.translation import gettext_lazy as _

from clienteling.exceptions import ImportRefused


class UnreadableFile(ImportRefused):
    """A file refused as a whole while it was read (not CSV, not UTF-8, a
    line too long, a row wider than the header)."""


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
        raise UnreadableFile(_("The file is empty: nothing was imported."))
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARACTERS:
            raise UnreadableFile(
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
        raise UnreadableFile(UNREADABLE) from None


# Bytes read at a time when a stored upload is checked as a stream.
CHUNK_BYTES = 1 << 20

UNREADABLE = _(
    "The file is not readable as CSV: save it as 'CSV UTF-8' (comma "
    "separated) and try again."
)


def check_file(path: Path) -> int:
    """read_text's checks on a stored upload, without holding it: the
    number of lines (an estimate of its rows, for progress), or
    ImportRefused with read_text's own message.

    The file is read by chunks; only when a chunk looks wrong (not UTF-8, a
    line too long, nothing but blanks, a workbook's first bytes) is the
    whole file given to read_text, so the message is always its own.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    suspect = False
    seen_text = False
    lines = 0
    tail = ""
    with open(path, "rb") as handle:
        first = handle.read(CHUNK_BYTES)
        suspect = any(first.startswith(magic) for magic in _NOT_CSV)
        chunk = first
        while chunk and not suspect:
            try:
                text = tail + decoder.decode(chunk)
            except UnicodeDecodeError:
                suspect = True
                break
            parts = text.splitlines(keepends=True)
            # The last part may go on in the next chunk (a "\r" too: "\r\n").
            tail = parts.pop() if parts else ""
            for part in parts:
                lines += 1
                if len(part.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")) > (
                    MAX_LINE_CHARACTERS
                ):
                    suspect = True
                seen_text = seen_text or bool(part.strip())
            if len(tail) > MAX_LINE_CHARACTERS:
                suspect = True
            chunk = handle.read(CHUNK_BYTES)
        if not suspect:
            try:
                tail += decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                suspect = True
            if tail:
                lines += 1
                seen_text = seen_text or bool(tail.strip())
                suspect = suspect or len(tail) > MAX_LINE_CHARACTERS
    if suspect or not seen_text:
        # The exact message, from the whole file (a refused file only).
        read_text(Path(path).read_bytes())
    return lines


@contextmanager
def open_rows(path: Path) -> Iterator[tuple[list[str], Iterator[list[str]]]]:
    """A checked upload (check_file) as its header and an iterator of its
    rows, read as read_dataset reads them: blank lines skipped, short rows
    padded with "", a longer row or a CSV error refusing the file with the
    same message."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            headers = next(reader, None)
        except csv.Error:
            raise UnreadableFile(UNREADABLE) from None
        yield (headers or []), _rows(reader, len(headers or []))


def _rows(reader, width: int) -> Iterator[list[str]]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            logger.warning("Unreadable import file", exc_info=True)
            raise UnreadableFile(UNREADABLE) from None
        if not row:
            continue
        if len(row) < width:
            row += [""] * (width - len(row))
        elif len(row) > width:
            raise UnreadableFile(UNREADABLE)
        yield row


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    for magic, kind in _NOT_CSV.items():
        if data.startswith(magic):
            raise UnreadableFile(
                _(
                    "The file is %(kind)s, not a CSV: save it as 'CSV UTF-8' and try "
                    "again."
                )
                % {"kind": kind}
            )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            _(
                "The file is not UTF-8 text (byte 0x%(byte)s at position "
                "%(start)s): save it as 'CSV UTF-8' and try again."
            )
            % {"byte": format(data[exc.start], "02x"), "start": exc.start}
        ) from None
