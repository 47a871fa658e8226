"""The import layers bite: privacy -> consents, orders -> clienteling -> core.

core.layers reads every .py of the five apps with `ast`; `make lint` runs
it too (`python -m core.layers`).
"""

from pathlib import Path

import pytest

from core import layers

ROOT = Path(__file__).resolve().parent.parent


def test_no_app_imports_an_app_above_it_or_beside_it():
    assert [str(edge) for edge in layers.back_edges(ROOT)] == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for app in layers.ALLOWED:
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "text", "importer", "imported"),
    [
        ("core/a.py", "import clienteling.models\n", "core", "clienteling"),
        ("core/b.py", "from privacy import erasure\n", "core", "privacy"),
        (
            "clienteling/c.py",
            "def f():\n    from consents.models import Purpose\n",
            "clienteling",
            "consents",
        ),
        (
            "clienteling/sub/d.py",
            "class A:\n    def m(self):\n        import orders\n",
            "clienteling",
            "orders",
        ),
        ("consents/e.py", "from orders.models import Order\n", "consents", "orders"),
        ("orders/f.py", "from consents import registry\n", "orders", "consents"),
        (
            "consents/g.py",
            "from privacy.models import Partner\n",
            "consents",
            "privacy",
        ),
        (
            "clienteling/h.py",
            "from importlib import import_module\n"
            "def f():\n    return import_module('privacy.requests')\n",
            "clienteling",
            "privacy",
        ),
    ],
)
def test_a_back_edge_is_found_wherever_the_import_sits(
    tmp_path, name, text, importer, imported
):
    root = _tree(tmp_path, {name: text})

    [edge] = layers.back_edges(root)

    assert (edge.path, edge.importer, edge.imported) == (name, importer, imported)
    assert layers.main([str(root)]) == 1


def test_downward_imports_strings_and_get_model_are_not_back_edges(tmp_path):
    root = _tree(
        tmp_path,
        {
            "privacy/a.py": "from consents import registry\nfrom orders import x\n"
            "from clienteling.models import Client\nfrom core import hooks\n",
            "consents/b.py": "from clienteling import services\nimport core.writes\n",
            "orders/c.py": "from core.models import AccessLogEntry\n",
            "clienteling/d.py": "from core import display\nfrom . import e\n"
            "from .models import Client\n",
            "clienteling/e.py": "from django.apps import apps\n"
            "M = apps.get_model('privacy', 'Partner')\n"
            "client = models.ForeignKey('consents.Purpose', on_delete=None)\n",
            "core/f.py": "from core.jobs import registry\nimport django\n",
        },
    )

    assert layers.back_edges(root) == []
    assert layers.main([str(root)]) == 0


def test_a_relative_import_is_resolved_to_its_app(tmp_path):
    root = _tree(tmp_path, {"core/jobs/a.py": "from ..models import Job\n"})

    assert layers.back_edges(root) == []
