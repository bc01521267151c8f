"""How formulas and derivation steps are laid out, for both outputs.

A long formula is cut at its top-level separators (``;\\ ``, ``,\\ ``, ``\\quad``) and, where a
piece is still long, before its relation signs, so that it wraps like text instead of running
off the page or being shrunk to a line. A derivation step shows its relation (``=``, ``<``,
``≤``, ``→``, ...) and, when it has one, the display form its author chose, with the checked
form kept one click away; a step whose sides are big matrices is shown entry by entry, the
first few at once and all of them behind "show all".
"""

from __future__ import annotations

from functools import lru_cache

from . import _tex

LONG = 90            # source characters above which a formula is cut into pieces
BIG_STEP = 500       # source characters above which a matrix step is shown by entry
HUGE = 700           # source characters above which an expression is shown as linear text
FIRST_ENTRIES = 4    # entries shown before "show all"


@lru_cache(maxsize=4096)
def width(latex: str) -> int:
    """A rough typeset width of ``latex`` in characters (for packing lines)."""
    def w(rs):
        n = 0.0
        for r in rs:
            if r[0] == "text":
                n += len(r[1])
            else:
                n += 0.7 * w(r[1])
        return n
    return int(w(_tex.latex_to_runs(latex)) + 0.5)


@lru_cache(maxsize=4096)
def chunks(latex: str | None) -> tuple[str, ...]:
    """``latex`` cut into pieces that typeset one after the other (one piece if short)."""
    if not latex:
        return ()
    if len(latex) <= LONG:
        return (latex,)
    out: list[str] = []
    for piece in _tex.split_top(latex, relations=False):
        if len(piece) <= LONG:
            out.append(piece)
            continue
        cur = ""
        for part in _tex.split_top(piece, relations=True):  # cut before relations, then
            if cur and len(cur) + len(part) > LONG:          # put short parts back together
                out.append(cur)
                cur = part
            else:
                cur = f"{cur} {part}" if cur else part
        if cur:
            out.append(cur)
    return tuple(p for p in out if p.strip()) or (latex,)


def lines(latex: str | None, max_width: int = 78) -> list[str]:
    """The pieces of ``latex`` packed into lines of at most ``max_width`` characters (PDF)."""
    out: list[str] = []
    cur: list[str] = []
    cur_w = 0
    for piece in chunks(latex):
        pw = width(piece)
        if cur and cur_w + pw > max_width:
            out.append(" ".join(cur))
            cur, cur_w = [], 0
        cur.append(piece)
        cur_w += pw
    if cur:
        out.append(" ".join(cur))
    return out


def _relation(lhs: str, tex_rel: str, rhs: str) -> str:
    return f"{lhs} {tex_rel} {rhs}".strip()


def step_view(step: dict) -> dict:
    """How a step is shown: ``formula`` (LaTeX of what the reader sees), ``checked`` (the
    checked relation when a display form replaces it), ``entries`` (``[(label, latex)]`` for a
    big matrix step, else []) and ``same`` (entries identical as written, left out)."""
    rel = step["relation_tex"]
    checked = _relation(step["lhs"], rel, step["rhs"])
    if rel == "=" and step["rhs"].strip() in (r"\text{True}", "True", r"\mathrm{True}") and \
            _tex.split_top(step["lhs"]) and len(_tex.split_top(step["lhs"])) > 1:
        checked = step["lhs"]  # "c ≠ 0 = True" says "c ≠ 0"
    view = {"formula": checked, "checked": "", "entries": [], "same": 0, "shape": ""}
    if step.get("display"):
        view["formula"] = step["display"]
        view["checked"] = checked
        return view
    if len(step["lhs"]) + len(step["rhs"]) <= BIG_STEP:
        return view
    left = _tex.matrix_entries(step["lhs"])
    right = _tex.matrix_entries(step["rhs"])
    if left is None and right is None:
        return view
    if left is not None and right is not None:
        if [len(r) for r in left] != [len(r) for r in right]:
            return view
        pairs = [((i, j), a, right[i][j]) for i, row in enumerate(left)
                 for j, a in enumerate(row)]
        shape = f"{len(left)}×{len(left[0])}"
    else:
        mat = left if left is not None else right
        other = step["rhs"] if left is not None else step["lhs"]
        pairs = [((i, j), a if left is not None else other, other if left is not None else a)
                 for i, row in enumerate(mat) for j, a in enumerate(row)]
        shape = f"{len(mat)}×{len(mat[0])}"
    entries = []
    same = 0
    for (i, j), a, b in pairs:
        if a.replace(" ", "") == b.replace(" ", ""):
            same += 1
            continue
        entries.append((f"({i + 1}, {j + 1})", _relation(a, rel, b)))
    view.update(entries=entries, same=same, shape=shape,
                formula="" if entries else checked)
    return view


def is_huge(latex: str | None) -> bool:
    """A formula too long to typeset legibly even when cut at its top level: shown as linear
    text that wraps (with the typeset form one click away)."""
    if not latex or len(latex) <= HUGE:
        return False
    return any(len(piece) > HUGE for piece in chunks(latex))


def linear_runs(latex: str):
    """``latex`` as text runs that wrap like prose (fractions as a/b, scripts raised)."""
    return _tex.latex_to_runs(latex)
