"""Load the authors' own closed-form class from a clone of their repository, to time it here.

Dominé et al. point to the code of Nicolas Anguita's thesis (github.com/Nico31415/
LinearNetworkDynamics): ``qqt_lambda_balanced.py`` defines ``QQT_lambda_balanced``, built once
from (W1, W2, X, Y) and then stepped in time with ``forward(learning_rate)`` (evaluates QQᵀ at
t = k·learning_rate, k = 0, 1, ...).  Nothing of it is copied here: the file is read from the
clone given on the command line and executed as it is; the modules it imports only for plotting
and for its own tests (seaborn, tools, utils, linear_network) are replaced by empty stand-ins.

Usage: ``load(path)`` with ``path`` a checkout or a bare git directory of that repository.
"""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import numpy as np

FILE = "qqt_lambda_balanced.py"
CLASS = "QQT_lambda_balanced"


def _source(path: Path) -> str:
    if (path / FILE).is_file():
        return (path / FILE).read_text()
    out = subprocess.run(["git", "--git-dir", str(path), "show", f"HEAD:{FILE}"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        out = subprocess.run(["git", "-C", str(path), "show", f"HEAD:{FILE}"],
                             capture_output=True, text=True)
    if out.returncode != 0:
        raise FileNotFoundError(f"{FILE} not found in {path} (a checkout or git directory of "
                                f"github.com/Nico31415/LinearNetworkDynamics)")
    return out.stdout


def load(path) -> type:
    """The authors' QQT_lambda_balanced class, executed from their file."""
    stand_ins = {"seaborn": {}, "tools": {"BlindColours": object},
                 "utils": {"get_lambda_balanced": None, "get_random_regression_task": None},
                 "linear_network": {"LinearNetwork": object}}
    saved = {}
    for name, attrs in stand_ins.items():
        saved[name] = sys.modules.get(name)
        if saved[name] is None:
            mod = types.ModuleType(name)
            mod.__dict__.update(attrs)
            sys.modules[name] = mod
    try:
        mod = types.ModuleType("authors_qqt_lambda_balanced")
        exec(compile(_source(Path(path)), FILE, "exec"), mod.__dict__)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
    return getattr(mod, CLASS)


def construct(cls, W1, W2, sigma_yx):
    """An instance for whitened inputs: X = √N_i·I (rows = samples), Y = √N_i·Σyxᵀ, so that
    their Σyx = YᵀX/P is ours."""
    n_i = W1.shape[1]
    X = np.sqrt(n_i) * np.eye(n_i)
    Y = np.sqrt(n_i) * np.asarray(sigma_yx).T
    return cls(W1.copy(), W2.copy(), X, Y)
