"""The layer order of the packages is a contract that lint-imports checks (pyproject.toml)."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
DOMAINS = (
    "audit",
    "auth",
    "settings",
    "devices",
    "households",
    "labels",
    "loans",
    "vouchers",
    "helpdesk",
    "reports",
    "home",
)

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(ROOT / "pyproject.toml", tree)
    shutil.copytree(
        ROOT / "uitleen",
        tree / "uitleen",
        ignore=shutil.ignore_patterns("__pycache__", "translations", "static", "templates"),
    )
    return tree


def add_to_module(path: Path, code: str) -> None:
    path.write_text(path.read_text() + "\n\n" + code + "\n")


def test_the_tree_keeps_the_layer_order():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "code", "message"),
    [
        # households never imports loans; hidden in a function body it still counts.
        (
            "households/views.py",
            "def _loans():\n    from uitleen.loans import service\n\n    return service",
            "uitleen.households is not allowed to import uitleen.loans",
        ),
        # devices never imports labels.
        (
            "devices/service/__init__.py",
            "from uitleen.labels import render  # noqa",
            "uitleen.devices is not allowed to import uitleen.labels",
        ),
        # A shared module imports no domain package.
        (
            "errors.py",
            "from uitleen.auth import roles  # noqa",
            "uitleen.errors is not allowed to import uitleen.auth",
        ),
    ],
)
def test_a_backward_import_fails_the_check(tmp_path, module, code, message):
    tree = copy_of_the_tree(tmp_path)
    assert lint_imports(tree).returncode == 0  # the copy itself is clean
    add_to_module(tree / "uitleen" / module, code)
    result = lint_imports(tree)
    assert result.returncode != 0
    assert message in result.stdout, result.stdout


def imports_in_functions(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `uitleen.…` import inside a function body."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                    found.append((inner.lineno, inner.module))
                elif isinstance(inner, ast.Import):
                    found += [(inner.lineno, alias.name) for alias in inner.names]
    return found


def test_no_domain_package_imports_another_inside_a_function():
    """Imports at the top, where a reader and the import graph see them.

    create_app and seed-demo (uitleen/__init__.py, uitleen/demo.py) are the wiring and
    may import late; a domain package may import late only from itself.
    """
    hidden = []
    for domain in DOMAINS:
        for path in sorted((ROOT / "uitleen" / domain).rglob("*.py")):
            for line, module in imports_in_functions(path):
                parts = module.split(".")
                if parts[0] == "uitleen" and parts[1:2] != [domain]:
                    hidden.append(f"{path.relative_to(ROOT)}:{line} {module}")
    assert hidden == []


def test_the_function_import_check_sees_a_hidden_import(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("def page():\n    from uitleen.loans.service import reminder\n")
    assert imports_in_functions(module) == [(2, "uitleen.loans.service")]
