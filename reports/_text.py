"""Prose from a results document (titles, notes, justifications, details) as a reader should
see it: the Unicode notation claims are written in (``e^{−|λ|t}``, ``N_i``, ``S_λ``) with real
superscripts and subscripts, ``$…$`` and bare LaTeX fragments (``λ > 0: G^2(I-H^2)S_\\lambda=
\\tilde S``) as mathematics, and never LaTeX source in the text.

:func:`runs` parses a string into runs — ``("text", s)``, ``("sup", runs)``, ``("sub", runs)``,
``("math", latex)``, ``("code", s)`` — that :func:`html` and :func:`tex` render (escaped, for
either output). References to documents a reader does not have (the project's internal notes,
notebooks) are dropped from the displayed text by :func:`clean_refs`.
"""

from __future__ import annotations

import html as _html
import re
from functools import lru_cache

from markupsafe import Markup

from . import _tex
from ._mathml import safe_mathml

_CS = re.compile(r"\\[A-Za-z]+")
_KNOWN_CS = _tex.ZERO_ARITY | _tex.ONE_ARITY | _tex.TWO_ARITY | _tex.TEXT_ARITY | \
    {"left", "right", "begin", "end"}
_ENGLISH = re.compile(r"(?<![\\A-Za-z])[a-z]{3,}(?![A-Za-z])")
_OPERATOR_WORDS = {"lim", "max", "min", "sup", "inf", "argmin", "argmax", "log", "exp", "det",
                   "tr", "diag", "sgn", "rank", "sin", "cos", "tanh", "cosh", "sinh", "ln"}
_SUB_WORDS = {"max", "min", "fit", "sim", "exact", "init", "opt", "tot", "eff", "mp", "gd",
              "sc", "in", "out", "lazy", "rich", "crit", "th"}
_SCRIPT_MARKS = "\u0300-\u036f\u20d0-\u20ff"

# ------------------------------------------------------------------------------ references

_REFS = (
    # "(spec §2; printed-form confidence high)" → "(printed-form confidence high)"
    (re.compile(r"\b[Ss]pec(?:'s)?\s+§\s*[\w.]+(?:\s*(?:,|/|and)\s*§\s*[\w.]+)*"
                r"(?:\s*(?:,\s*)?(?:item|table|note|caveats?)\s*\d*)?\s*[:;,]?\s*"), ""),
    (re.compile(r",?\s*§\s*\d+\w*(?:\.\d+)? of the spec\b"), ""),
    (re.compile(r"\b(?:the )?spec's (?:reference|inference)"), "the reference"),
    (re.compile(r"\bthe spec's\b"), "the reconstruction's"),
    (re.compile(r"\(spec d = "), "(at d = "),
    (re.compile(r"\bspec d = "), "at d = "),
    (re.compile(r"\b[\w-]+\.ipynb(?:\s*/\s*[\w-]+\.ipynb)*"), "the authors' code"),
    (re.compile(r"\b([Tt])he spec\s*\(§[^)]{1,20}\)"), r"\1he reconstruction"),
)


def clean_refs(text: str) -> str:
    """``text`` without references to the project's internal notes or notebooks (a reader of
    the report does not have them); parentheses left empty are removed."""
    if not text or ("spec" not in text.lower() and "ipynb" not in text):
        return text
    s = text
    for pattern, repl in _REFS:
        s = pattern.sub(repl, s)
    s = re.sub(r"\(\s*[;,:]?\s*\)", "", s)
    s = re.sub(r"\(\s*[;,:]\s*", "(", s)
    s = re.sub(r"\s+([;,.:)])", r"\1", s)
    s = re.sub(r"^\s*[:;,.]\s*", "", s)
    s = re.sub(r"\s{2,}", " ", s).strip().rstrip(",;:").strip()
    return s[:1].upper() + s[1:] if text[:1].isupper() else s


# ------------------------------------------------------------------------------ parsing


def _is_math_piece(piece: str) -> bool:
    """A piece of prose that is LaTeX source (it uses known macros and has no English
    words outside them)."""
    names = _CS.findall(piece)
    if not names or not any(n[1:] in _KNOWN_CS for n in names):
        return False
    stripped = re.sub(r"\\text\w*\s*\{[^{}]*\}", " ", piece)
    stripped = _CS.sub(" ", stripped)
    words = [w for w in _ENGLISH.findall(stripped) if w not in _OPERATOR_WORDS]
    return not words


@lru_cache(maxsize=16384)
def runs(text) -> tuple:
    """``text`` as display runs (see the module docstring). Cached: reports repeat strings."""
    if text is None:
        return ()
    s = clean_refs(_tex.clean_source(text))
    out: list = []
    for kind, part in _split_dollars(s):
        if kind == "math":
            out.append(("math", part))
        elif kind == "code":
            out.append(("code", part))
        else:
            out.extend(_prose(part))
    return tuple(_merge(out))


def _split_dollars(s: str):
    """``$…$`` math and backtick code out of prose."""
    pieces = []
    pattern = re.compile(r"(?<!\\)\$(?!\$)([^$]{1,2000}?)(?<!\\)\$|`([^`]{1,200})`"
                         r"|(?<![\w'])'([A-Za-z_][A-Za-z0-9_.]*_[A-Za-z0-9_.]*)'(?!\w)")
    pos = 0
    for m in pattern.finditer(s):
        if m.start() > pos:
            pieces.append(("text", s[pos:m.start()]))
        if m.group(1) is not None:
            pieces.append(("math", m.group(1)))
        elif m.group(2) is not None:
            pieces.append(("code", m.group(2)))
        else:  # a quoted identifier ('check_name'): code, with its quotes
            pieces.append(("code", m.group(3)))
        pos = m.end()
    if pos < len(s):
        pieces.append(("text", s[pos:]))
    return pieces


_PY_POWER = re.compile(r"(?<=[\w)\]])\*\*(-?\d+(?:\.\d+)?|[A-Za-z]\w*|\([^()]{1,60}\))")
_PY_TIMES = re.compile(r"(?<=[\w)\]}])\*(?=[\w(])")


def _python_to_notation(s: str) -> str:
    """SymPy's Python syntax in prose (``2*(-k**2 + r)``, ``sqrt(x)``) as notation."""
    if "*" not in s and "sqrt(" not in s:
        return s
    s = _PY_POWER.sub(lambda m: "^{" + (m.group(1)[1:-1] if m.group(1).startswith("(")
                                        else m.group(1)) + "}", s)
    s = _PY_TIMES.sub("·", s)
    return re.sub(r"\bsqrt\(", "√(", s)


def _prose(s: str) -> list:
    s = _python_to_notation(s)
    if "\\" in s and _CS.search(s):
        out = []
        # "tag: LaTeX" — split at ': ' so a label in prose stays prose
        parts = re.split(r"(:\s+)", s)
        for part in parts:
            if _is_math_piece(part):
                lead = len(part) - len(part.lstrip())
                if lead:
                    out.append(("text", part[:lead]))
                out.append(("math", part.strip()))
            elif _CS.search(part):
                out.extend(_tex.latex_to_runs(part))
            else:
                out.extend(_scripts(part))
        return out
    return _scripts(s)


_BASE = re.compile(r"[A-Za-z0-9\u0370-\u03ff)\]}‖|²³¹⁰-⁹₀-₉ᵢⱼₖₙₜᵀ'′∫∑∏ℓ" + _SCRIPT_MARKS + "]")
_WORD_BEFORE = re.compile(r"([A-Za-z0-9]+)$")


def _script_arg(s: str, i: int, kind: str):
    """The argument of a ``^``/``_`` at ``s[i-1]``: ``{…}`` or one token; (text, end) or None."""
    if i >= len(s):
        return None
    if s[i] == "{":
        depth = 0
        for j in range(i, min(len(s), i + 400)):
            if s[j] == "{":
                depth += 1
            elif s[j] == "}":
                depth -= 1
                if depth == 0:
                    return s[i + 1:j], j + 1
        return None
    j = i
    if s[j] in "−-+" and j + 1 < len(s) and (s[j + 1].isalnum()):
        j += 1
    if j < len(s) and s[j].isdigit():
        k = j
        while k < len(s) and (s[k].isdigit() or (s[k] == "." and k + 1 < len(s)
                                                  and s[k + 1].isdigit())):
            k += 1
        return s[i:k], k
    if j < len(s) and s[j].isalpha():
        m = re.match(r"[A-Za-z]+", s[j:])
        if kind == "_" and m and m.group(0) in _SUB_WORDS:
            return s[i:j + len(m.group(0))], j + len(m.group(0))
        if kind == "_" and m and re.fullmatch(r"[A-Z]{2,3}", m.group(0)):
            return s[i:j + len(m.group(0))], j + len(m.group(0))      # A_GD, A_SC
        if "\u0370" <= s[j] <= "\u03ff":   # d^γσ², d^γw: a Greek-led name
            g = re.match(r"[\u0370-\u03ff][\u0370-\u03ff²³⁰-⁹" + _SCRIPT_MARKS + r"]*"
                         r"(?:[A-Za-z](?![A-Za-z]))?", s[j:])
            return s[i:j + len(g.group(0))], j + len(g.group(0))
        k = j + 1
        while k < len(s) and re.match("[" + _SCRIPT_MARKS + "]", s[k]):
            k += 1
        if s[j].isascii() and k < len(s) and s[k].isascii() and s[k].islower() and \
                s[k].isalpha() and kind == "_":
            return None  # an identifier such as gradient_flow or S_lambda
        return s[i:k], k
    if j < len(s) and s[j] in "∞*†⊤ᵀ+":
        return s[i:j + 1], j + 1
    return None


def _scripts(s: str) -> list:
    """Unicode prose with ``^``/``_`` scripts made real superscripts/subscripts."""
    if "^" not in s and "_" not in s:
        return [("text", s)] if s else []
    out: list = []
    buf = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch in "^_" and i > 0 and _BASE.match(s[i - 1]):
            before = "".join(buf)
            m = _WORD_BEFORE.search(before)
            word = m.group(1) if m else ""
            ok = True
            if ch == "_" and word not in _OPERATOR_WORDS and (
                    len(word) >= 4 or (len(word) >= 2 and word.isalpha() and word.islower())
                    or re.search(r"_[A-Za-z0-9]+$", before)):
                ok = False  # an identifier or a word: check_name, to_1, I_plus_H
            arg = _script_arg(s, i + 1, ch) if ok else None
            if arg is not None and ch == "_" and arg[1] < len(s) and s[arg[1]] == "_":
                arg = None  # G2_I_minus_H2_S: an identifier, not N_i
            if arg is not None:
                inner, end = arg
                if buf:
                    out.append(("text", before))
                    buf = []
                out.append(("sup" if ch == "^" else "sub", _scripts(inner)))
                i = end
                continue
        buf.append(ch)
        i += 1
    if buf:
        out.append(("text", "".join(buf)))
    return out


def _merge(items) -> list:
    out: list = []
    for r in items:
        if r[0] in ("sup", "sub"):
            out.append((r[0], tuple(_merge(r[1]))))
        elif r[0] == "text" and out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1] + r[1])
        elif r[0] != "text" or r[1]:
            out.append(r)
    return out


# ------------------------------------------------------------------------------ rendering


def html(text, text_filter=None) -> Markup:
    """Prose as safe HTML (``<sup>``, ``<sub>``, inline MathML, ``<code>``).
    ``text_filter(escaped)`` may rewrite the escaped plain-text runs (e.g. to add links)."""
    return Markup(_html_runs(runs(text), text_filter))


def _html_runs(rs, text_filter=None) -> str:
    out = []
    for r in rs:
        kind = r[0]
        if kind == "text":
            t = _html.escape(r[1], quote=True)
            out.append(text_filter(t) if text_filter else t)
        elif kind == "sup":
            out.append("<sup>" + _html_runs(r[1], text_filter) + "</sup>")
        elif kind == "sub":
            out.append("<sub>" + _html_runs(r[1], text_filter) + "</sub>")
        elif kind == "math":
            out.append(str(safe_mathml(r[1], False)))
        elif kind == "code":
            out.append("<code>" + _html.escape(r[1], quote=False) + "</code>")
    return "".join(out)


def html_runs(rs) -> Markup:
    """Runs (e.g. from :func:`reports._tex.latex_to_runs`) as safe HTML."""
    return Markup(_html_runs(_merge(rs)))


def tex_runs(rs, *, unicode_ok: bool = True) -> str:
    """Runs as LaTeX text."""
    return _tex_runs(_merge(rs), unicode_ok)


def tex(text, *, unicode_ok: bool = True) -> str:
    """Prose as LaTeX text (safe: every control sequence is ours)."""
    return _tex_runs(runs(text), unicode_ok)


def _tex_runs(rs, unicode_ok: bool) -> str:
    out = []
    for r in rs:
        kind = r[0]
        if kind == "text":
            out.append(_tex.tex_text(r[1], unicode_ok=unicode_ok))
        elif kind == "sup":
            out.append(r"\textsuperscript{" + _tex_runs(r[1], unicode_ok) + "}")
        elif kind == "sub":
            out.append(r"\textsubscript{" + _tex_runs(r[1], unicode_ok) + "}")
        elif kind == "math":
            out.append(r"\ensuremath{" + _tex.tex_math(r[1], unicode_ok=unicode_ok) + "}")
        elif kind == "code":
            out.append(r"\texttt{" + _tex.tex_text(r[1], unicode_ok=unicode_ok) + "}")
    return "".join(out)


def plain(text) -> str:
    """Prose as plain text (for titles and tooltips): scripts inline, math as readable
    text."""
    def flat(rs):
        out = []
        for r in rs:
            if r[0] in ("text", "code"):
                out.append(r[1])
            elif r[0] == "math":
                out.append(flat(_tex.latex_to_runs(r[1])))
            else:
                inner = flat(r[1])
                out.append(("^" if r[0] == "sup" else "_") + (inner if len(inner) == 1
                                                              else "(" + inner + ")"))
        return "".join(out)
    return flat(runs(text))
