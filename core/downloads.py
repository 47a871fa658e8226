"""Files the app produces for download: one formula-safe CSV writer, and the
registry of every download.

A spreadsheet opening a CSV runs a cell that begins with `=`, `+`, `-` or
`@` as a formula, and some strip a leading tab or carriage return first:
a client named `=HYPERLINK("http://x","y")` becomes a live link in the
file a manager opens. Every cell of every CSV the app writes therefore
goes through `formula_safe` (by `csv_writer` / `csv_dict_writer`, the only
CSV writers the project uses): such a cell is prefixed with an apostrophe,
which spreadsheets show as text and do not display. Phone numbers in
E.164 (`+33...`) stay as they are: as a formula they are only the number
itself, and outreach lists are read by dialling software.

Machine-readable JSON (the access report's `report.json`, portability
exports, JSON Lines) is not a spreadsheet and keeps every value exactly
as stored; see docs/decisions/0015.

Every download is registered here (`register`), with the code that writes
its file (`sites`); tests/test_downloads.py checks each registered
spreadsheet download comes out inert, and fails when code writes a CSV or
serves a file from a site no registered download names.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_E164 = re.compile(r"\+\d{4,15}")


def formula_safe(value):
    """The value as a cell a spreadsheet will not run as a formula.

    Only text is changed; numbers, dates and None are written as they are.
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _E164.fullmatch(value)
    ):
        return "'" + value
    return value


# RFC 4180's line ending, and the only one: csv quotes a cell holding a
# character of the line terminator, so with "\n" alone a carriage return
# in a name would go out bare and split its row in two when read.
LINE_TERMINATOR = "\r\n"


def _dialect(kwargs: dict) -> dict:
    if kwargs.get("lineterminator", LINE_TERMINATOR) != LINE_TERMINATOR:
        raise ValueError("CSV files end their lines with \\r\\n (LINE_TERMINATOR).")
    return {**kwargs, "lineterminator": LINE_TERMINATOR}


class _FormulaSafeWriter:
    """csv.writer with every cell through formula_safe."""

    def __init__(self, handle, **kwargs):
        self._writer = csv.writer(handle, **_dialect(kwargs))

    @property
    def dialect(self):
        return self._writer.dialect

    def writerow(self, row: Iterable):
        return self._writer.writerow([formula_safe(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)

    def writerows_made_safe(self, rows: Iterable[Iterable]) -> None:
        """Rows whose every cell the caller put through formula_safe (a
        large file's writer works its columns' constant cells out once,
        not once per row: privacy.reports): written as they are."""
        self._writer.writerows(rows)


class _FormulaSafeDictWriter(csv.DictWriter):
    def writeheader(self):
        # The code's own column names, as they are.
        return self.writer.writerow(self.fieldnames)

    def writerow(self, rowdict):
        return super().writerow({k: formula_safe(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts):
        for row in rowdicts:
            self.writerow(row)


def csv_writer(handle, **kwargs) -> _FormulaSafeWriter:
    """The project's CSV writer (same arguments as csv.writer)."""
    return _FormulaSafeWriter(handle, **kwargs)


def csv_dict_writer(handle, fieldnames, **kwargs) -> csv.DictWriter:
    """The project's dict CSV writer (same arguments as csv.DictWriter).

    The header row is the code's own column names and is written as is.
    """
    return _FormulaSafeDictWriter(handle, fieldnames, **_dialect(kwargs))


# --- The registry of downloads -----------------------------------------------


@dataclass(frozen=True)
class Download:
    """A file the app produces for someone to download or receive.

    `sites` are the dotted paths (module.function or module.Class.method)
    of the code that writes the file and of the view that serves it: the
    registry test reads the source for CSV writers and file responses and
    expects every one of them to be named by a download.

    `spreadsheet` is False for files no spreadsheet opens as cells (a PDF,
    a scan, JSON); `not_spreadsheet_because` then says why formulas do not
    apply.
    """

    key: str
    label: str
    sites: tuple[str, ...]
    spreadsheet: bool = True
    not_spreadsheet_because: str = ""


_downloads: dict[str, Download] = {}


def register(download: Download) -> Download:
    """Add a download (idempotent: a module imported twice registers once)."""
    if download.spreadsheet == bool(download.not_spreadsheet_because):
        raise ValueError(
            f"Download {download.key}: a file that is not a spreadsheet says "
            "why, and only such a file."
        )
    known = _downloads.setdefault(download.key, download)
    if known != download:
        raise ValueError(f"Download {download.key} is registered twice.")
    return download


def registered() -> list[Download]:
    """Every registered download, by key."""
    return sorted(_downloads.values(), key=lambda d: d.key)
