"""A plain, non-editable install carries the rules and the reference inside the package."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import REFERENCE, ROOT


def test_installed_package_checks_the_reference_from_elsewhere(tmp_path) -> None:
    # Built from a copy of what the package is made of: a checkout's build/ directory keeps files that no longer exist.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("checker", "rules", "reference_template"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(source)],
        check=True,
        cwd=tmp_path,
    )
    assert (target / "checker" / "rules" / "SEC002.yaml").is_file()
    assert (target / "checker" / "reference_template" / "order-processing.yaml").is_file()
    check = _cli(target, tmp_path, "check", str(REFERENCE), "--no-cfn-lint")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "compliant" in check.stdout
    assert "BillingMode: PAY_PER_REQUEST" in _cli(target, tmp_path, "explain", "COST001").stdout
    assert (target / "checker" / "reports" / "templates" / "report.html.j2").is_file()  # package data, not a module
    html = _cli(target, tmp_path, "check", str(REFERENCE), "--no-cfn-lint", "--format", "html")
    assert html.returncode == 0, html.stderr
    assert html.stdout.count('data-state="present"') >= 13  # every component, drawn and listed


def _cli(target, cwd, *argv: str) -> subprocess.CompletedProcess:
    """Run the installed copy only: the checkout is neither the working directory nor on the path."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from checker.cli import main; sys.exit(main())", *argv],
        cwd=cwd,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


def test_every_package_of_the_checker_is_installed() -> None:
    """pyproject lists packages by name (two of them come from folders outside checker/): a new folder must join it."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    folders = {".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "checker").rglob("__init__.py")}
    assert folders <= listed
