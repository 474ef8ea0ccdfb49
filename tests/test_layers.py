"""The module graph: every import of ``coverage``, ``ui`` and ``app_pages`` runs down the house, never up.

Layers, lowest first (a module may import its own layer and any lower one, never a higher one;
imports inside functions count too):

0. base: errors, limits, bounds, settings, defaults, quarters, geo, files, jsontext, landmass, highs,
   the store's URL and table declarations
1. data: the bundled data set, loaders, geography, travel models, the scenario document, the data build
2. engine: the engine and the data set value that builds it (``coverage/data.py``)
3. evaluation: evaluation, capacity, budget, charts
4. services: optimize, compare, reports, links, exports, reach
5. workspace, store, sweeps
6. cli
7. ui
8. app_pages and app.py

``python tests/test_layers.py`` prints the graph (modules, their lines and what they import).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS = {
    0: ["coverage.errors", "coverage.limits", "coverage.bounds", "coverage.settings", "coverage.defaults",
        "coverage.quarters", "coverage.geo", "coverage.files", "coverage.jsontext", "coverage.landmass",
        "coverage.highs", "coverage.lazy", "coverage.store.url", "coverage.store.schema"],
    1: ["coverage.dataset", "coverage.loaders", "coverage.geography", "coverage.travel", "coverage.scenario",
        "coverage.build"],
    2: ["coverage.engine", "coverage.data"],
    3: ["coverage.evaluation", "coverage.capacity", "coverage.budget", "coverage.charts"],
    4: ["coverage.optimize", "coverage.compare", "coverage.reports", "coverage.links", "coverage.exports",
        "coverage.reach"],
    5: ["coverage.workspace", "coverage.store", "coverage.sweeps"],
    6: ["coverage.cli", "coverage.__main__", "coverage"],
    7: ["ui"],
    8: ["app_pages", "app"],
}


def layer_of(module: str) -> int:
    """The layer of a module: that of the longest declared prefix."""
    best, found = -1, None
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), layer
    if found is None:
        raise KeyError(f"{module} has no layer: add it to tests/test_layers.py")
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_files() -> list[Path]:
    files = [*ROOT.glob("coverage/**/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("app_pages/*.py"), ROOT / "app.py"]
    return sorted(p for p in files if "migrations" not in p.parts)


def imports(path: Path, typing: bool = True) -> set[str]:
    """Every project module this file imports (at the top or inside a function), as a module name; without
    ``typing``, not those only a type checker reads (``if TYPE_CHECKING:``)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if not typing:
        for block in ast.walk(tree):
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test):
                skipped.update(id(node) for statement in block.body for node in ast.walk(statement))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [n if _is_module(n) else node.module for n in names]
        found.update(n for n in names if n.split(".")[0] in ("coverage", "ui", "app_pages"))
    return found


def _is_module(name: str) -> bool:
    base = ROOT / name.replace(".", "/")
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def graph(typing: bool = True) -> dict[str, set[str]]:
    """Module -> the project modules it imports."""
    return {module_name(path): imports(path, typing) - {module_name(path)} for path in source_files()}


def cycles() -> list[list[str]]:
    """Groups of modules that import each other, round a circle, when the program runs (Tarjan's algorithm)."""
    edges = graph(typing=False)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in edges.get(module, ()):
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in edges:
        if module not in index:
            visit(module)
    return found


def upward_arrows() -> list[str]:
    """``a (layer) -> b (layer)`` for every import of a higher layer."""
    arrows = []
    for module, targets in graph().items():
        for target in sorted(targets):
            if layer_of(target) > layer_of(module):
                arrows.append(f"{module} ({layer_of(module)}) -> {target} ({layer_of(target)})")
    return arrows


def test_every_module_has_a_layer():
    for module, targets in graph().items():
        layer_of(module)
        for target in targets:
            layer_of(target)


def test_no_import_runs_up_the_layers():
    assert upward_arrows() == []


def test_no_import_circles():
    assert cycles() == []


def main() -> None:
    edges = graph()
    for layer, prefixes in LAYERS.items():
        print(f"layer {layer}: {', '.join(prefixes)}")
    print()
    for module in sorted(edges, key=lambda m: (layer_of(m), m)):
        lines = len((ROOT / (module.replace(".", "/") + ".py")).read_text().splitlines()) \
            if (ROOT / (module.replace(".", "/") + ".py")).is_file() else \
            len((ROOT / module.replace(".", "/") / "__init__.py").read_text().splitlines())
        print(f"[{layer_of(module)}] {module} ({lines} lines): {', '.join(sorted(edges[module])) or '-'}")
    arrows = upward_arrows()
    print(f"\n{len(edges)} modules, {sum(len(t) for t in edges.values())} imports, {len(arrows)} upward, "
          f"{len(cycles())} circles")
    for arrow in arrows:
        print("  UP", arrow)


if __name__ == "__main__":
    sys.exit(main())
