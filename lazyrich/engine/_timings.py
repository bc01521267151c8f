"""How long each claim took last time, to start the longest first. Only an ordering hint: a
missing, unreadable or edited file changes the order claims start in, never a verdict."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path


def load(root: Path) -> dict[str, float]:
    try:
        data = json.loads((root / "timings.json").read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items()
            if isinstance(v, (int, float)) and math.isfinite(v) and v >= 0}


def save(root: Path, timings: dict[str, float]) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(timings, f, sort_keys=True)
        os.replace(tmp, root / "timings.json")
    except OSError:
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
