"""Files naming clients: the registry erasure and retention walk.

Every app lists, in its datamap.py beside its models, the places where it
stores files that may name a client (FILE_LOCATIONS of
core.classification.StoredFiles): the folder, how a client's files
are found, and what erasure does to them (delete, rewrite without the
client, or keep under a named obligation). Erasure and retention call
`files_erase` with the clients they remove; `problems` is the system
check's: it refuses a model FileField, and a function of the project that
writes a file, that no location claims. A new place that stores client
files therefore cannot slip past erasure, as a new column cannot slip past
the data map.
"""

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string

from core import data_map
from core.classification import FileErasure, StoredFiles

# Code outside the project apps that still runs in the app's processes.
SCANNED_PACKAGES = ("config",)


def declared() -> dict[str, StoredFiles]:
    """FILE_LOCATIONS of every project app, keyed by code."""
    found: dict[str, StoredFiles] = {}
    for app in settings.PROJECT_APPS:
        if find_spec(f"{app}.datamap"):
            found.update(getattr(import_module(f"{app}.datamap"), "FILE_LOCATIONS", {}))
    return found


@cache
def locations() -> dict[str, StoredFiles]:
    return declared()


def location_root(location: StoredFiles) -> Path:
    return Path(import_string(location.root)())


def files_erase(
    *,
    client_ids: list[int],
    identifiers: Callable[[], list[str]],
    held: set[str] = frozenset(),
) -> dict[str, int]:
    """Run every location's erasure for these clients: files touched per
    location code. A location kept under a hold on its category (scans
    under a hold on identity) is left alone; KEEP locations are skipped."""
    counts = {}
    for code, location in locations().items():
        if location.erasure is FileErasure.KEEP:
            continue
        if location.held_with is not None and location.held_with.value in held:
            continue
        erase = import_string(location.erase)
        counts[code] = erase(client_ids=list(client_ids), identifiers=identifiers)
    return counts


# --- The check ---------------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    """A function of the project that writes files."""

    qualname: str  # module.function or module.Class.method
    line: int
    call: str  # what it calls ("write_bytes", "open('w')")


_WRITE_METHODS = {"write_bytes", "write_text"}
_MOVES = {("os", "replace"), ("os", "rename"), ("shutil", "move")}
_TEMP_FILES = {"mkstemp", "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile"}


def _mode(call: ast.Call, position: int) -> str:
    """The mode argument of an open() call, when a literal."""
    node = next((k.value for k in call.keywords if k.arg == "mode"), None)
    if node is None and len(call.args) > position:
        node = call.args[position]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return "r"


def _writing_call(call: ast.Call) -> str | None:
    """What makes this call write a file, or None."""
    func = call.func
    if isinstance(func, ast.Name):
        checks = [
            ("open(write)", func.id == "open" and _writes(_mode(call, 1))),
            (func.id, func.id in _TEMP_FILES),
        ]
    elif isinstance(func, ast.Attribute):
        name = func.attr
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        checks = [
            (name, name in _WRITE_METHODS),
            (
                ".open(write)",
                name == "open"
                and owner not in ("os", "io")
                and _writes(_mode(call, 0)),
            ),
            (
                f"{owner}.{name}",
                (owner, name) in _MOVES
                or (owner == "shutil" and name.startswith("copy"))
                or (owner == "tempfile" and name in _TEMP_FILES),
            ),
            (".rename", name == "rename" and owner != "os"),
            (
                "storage.save",
                name == "save" and "storage" in _source_of(func.value).lower(),
            ),
        ]
    else:
        checks = []
    return next((what for what, hit in checks if hit), None)


def _source_of(node: ast.AST) -> str:
    """The dotted name of a receiver (`default_storage`, `self.storage`)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _writes(mode: str) -> bool:
    return bool(set(mode) & set("wax+"))


def _functions(tree: ast.Module, module: str) -> Iterator[tuple[str, ast.AST]]:
    """(qualname, node) of each top-level function and method; a nested
    function counts as its enclosing one."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield f"{module}.{node.name}", node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{module}.{node.name}.{item.name}", item
                else:
                    yield f"{module}.{node.name}", item
        else:
            yield module, node


def writers_in_source(source: str, module: str) -> list[Writer]:
    tree = ast.parse(source)
    found = []
    for qualname, node in _functions(tree, module):
        for call in ast.walk(node):
            if isinstance(call, ast.Call):
                what = _writing_call(call)
                if what:
                    found.append(Writer(qualname, call.lineno, what))
    return found


def _modules() -> Iterator[tuple[str, Path]]:
    for package in (*settings.PROJECT_APPS, *SCANNED_PACKAGES):
        root = Path(import_module(package).__file__).parent
        for path in sorted(root.rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts:
                continue
            dotted = ".".join((package, *relative.with_suffix("").parts))
            yield dotted.removesuffix(".__init__"), path


# Text every writing call contains: a module without any is not parsed
# (the check runs with every management command).
_HINTS = (
    "write_",
    "open(",
    "os.replace",
    "os.rename",
    "shutil.",
    "tempfile",
    "rename(",
    "Temporary",
)


def project_writers() -> list[Writer]:
    """Every place in the project's code that writes a file."""
    found = []
    for module, path in _modules():
        source = path.read_text(encoding="utf-8")
        if any(hint in source for hint in _HINTS) or "storage.save" in source:
            found += writers_in_source(source, module)
    return found


def _file_fields() -> list[str]:
    return [
        f"{model._meta.label}.{f.name}"
        for model in data_map.project_models()
        for f in model._meta.get_fields()
        if isinstance(f, models.FileField)
    ]


def problems(writers: list[Writer] | None = None) -> list[tuple[str, str]]:
    """(code, message) for every file writer or FileField no location
    claims, and every registration that points at nothing."""
    found = []
    registered = locations()
    claimed = {w for location in registered.values() for w in location.writers}
    for code, location in registered.items():
        for dotted in (location.root, location.erase, *location.writers):
            if dotted and not _resolves(dotted):
                found.append(
                    ("E011", f"File location {code!r} names {dotted}: no such thing")
                )
    for writer in project_writers() if writers is None else writers:
        if writer.qualname not in claimed:
            found.append(
                (
                    "E012",
                    f"{writer.qualname} writes files ({writer.call}, line "
                    f"{writer.line}) but no FILE_LOCATIONS entry lists it as a writer",
                )
            )
    fields = {f for location in registered.values() for f in location.model_fields}
    for label in _file_fields():
        if label not in fields:
            found.append(
                ("E013", f"{label} stores files but no FILE_LOCATIONS entry lists it")
            )
    return found


def _resolves(dotted: str) -> bool:
    try:
        import_string(dotted)
    except ImportError:
        parent, _, name = dotted.rpartition(".")
        try:
            return hasattr(import_string(parent), name)
        except ImportError:
            return False
    return True
