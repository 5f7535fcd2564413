"""The layers hold: import-linter's contracts (pyproject.toml) and, since it cannot see
names, that only the web layer (and the composition root) reads the request or session."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "configurator"
REQUEST_OR_SESSION = re.compile(
    r"^\s*from flask import [^\n]*\b(request|session)\b|\bflask\.(request|session)\b", re.M
)
# Known readers outside web, each app-wide request plumbing registered by create_app; to be
# moved behind web (issue 14). No new one may join them.
ALLOWED = {
    PACKAGE / path
    for path in (
        "__init__.py",
        "core/identity.py",  # the shopper's id in the signed session cookie
        "core/errors.py",  # JSON or HTML error pages, by the request's Accept
        "core/limits.py",  # rate-limit keys
        "core/public_urls.py",  # absolute URLs from the request's host
        "core/security.py",  # security headers, per request
        "modules/previews/services.py",  # preview URLs relative to the request
    )
}


def test_the_import_contracts_are_kept() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is in the dev extras"
    result = subprocess.run(
        [lint_imports], cwd=PACKAGE.parent, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_the_web_layer_reads_the_request_or_session() -> None:
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in ALLOWED
        and not path.is_relative_to(PACKAGE / "web")
        and REQUEST_OR_SESSION.search(path.read_text())
    ]
    assert offenders == []
