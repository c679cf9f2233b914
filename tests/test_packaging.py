"""`pip install .` must ship every package, the migrations and the data files."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_python_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    mapping = {"tracker": ROOT / "tracker", "tracker.migrations": ROOT / "migrations", "tracker.forms": ROOT / "forms"}
    found = set()
    for name, top in mapping.items():
        for init in top.rglob("__init__.py"):
            rel = init.parent.relative_to(top)
            if "__pycache__" in rel.parts:
                continue
            found.add(".".join([name, *rel.parts]) if rel.parts else name)
    # tracker/migrations and tracker/forms do not exist in the source tree: they are mapped.
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
