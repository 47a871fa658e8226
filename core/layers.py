"""The import layers, checked: `python -m core.layers` (a step of `make lint`).

Dependencies point one way (docs/ARCHITECTURE: privacy -> consents, orders
-> clienteling -> core): each app may import only the apps below it. This
reads every .py file of the five apps with `ast` (module-level imports and
those inside functions and classes alike, relative ones resolved, and
`import_module("app.module")` with a literal name) and prints each import
that points upward or sideways, then exits 1. A model named by a string
("clienteling.Client") or reached through apps.get_model() is not an
import and is not reported.

Run from the repository's root; it imports nothing of the project, so it
needs neither settings nor a database.
"""

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

# Each app and the apps it may import (its own modules always).
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "clienteling": frozenset({"core"}),
    "consents": frozenset({"clienteling", "core"}),
    "orders": frozenset({"clienteling", "core"}),
    "privacy": frozenset({"consents", "orders", "clienteling", "core"}),
    # Segments and figures read across the house (decision 0065).
    "segments": frozenset({"privacy", "consents", "orders", "clienteling", "core"}),
}


@dataclass(frozen=True)
class BackEdge:
    path: str
    line: int
    importer: str
    imported: str
    module: str

    def __str__(self) -> str:
        below = ", ".join(sorted(ALLOWED[self.importer])) or "none of the apps"
        return (
            f"{self.path}:{self.line}: {self.importer} imports {self.module} "
            f"({self.imported}); {self.importer} may import {below}"
        )


def _package(path: Path, root: Path) -> list[str]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts[:-1]


def imported_modules(tree: ast.AST, package: list[str]):
    """(line, dotted module name) for every import in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def back_edges(root: Path) -> list[BackEdge]:
    found = []
    for app, below in ALLOWED.items():
        for path in sorted((root / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, module in imported_modules(tree, _package(path, root)):
                top = module.split(".", 1)[0]
                if top in ALLOWED and top != app and top not in below:
                    found.append(
                        BackEdge(str(path.relative_to(root)), line, app, top, module)
                    )
    return found


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0] if argv else ".").resolve()
    missing = [app for app in ALLOWED if not (root / app).is_dir()]
    if missing:
        sys.stderr.write(
            f"No {', '.join(missing)} folder under {root}: "
            "run from the repository's root.\n"
        )
        return 2
    found = back_edges(root)
    for edge in found:
        sys.stderr.write(f"{edge}\n")
    if found:
        sys.stderr.write(
            f"{len(found)} import(s) against the layers (see core/layers.py).\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
