"""The HTML summary: one self-contained page (inline CSS, no network) from a results document."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import jinja2

from numerics import LazyrichError

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _fmt(x) -> str:
    if x is None:
        return "–"
    try:
        return f"{float(x):.2e}"
    except (TypeError, ValueError):
        return str(x)


_ENV.filters["sci"] = _fmt


def render_report(results: dict, out_dir: str | os.PathLike) -> Path:
    """Render ``results`` into ``out_dir/index.html`` and return that path.

    The report is rendered into a temporary directory next to ``out_dir`` and moved into place,
    so an interrupted render never leaves a half-written report over a good one.

    Raises:
        LazyrichError: ``out_dir`` cannot be created or written.
    """
    out = Path(out_dir)
    html = _ENV.get_template("summary.html.j2").render(r=results)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
        (tmp / "index.html").write_text(html, encoding="utf-8")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
            os.replace(out, old / "previous")
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except OSError as exc:
        raise LazyrichError(f"--out {str(out)!r}: cannot write the report there "
                            f"({exc.strerror}). Choose a writable directory.") from None
    return out / "index.html"
