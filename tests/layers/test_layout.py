"""The package layout along the data flow: each sub-package imports only from those before it, so a
newcomer can read layers/ left to right (catalog -> plans -> store -> analysis / imports -> views ->
render -> exports -> jobs), and geo/ never imports layers/. Imports read the bureaus' files and commit
through the store, so they come after it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ORDER = {"catalog": 0, "plans": 1, "store": 2, "accounts": 2, "analysis": 3, "imports": 3, "edits": 3, "views": 4, "render": 5, "exports": 6, "jobs": 7}
IMPORT = re.compile(r"^\s*(?:from|import) layers\.(\w+)", re.M)


def test_every_module_of_layers_lives_in_a_sub_package_named_in_the_flow() -> None:
    loose = sorted(p.name for p in (ROOT / "layers").glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert loose == []
    packages = sorted(p.name for p in (ROOT / "layers").iterdir() if (p / "__init__.py").exists())
    assert packages == sorted(ORDER)


def test_dependencies_point_one_way() -> None:
    wrong = []
    for f in sorted((ROOT / "layers").rglob("*.py")):
        parts = f.relative_to(ROOT).parts
        if len(parts) < 3:
            continue
        for other in IMPORT.findall(f.read_text(encoding="utf-8")):
            if ORDER.get(other, -1) > ORDER[parts[1]]:
                wrong.append(f"{'/'.join(parts)} imports layers.{other}")
    assert wrong == []


def test_geo_never_imports_layers() -> None:
    assert [f.name for f in (ROOT / "geo").glob("*.py") if re.search(r"^\s*(from|import) layers", f.read_text(encoding="utf-8"), re.M)] == []


def test_browser_code_and_styles_are_real_files() -> None:
    render = ROOT / "layers" / "render"
    assert (render / "onemap.js").stat().st_size > 1000 and (render / "onemap.css").stat().st_size > 100
    source = (render / "webmap.py").read_text(encoding="utf-8")
    assert "onemap.css" in source and "onemap.js" in source and not re.search(r"\{\s*(position|display|font-size)\s*:", source)


def test_every_error_class_belongs_to_the_one_hierarchy_of_geo_errors() -> None:
    """Errors that cross an edge are the classes of geo/errors.py or their subclasses, defined next to
    the one edge that raises them; a new family of errors goes into geo/errors.py."""
    import geo.errors

    family = {n for n, v in vars(geo.errors).items() if isinstance(v, type) and issubclass(v, geo.errors.GeoError)}
    outside = []
    for f in sorted([*(ROOT / "layers").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]):
        for name, bases in re.findall(r"^class (\w+)\(([^)]*)\):", f.read_text(encoding="utf-8"), re.M):
            if name.endswith(("Error", "Refused")) and not family & {b.strip() for b in bases.split(",")}:
                outside.append(f"{f.relative_to(ROOT)}: {name}({bases})")
    assert outside == []


def test_print_maps_never_import_the_web_renderer() -> None:
    """The PNG/PDF sheets and the atlas draw from the layer specs, not from the Leaflet renderer (only
    the single-file HTML export embeds it)."""
    printed = ("printmap.py", "sheet.py", "atlas.py")
    assert [f for f in printed if re.search(r"^\s*(from|import) layers\.render", (ROOT / "layers" / "exports" / f).read_text(encoding="utf-8"), re.M)] == []
