"""The package installs as a user installs it: ``pip install .`` gives the engine, its data and ``rural-coverage``.

A wheel is built from this checkout and unpacked into a folder of its own; the command line
then runs from a folder that is not the checkout, so nothing can come from the repository
by accident (the bundled data set must travel inside the package).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "plains_pilot.json"


def _subpackages() -> set[str]:
    """Every folder of ``coverage/`` that holds Python files, as a dotted package name."""
    found = set()
    for path in (ROOT / "coverage").rglob("*.py"):
        if "__pycache__" not in path.parts:
            found.add(".".join(path.parent.relative_to(ROOT).parts))
    return found


def test_every_subpackage_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    assert _subpackages() <= listed, f"add to pyproject.toml's packages: {sorted(_subpackages() - listed)}"
    assert config["project"]["scripts"]["rural-coverage"] == "coverage.cli:main"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel built from this checkout, unpacked with pip into a folder (dependencies from this environment)."""
    folder = tmp_path_factory.mktemp("install")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
                            str(folder / "wheel"), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next((folder / "wheel").glob("rural_coverage-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("coverage/bundled/communities.csv", "coverage/bundled/states.geojson",
                     "coverage/store/migrations/script.py.mako", "coverage/store/migrations/env.py"):
        assert required in names, required
    target = folder / "site"
    unpacked = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                               str(target), str(wheel)], capture_output=True, text=True, timeout=600)
    assert unpacked.returncode == 0, unpacked.stderr
    return target


def test_the_installed_package_runs_outside_the_checkout(installed, tmp_path):
    environment = {**os.environ, "PYTHONPATH": str(installed)}
    shutil.copy(EXAMPLE, tmp_path / "plan.json")
    where = subprocess.run([sys.executable, "-c", "import coverage, coverage.dataset as d; "
                            "print(coverage.__file__); print(d.DATA_DIR)"],
                           cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120)
    assert where.returncode == 0, where.stderr
    module, data = where.stdout.split()
    assert Path(module).is_relative_to(installed) and Path(data) == installed / "coverage" / "bundled"
    result = subprocess.run([sys.executable, "-m", "coverage", "evaluate", "plan.json", "--json"],
                            cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    from_checkout = subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(EXAMPLE), "--json"],
                                   cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert json.loads(result.stdout)["population"] == json.loads(from_checkout.stdout)["population"]


def test_the_console_script_is_the_command_line():
    script = Path(sys.executable).parent / "rural-coverage"
    assert script.exists(), "make installs the package (pip install --editable .), which makes rural-coverage"
    result = subprocess.run([str(script), "evaluate", str(EXAMPLE), "--json"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["communities"]["same_day"] == 13
