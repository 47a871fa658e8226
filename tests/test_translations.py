"""The check that bites: complete catalogues, and no template text untranslated.

(a) Every French catalogue (each app's `locale/` and the project's) has no
fuzzy and no untranslated entry, its compiled .mo says the same as its .po,
and it is up to date with the code: extracting the messages again (into a
copy of the sources) gives the same msgids.
(b) No template under templates/ or <app>/templates/ shows text outside a
translation tag, in its text, in a user-facing attribute (title, alt,
placeholder, aria-label, a button input's value) or in a filter argument
shown as text (default, default_if_none, yesno, add: write _("...")).

Decision 0029. Extraction needs GNU gettext (xgettext), as `make messages`
does: without it that one test skips on a laptop and fails in CI.
"""

import ast
import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

from tests.conftest import require

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    path.relative_to(ROOT)
    for path in ROOT.glob("*/locale/*/LC_MESSAGES/django.po")
    if not path.is_relative_to(ROOT / ".venv")
) + sorted(path.relative_to(ROOT) for path in ROOT.glob("locale/*/LC_MESSAGES/*.po"))
TEMPLATES = sorted(
    path.relative_to(ROOT)
    for pattern in ("templates/**/*.html", "*/templates/**/*.html")
    for path in ROOT.glob(pattern)
    if not path.is_relative_to(ROOT / ".venv")
)
# The sources `make messages` reads, and what it leaves out.
IGNORED = ("--ignore=.venv", "--ignore=tests", "--ignore=bench", "--ignore=var")


# --- (a) catalogues ---------------------------------------------------------


PO_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr list, fuzzy."""
    entries, entry, current = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry and entry["msgid"] is not None:
                entries.append(entry)
            entry, current = None, None
            continue
        if entry is None:
            entry = {"msgid": None, "plural": None, "msgstr": {}, "fuzzy": False}
            entry["ctxt"] = None
        if line.startswith("#,") and "fuzzy" in line:
            entry["fuzzy"] = True
        if line.startswith("#"):
            continue
        keyword = re.match(
            r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line
        )
        if keyword:
            current, value = keyword.group(1), ast.literal_eval(keyword.group(2))
            if current.startswith("msgstr"):
                current = int(current[7:-1]) if "[" in current else 0
                entry["msgstr"][current] = value
            else:
                current = {"msgctxt": "ctxt", "msgid_plural": "plural"}.get(
                    current, current
                )
                entry[current] = value
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(current, int):
                entry["msgstr"][current] += value
            else:
                entry[current] += value
    return [e for e in entries if e["msgid"]]  # the header has msgid ""


def problems_of(path: Path) -> list[str]:
    problems = []
    for entry in read_po(path):
        if entry["fuzzy"]:
            problems.append(f"fuzzy: {entry['msgid'][:70]!r}")
        elif not entry["msgstr"] or not all(entry["msgstr"].values()):
            problems.append(f"untranslated: {entry['msgid'][:70]!r}")
    return problems


def test_the_checks_catch_what_they_are_for(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        'msgid "Save"\nmsgstr "Enregistrer"\n\n'
        '#, fuzzy\nmsgid "Cancel"\nmsgstr "Annuler"\n\n'
        'msgid "Delete"\nmsgstr ""\n\n'
        'msgid "%(n)s row"\nmsgid_plural "%(n)s rows"\n'
        'msgstr[0] "%(n)s ligne"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    template = tmp_path / "page.html"
    template.write_text(
        "{% load i18n %}<h1>{% translate 'Clients' %}</h1> ›\n"
        '<p title="Shown on hover">Log a contact</p>{# a comment #}'
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}"
        '<img alt=""><input type="submit" value="Go">'
        '{{ who|default:"system" }}{{ who|default:_("system") }}'
        '{{ when|date:"DATE_FORMAT" }}{{ done|yesno:"yes,no" }}',
        encoding="utf-8",
    )

    assert problems_of(po) == [
        "fuzzy: 'Cancel'",
        "untranslated: 'Delete'",
        "untranslated: '%(n)s row'",
    ]
    assert untranslated_text(template.read_text()) == [
        'title="Shown on hover"',
        "Log a contact",
        'value="Go"',
        '|default:"system"',
        '|yesno:"yes,no"',
    ]


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=str)
def test_catalogue_is_complete(catalogue):
    problems = problems_of(ROOT / catalogue)

    assert problems == [], f"{catalogue}: {len(problems)} to translate"


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=str)
def test_compiled_catalogue_matches_its_source(catalogue):
    po = ROOT / catalogue
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo.relative_to(ROOT)} is missing: run make messages"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for entry in read_po(po):
        if entry["fuzzy"]:
            continue
        key = (
            entry["msgid"]
            if entry["ctxt"] is None
            else (f"{entry['ctxt']}\x04{entry['msgid']}")
        )
        if entry["plural"] is None:
            if entry["msgstr"].get(0):
                expected[key] = entry["msgstr"][0]
        elif all(entry["msgstr"].values()):
            for index, text in entry["msgstr"].items():
                expected[(key, index)] = text
    compiled = {key: text for key, text in compiled.items() if key != ""}

    assert compiled == expected, f"{mo.relative_to(ROOT)} is stale: run make messages"


def test_catalogues_are_up_to_date_with_the_code(tmp_path):
    require(shutil.which("xgettext") is not None, "GNU gettext (xgettext)")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "var", "node_modules", "*.mo", "__pycache__", ".env"
        ),
    )
    result = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete"]
        + list(IGNORED),
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": "/usr/bin:/bin", "ECRIN_ENVIRONMENT": "test"},
    )
    assert result.returncode == 0, result.stderr[-2000:]

    stale = []
    for catalogue in CATALOGUES:
        # (context, msgid): a pgettext context is part of the message.
        committed = {(e["ctxt"] or "", e["msgid"]) for e in read_po(ROOT / catalogue)}
        extracted = {(e["ctxt"] or "", e["msgid"]) for e in read_po(copy / catalogue)}
        if committed != extracted:
            stale.append(
                f"{catalogue}: {len(extracted - committed)} new, "
                f"{len(committed - extracted)} gone, e.g. "
                f"{sorted(extracted ^ committed)[:3]}"
            )
    assert stale == [], "run make messages, then translate:\n" + "\n".join(stale)


# --- (b) templates ----------------------------------------------------------

ENTITY = re.compile(r"&#?\w+;")
USER_FACING_ATTRIBUTE = re.compile(
    r"""\b(title|alt|placeholder|aria-label)=(["'])([^"']*)\2""", re.IGNORECASE
)
# A filter argument shown as text ({{ x|default:"system" }}); the translated
# form is default:_("system"), which makemessages extracts.
TEXT_FILTER_ARGUMENT = re.compile(
    r"""\|(default|default_if_none|yesno|add):(["'])(.*?)\2"""
)
LANGUAGE_CODE = re.compile(r"^[a-z]{2}(-[a-z]{2,4})?$")  # lang="{{ x|default:'en' }}"
BUTTON_VALUE = re.compile(r"""\bvalue=(["'])([^"']*)\1""", re.IGNORECASE)
OPENING = {"comment", "blocktranslate", "blocktrans", "verbatim"}
CLOSING = {"endcomment", "endblocktranslate", "endblocktrans", "endverbatim"}


def _words(text: str) -> bool:
    return bool(re.search(r"[^\W\d_]", ENTITY.sub("", text).replace("{…}", "")))


def untranslated_text(source: str) -> list[str]:  # noqa: PLR0912 - one lexer walk
    """Text a reader would see that no translation tag covers.

    Template tags and variables are left out: inside an HTML tag only the
    user-facing attributes count, and a translated attribute holds a tag.
    """
    found, depth, in_tag, quote, tag = [], 0, False, None, ""
    in_script = False
    # {% block bodyclass %} holds CSS class names for <body>, not text.
    in_bodyclass = False
    text = ""

    def end_text():
        nonlocal text
        if _words(text) and not in_script:
            found.append(" ".join(text.split()))
        text = ""

    def end_tag(markup: str):
        nonlocal in_script
        lowered = markup.lower()
        if lowered.startswith(("<script", "<style")):
            in_script = True
        elif lowered.startswith(("</script", "</style")):
            in_script = False
        for match in USER_FACING_ATTRIBUTE.finditer(markup):
            if _words(match.group(3)):
                found.append(
                    f"{match.group(1)}={match.group(2)}{match.group(3)}{match.group(2)}"
                )
        if re.match(r"<input\b", lowered) and re.search(
            r"""type=["'](submit|button|reset)["']""", lowered
        ):
            for match in BUTTON_VALUE.finditer(markup):
                if _words(match.group(2)):
                    found.append(f'value="{match.group(2)}"')

    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            depth += name in OPENING
            depth -= name in CLOSING
            if token.contents.split()[:2] == ["block", "bodyclass"]:
                in_bodyclass = True
            elif name == "endblock" and in_bodyclass:
                in_bodyclass = False
        if token.token_type == TokenType.VAR and not (depth or in_script):
            for match in TEXT_FILTER_ARGUMENT.finditer(token.contents):
                if _words(match.group(3)) and not LANGUAGE_CODE.match(match.group(3)):
                    found.append(f'|{match.group(1)}:"{match.group(3)}"')
        if token.token_type != TokenType.TEXT:
            if in_tag:
                tag += "{…}"  # a template tag inside an HTML tag: not text
            elif token.token_type in (TokenType.VAR, TokenType.BLOCK):
                end_text()
            continue
        if depth or in_bodyclass:
            continue
        for char in token.contents:
            if in_tag:
                tag += char
                if quote:
                    quote = None if char == quote else quote
                elif char in "\"'":
                    quote = char
                elif char == ">":
                    in_tag = False
                    end_tag(tag)
            elif char == "<":
                end_text()
                in_tag, tag = True, "<"
            else:
                text += char
    end_text()
    return found


@pytest.mark.parametrize("template", TEMPLATES, ids=str)
def test_template_has_no_text_outside_translation_tags(template):
    found = untranslated_text((ROOT / template).read_text(encoding="utf-8"))

    assert found == [], f"{template}: wrap in translate / blocktranslate: {found}"
