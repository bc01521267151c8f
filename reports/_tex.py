"""LaTeX math from a results document, made safe for TeX and readable everywhere.

A results document is untrusted input (``report --from`` reads any JSON; a user's claims file
writes any string). Its LaTeX never reaches TeX as written: :func:`tex_math` tokenises it and
rebuilds it from an allow-list of math macros and environments, with every other control
sequence shown as its name (``\\input`` typesets as the text "\\input", it is never executed),
braces balanced, ``^^`` character codes, ``#``, ``%``, ``$`` and stray ``&`` neutralised, and
macro arguments supplied where they are missing, so that what comes out both is harmless and
compiles. The same tokeniser splits long formulas at their top-level separators (so both
outputs can wrap them instead of shrinking them to a line) and reads the entries of a matrix
(so a big matrix identity can be shown entry by entry), and turns stray LaTeX inside prose into
readable text (:func:`latex_to_runs`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_SOURCE = 20000      # characters of one formula; longer input is cut (and says so)
MAX_DEPTH = 40          # nesting of groups, environments and \left…\right

# ------------------------------------------------------------------------------ tables

GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda "
         "mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
         "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()
_SYMBOL_WORDS = (
    # relations
    "le leq ge geq ne neq approx sim simeq equiv cong propto ll gg prec succ preceq succeq "
    "subset subseteq supset supseteq in notin ni perp parallel mid to rightarrow leftarrow "
    "Rightarrow Leftarrow Leftrightarrow leftrightarrow iff implies impliedby mapsto "
    "longrightarrow longleftarrow longmapsto Longrightarrow uparrow downarrow nearrow searrow "
    "hookrightarrow lesssim gtrsim leqslant geqslant triangleq doteq asymp vdash models "
    # operators and symbols
    "pm mp times div cdot circ bullet ast star otimes oplus odot ominus wedge vee cap cup "
    "setminus sum prod int iint oint coprod bigcup bigcap bigoplus bigotimes bigodot partial "
    "nabla infty emptyset varnothing forall exists nexists neg lnot top bot dagger ddagger ell "
    "hbar Re Im aleph prime angle triangle dots ldots cdots vdots ddots colon vert Vert "
    "lvert rvert lVert rVert langle rangle lfloor rfloor lceil rceil backslash lbrace rbrace "
    "checkmark intercal imath jmath surd flat sharp natural clubsuit diamond wr amalg "
    "uplus sqcup sqcap triangleleft triangleright bigtriangleup bigtriangledown "
    # named functions
    "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth exp log ln lg det dim "
    "ker max min sup inf lim liminf limsup arg deg gcd Pr hom "
    # spacing and style
    "quad qquad enspace thinspace medspace thickspace negthinspace displaystyle textstyle "
    "scriptstyle scriptscriptstyle not mathstrut "
    # provided by the report's preamble
    "tr diag sgn rank Var E"
).split()
ZERO_ARITY = frozenset(GREEK + _SYMBOL_WORDS)
ONE_ARITY = frozenset((
    "hat widehat tilde widetilde bar overline underline dot ddot vec acute grave check breve "
    "mathring mathbf mathrm mathit mathsf mathtt mathcal mathbb mathfrak boldsymbol bm pmb "
    "operatorname overbrace underbrace phantom hphantom vphantom boxed sqrt xrightarrow "
    "xleftarrow").split())
OPTIONAL_ARG = frozenset(("sqrt", "xrightarrow", "xleftarrow"))
_ACCENTS = frozenset("hat widehat tilde widetilde bar dot ddot vec acute grave check breve "
                     "mathring".split())
_ALPHABETS = frozenset("mathbf mathrm mathit mathsf mathtt mathcal mathbb mathfrak boldsymbol "
                       "bm pmb".split())
_ACCENT_MARKS = {"hat": r"\wedge", "widehat": r"\wedge", "tilde": r"\sim", "widetilde": r"\sim",
                 "bar": "-", "dot": r"\cdot", "ddot": r"\cdot\cdot", "vec": r"\rightarrow",
                 "acute": r"\prime", "check": r"\vee", "mathring": r"\circ"}
TWO_ARITY = frozenset("frac dfrac tfrac cfrac binom dbinom tbinom overset underset stackrel"
                      .split())
TEXT_ARITY = frozenset("text textrm textit textbf textsf texttt textnormal mbox".split())
# no output (label/tag eat one argument; limits placement is left to TeX)
DROPPED = frozenset(("nonumber", "notag", "label", "tag", "limits", "nolimits"))
ENVIRONMENTS = frozenset("matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix cases "
                         "aligned gathered array".split())
# how many columns each environment takes (a further '&' would be a TeX error)
_COLUMNS = {"gathered": 1, "cases": 2, "aligned": 64}
SIZES = frozenset("big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm Bigm"
                  .split())
CONTROL_SYMBOLS = frozenset(",;:! {}|%#&_$")
_NEGATABLE = frozenset("le leq ge geq in subset subseteq supset supseteq sim simeq equiv approx "
                       "cong mid parallel ni prec succ preceq succeq".split())
DELIMITERS = frozenset("( ) [ ] | / . < >".split())
DELIMITER_WORDS = frozenset("langle rangle lvert rvert lVert rVert vert Vert lfloor rfloor lceil "
                            "rceil lbrace rbrace backslash uparrow downarrow".split())

# ------------------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class Tok:
    """One token: ``kind`` is cs (control word, ``text`` = name), sym (control symbol),
    open, close, space, or char."""

    kind: str
    text: str


_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|([{}])|(\s+)|(.)", re.S)
_PUA = re.compile("[\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_source(src) -> str:
    """The string as NFC text without control or private-use characters, cut to
    :data:`MAX_SOURCE` characters."""
    s = unicodedata.normalize("NFC", "" if src is None else str(src))
    s = _PUA.sub(" ", s)
    if len(s) > MAX_SOURCE:
        s = s[:MAX_SOURCE]
    return s


def tokens(src: str) -> list[Tok]:
    out = []
    for m in _TOKEN.finditer(src):
        word, sym, brace, space, char = m.groups()
        if word is not None:
            out.append(Tok("cs", word))
        elif sym is not None:
            out.append(Tok("sym", sym) if sym != "\n" else Tok("space", " "))
        elif brace is not None:
            out.append(Tok("open" if brace == "{" else "close", brace))
        elif space is not None:
            out.append(Tok("space", " "))
        else:
            out.append(Tok("char", char))
    return out


def _group_end(toks: list[Tok], i: int) -> int:
    """Index just after the group that opens at ``toks[i]`` (or len(toks) if unclosed)."""
    depth = 0
    for k in range(i, len(toks)):
        if toks[k].kind == "open":
            depth += 1
        elif toks[k].kind == "close":
            depth -= 1
            if depth == 0:
                return k + 1
    return len(toks)


def source_of(toks: list[Tok]) -> str:
    """Tokens back to LaTeX source (control words followed by a space when needed)."""
    out = []
    for k, t in enumerate(toks):
        if t.kind == "cs":
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            out.append("\\" + t.text + (" " if nxt is not None and nxt.kind == "char"
                                        and nxt.text.isalpha() else ""))
        elif t.kind == "sym":
            out.append("\\" + t.text)
        else:
            out.append(t.text)
    return "".join(out)


# ------------------------------------------------------------------------------ TeX output

# Non-ASCII characters that are spelled as commands in math (both engines); anything else
# non-ASCII is typeset as itself by LuaLaTeX (unicode-math) and as a visible '?' by pdflatex.
UNICODE_MATH = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda",
    "μ": "mu", "µ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma",
    "τ": "tau", "υ": "upsilon", "φ": "varphi", "ϕ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi",
    "Π": "Pi", "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
    "≤": "le", "≥": "ge", "≠": "ne", "≈": "approx", "≃": "simeq", "≡": "equiv", "→": "to",
    "←": "leftarrow", "↦": "mapsto", "⇒": "Rightarrow", "⇔": "Leftrightarrow", "∞": "infty",
    "±": "pm", "∓": "mp", "×": "times", "·": "cdot", "⋅": "cdot", "∑": "sum", "∏": "prod",
    "∂": "partial", "∇": "nabla", "∈": "in", "∉": "notin", "⊂": "subset", "⊆": "subseteq",
    "∪": "cup", "∩": "cap", "⊗": "otimes", "⊕": "oplus", "⊙": "odot", "⊥": "perp",
    "∀": "forall", "∃": "exists", "∘": "circ", "‖": "|", "∝": "propto", "⟨": "langle",
    "⟩": "rangle", "∫": "int", "≪": "ll", "≫": "gg", "∼": "sim", "…": "dots", "⋯": "cdots",
    "ℓ": "ell", "≲": "lesssim", "≳": "gtrsim", "∅": "emptyset", "∖": "setminus", "⊤": "top",
    "†": "dagger", "⌊": "lfloor", "⌋": "rfloor", "⌈": "lceil", "⌉": "rceil", "∧": "wedge",
    "∨": "vee", "¬": "neg", "↑": "uparrow", "↓": "downarrow", "✓": "checkmark",
    "√": "surd", "ℝ": "mathbb{R}", "ℕ": "mathbb{N}", "ℂ": "mathbb{C}", "ℤ": "mathbb{Z}",
}
SCRIPT_CHARS = {
    "ᵀ": ("^", r"\top"), "⁺": ("^", "+"), "⁻": ("^", "-"), "⁰": ("^", "0"), "¹": ("^", "1"),
    "²": ("^", "2"), "³": ("^", "3"), "⁴": ("^", "4"), "⁵": ("^", "5"), "⁶": ("^", "6"),
    "⁷": ("^", "7"), "⁸": ("^", "8"), "⁹": ("^", "9"), "ⁿ": ("^", "n"), "ᶦ": ("^", "i"),
    "₀": ("_", "0"), "₁": ("_", "1"), "₂": ("_", "2"), "₃": ("_", "3"), "₄": ("_", "4"),
    "₅": ("_", "5"), "₆": ("_", "6"), "₇": ("_", "7"), "₈": ("_", "8"), "₉": ("_", "9"),
    "ᵢ": ("_", "i"), "ⱼ": ("_", "j"), "ₖ": ("_", "k"), "ₙ": ("_", "n"), "ₜ": ("_", "t"),
    "₊": ("_", "+"), "₋": ("_", "-"), "′": ("^", r"\prime"), "″": ("^", r"\prime\prime"),
}
ASCII_FOR = {"−": "-", "∣": "|", "∶": ":", "\u00a0": " ", "\u2009": " ", "\u200b": "",
             "½": r"\tfrac12", "¼": r"\tfrac14", "¾": r"\tfrac34", "≔": ":="}
COMBINING = {"\u0303": "tilde", "\u0302": "hat", "\u0304": "bar", "\u0307": "dot",
             "\u0308": "ddot", "\u20d7": "vec", "\u0301": "acute", "\u0300": "grave",
             "\u030c": "check", "\u0306": "breve", "\u0305": "bar"}


class _TexWriter:
    """Rebuilds a token list as safe TeX math (see the module docstring)."""

    def __init__(self, unicode_ok: bool):
        self.unicode_ok = unicode_ok

    # -- atoms
    def char(self, ch: str) -> str:
        if ch in "#$%&_":
            return "\\" + ch
        if ch == "\\":
            return r"\backslash "
        if ch == "~":
            return r"{\ }"
        if ch == "^":
            return r"\wedge "
        if ch in "'\"":
            return r"{}^{\prime}" if ch == "'" else r"{}^{\prime\prime}"
        if ch.isascii():
            return ch if ch.isprintable() else " "
        if ch in ASCII_FOR:
            return ASCII_FOR[ch]
        if ch in UNICODE_MATH:
            name = UNICODE_MATH[ch]
            return "\\" + name + ("" if name == "|" else " ")
        if ch in SCRIPT_CHARS:
            kind, body = SCRIPT_CHARS[ch]
            return "{}" + kind + "{" + body + "}"
        base = unicodedata.normalize("NFD", ch)
        if len(base) == 2 and base[0].isascii() and base[1] in COMBINING:
            return "\\" + COMBINING[base[1]] + "{" + base[0] + "}"
        if self.unicode_ok and unicodedata.category(ch)[0] in "LNPS":
            return ch
        return r"\mathord{?}"

    @staticmethod
    def shown(name: str) -> str:
        """A control sequence that is not allowed, typeset as its name (never executed)."""
        return r"\backslash\mathtt{" + name + "}"

    # -- sequences
    def seq(self, toks, i, depth, *, align: int = 0, stop=None):
        """Write tokens from ``i`` until a closing brace, ``stop`` (a predicate) or the end;
        return (text, index of the token that stopped it)."""
        out: list[str] = []
        scripts: set[str] = set()
        column = 0
        n = len(toks)
        while i < n:
            t = toks[i]
            if stop is not None and stop(t):
                break
            if t.kind == "close":
                break
            if t.kind in ("space",):
                out.append(" ")
                i += 1
                continue
            if t.kind == "char" and t.text in "^_":
                kind = t.text
                if kind in scripts:
                    out.append("{}")
                    scripts = set()
                scripts.add(kind)
                arg, i = self.argument(toks, i + 1, depth)
                out.append(kind + "{" + arg + "}")
                continue
            if t.kind == "char" and t.text == "'":
                # primes as an explicit superscript (TeX's active ' merges with a following
                # ^ in ways that fail on odd input); consecutive primes make one
                n_primes = 0
                while i < n and toks[i].kind == "char" and toks[i].text == "'":
                    n_primes += 1
                    i += 1
                if "^" in scripts:
                    out.append("{}")
                    scripts = set()
                scripts.add("^")
                out.append("^{" + r"\prime" * min(n_primes, 4) + "}")
                continue
            if t.kind == "char" and t.text == "&":
                scripts = set()
                if align and column + 1 < align:
                    column += 1
                    out.append("&")
                else:
                    out.append(r"\quad " if align else r"\&")
                i += 1
                continue
            if t.kind == "sym" and t.text == "\\" and align:
                column = 0
                scripts = set()
            if t.kind == "char" and not t.text.isascii() and t.text in SCRIPT_CHARS:
                kind, body = SCRIPT_CHARS[t.text]
                if kind in scripts or (kind == "^" and "prime" in scripts and "^" in scripts):
                    out.append("{}")
                    scripts = set()
                out.append(kind + "{" + body + "}")
                scripts.add(kind)
                i += 1
                continue
            piece, i = self.atom(toks, i, depth, align=align)
            if piece.strip():   # a new base for scripts (an atom that wrote nothing is not)
                scripts = set()
            out.append(piece)
        return "".join(out), i

    def atom(self, toks, i, depth, *, align: int = 0):
        """One unit: a group, a control sequence with its arguments, an environment or a
        character. Returns (text, next index)."""
        t = toks[i]
        if depth > MAX_DEPTH:
            return r"\dots ", _skip_unit(toks, i)
        if t.kind == "open":
            body, j = self.seq(toks, i + 1, depth + 1)
            return "{" + body + "}", (j + 1 if j < len(toks) else j)
        if t.kind == "char":
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is not None and nxt.kind == "char" and nxt.text in COMBINING:
                base = self.char(t.text)
                return "\\" + COMBINING[nxt.text] + "{" + base + "}", i + 2
            if t.text in COMBINING:  # a combining mark with no base
                return "", i + 1
            return self.char(t.text), i + 1
        if t.kind == "space":
            return " ", i + 1
        if t.kind == "sym":
            if t.text == "\\":
                return ("\\\\ " if align else r"\quad "), i + 1
            if t.text == " ":
                return r"{\ }", i + 1
            if t.text in CONTROL_SYMBOLS:
                return "\\" + t.text, i + 1
            return self.shown(_ascii_name(t.text)), i + 1
        name = t.text
        if name in ("begin", "end"):
            return self.environment(toks, i, depth)
        if name in ("left", "right"):
            return self.left_right(toks, i, depth)
        if name in SIZES:
            delim, j = self.delimiter(toks, i + 1)
            return "\\" + name + delim, j
        if name in DROPPED:
            j = i + 1
            if name in ("label", "tag"):
                j = _skip_spaces(toks, j)
                j = _group_end(toks, j) if j < len(toks) and toks[j].kind == "open" else j
            return "", j
        if name in ZERO_ARITY:
            if name == "not":  # \not negates one relation symbol; anything else drops it
                j = _skip_spaces(toks, i + 1)
                if j < len(toks) and ((toks[j].kind == "char" and toks[j].text in "=<>") or
                                      (toks[j].kind == "cs" and toks[j].text in _NEGATABLE)):
                    return r"\not" + ("\\" + toks[j].text + " " if toks[j].kind == "cs"
                                      else toks[j].text), j + 1
                return "", i + 1
            return "\\" + name + " ", i + 1
        if name in TEXT_ARITY:
            j = _skip_spaces(toks, i + 1)
            if j < len(toks) and toks[j].kind == "open":
                end = _group_end(toks, j)
                inner = toks[j + 1:end - 1] if end <= len(toks) and toks[end - 1].kind == \
                    "close" else toks[j + 1:end]
                return r"\text{" + tex_text(source_of(inner)) + "}", end
            arg, j = self.argument(toks, i + 1, depth)
            return r"\text{" + arg + "}", j
        if name in ONE_ARITY or name in TWO_ARITY:
            out = "\\" + name
            j = i + 1
            if name in OPTIONAL_ARG:
                k = _skip_spaces(toks, j)
                end = _optional_end(toks, k)
                if end is not None:
                    opt, _ = self.seq(toks[:end], k + 1, depth + 1)
                    out += "[" + opt + "]"
                    j = end + 1
            for _ in range(2 if name in TWO_ARITY else 1):
                arg, j = self.argument(toks, j, depth)
                if name in _ACCENTS and "\\" in arg:
                    # amsmath's accents fail on some complex arguments (nested accents in
                    # text, environments): a mark set over the argument never does
                    return r"\overset{" + _ACCENT_MARKS.get(name, r"\sim") + "}{" + arg + \
                        "}", j
                out += "{" + arg + "}"
            if name in _ALPHABETS:  # a math alphabet is a unit for the scripts after it
                return ("{" + out + "}" if arg.strip() else "{}"), j
            return out, j
        return self.shown(name), i + 1

    def argument(self, toks, i, depth):
        """A macro argument or script: a group, or one atom; ``{}`` when there is none."""
        i = _skip_spaces(toks, i)
        if i >= len(toks):
            return "", i
        t = toks[i]
        if t.kind == "close" or (t.kind == "char" and t.text in "^_&") or \
                (t.kind == "sym" and t.text == "\\") or \
                (t.kind == "cs" and t.text in ("end", "right")):
            return "", i
        if t.kind == "open":
            body, j = self.seq(toks, i + 1, depth + 1)
            return body, (j + 1 if j < len(toks) else j)
        piece, j = self.atom(toks, i, depth + 1)
        return piece, j

    def delimiter(self, toks, i):
        i = _skip_spaces(toks, i)
        if i < len(toks):
            t = toks[i]
            if t.kind == "char" and t.text in DELIMITERS:
                return t.text, i + 1
            if t.kind == "sym" and t.text in "{}|":
                return "\\" + t.text, i + 1
            if t.kind == "cs" and t.text in DELIMITER_WORDS:
                return "\\" + t.text + " ", i + 1
            if t.kind == "char" and t.text in ("‖", "⟨", "⟩"):
                return {"‖": r"\Vert ", "⟨": r"\langle ", "⟩": r"\rangle "}[t.text], i + 1
        return ".", i

    def left_right(self, toks, i, depth):
        if toks[i].text == "right":  # a \right without its \left: just the delimiter
            delim, j = self.delimiter(toks, i + 1)
            return ("" if delim == "." else delim), j
        open_d, j = self.delimiter(toks, i + 1)
        body, j = self.seq(toks, j, depth + 1,
                           stop=lambda u: u.kind == "cs" and u.text == "right")
        close_d = "."
        if j < len(toks) and toks[j].kind == "cs" and toks[j].text == "right":
            close_d, j = self.delimiter(toks, j + 1)
        return r"\left" + open_d + " " + body + r"\right" + close_d + " ", j

    def environment(self, toks, i, depth):
        kind = toks[i].text
        j = _skip_spaces(toks, i + 1)
        name = ""
        if j < len(toks) and toks[j].kind == "open":
            end = _group_end(toks, j)
            name = "".join(t.text for t in toks[j + 1:end - 1])
            j = end
        if kind == "end":  # an \end without its \begin
            return "", j
        if name not in ENVIRONMENTS:
            return self.shown("begin") + r"\{\mathtt{" + _ascii_name(name) + r"}\}", j
        spec = ""
        columns = _COLUMNS.get(name, 64)
        if name == "array":
            k = _skip_spaces(toks, j)
            cols = "c"
            if k < len(toks) and toks[k].kind == "open":
                end = _group_end(toks, k)
                raw = "".join(t.text for t in toks[k + 1:end - 1])
                cols = "".join(ch for ch in raw if ch in "lcr|") or "c"
                j = end
            cols = cols[:64]
            spec = "{" + cols + "}"
            columns = max(1, sum(ch in "lcr" for ch in cols))

        def at_end(u):
            return u.kind == "cs" and u.text == "end"

        body, j = self.seq(toks, j, depth + 1, align=columns, stop=at_end)
        if j < len(toks) and at_end(toks[j]):
            k = _skip_spaces(toks, j + 1)
            j = _group_end(toks, k) if k < len(toks) and toks[k].kind == "open" else k
        return r"\begin{" + name + "}" + spec + body + r"\end{" + name + "}", j


def _optional_end(toks, k):
    """The index of the ``]`` closing an optional argument that opens at ``toks[k]``, when
    it is short and simple (characters and symbols only); else None."""
    if k >= len(toks) or not (toks[k].kind == "char" and toks[k].text == "["):
        return None
    for m in range(k + 1, min(len(toks), k + 40)):
        t = toks[m]
        if t.kind == "char" and t.text == "]":
            return m
        if not (t.kind in ("char", "space") and t.text not in "^_&[" or
                t.kind == "cs" and t.text in ZERO_ARITY and t.text != "not"):
            return None
    return None


def _skip_spaces(toks, i):
    while i < len(toks) and toks[i].kind == "space":
        i += 1
    return i


def _skip_unit(toks, i):
    return _group_end(toks, i) if toks[i].kind == "open" else i + 1


def _ascii_name(name: str) -> str:
    return "".join(ch if ch.isascii() and ch.isalnum() else "?" for ch in name)[:40] or "?"


def tex_math(src, *, unicode_ok: bool = True) -> str:
    """``src`` (LaTeX math from an untrusted document) as TeX math that is safe to compile:
    only allow-listed macros and environments, balanced, every argument present. Anything
    else is typeset visibly (``\\input`` shows as "\\input"). ``unicode_ok`` (LuaLaTeX) keeps
    unknown non-ASCII characters; otherwise they become '?'."""
    s = clean_source(src)
    truncated = len(str(src or "")) > MAX_SOURCE
    toks = tokens(s)
    w = _TexWriter(unicode_ok)
    out: list[str] = []
    i = 0
    while i < len(toks):
        body, i = w.seq(toks, i, 0)
        out.append(body)
        if i < len(toks) and toks[i].kind == "close":  # a stray '}' at the top level
            i += 1
            out.append("{}")                            # (and a fresh base for scripts)
    text = "".join(out)
    text = re.sub(r"\s+", " ", text).strip()
    if re.search(r"(?<!\\)(?:\\\\)*\\$", text):  # never end on a lone backslash
        text += "{}"
    return text + (r"\quad\dots\text{(cut)}" if truncated else "")


# Text (outside math) for either engine: specials escaped, math characters as math commands.
_TEXT_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                 "#": r"\#", "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}",
                 "~": r"\textasciitilde{}", "<": r"\textless{}", ">": r"\textgreater{}",
                 "|": r"\textbar{}"}
_TEXT_CHARS = {"“": "``", "”": "''", "‘": "`", "’": "'", "–": "--", "—": "---",
               "\u00a0": "~", "\u2009": r"\,", "\u200b": "", "§": r"\S{}", "¶": r"\P{}",
               "•": r"\textbullet{}", "−": r"\ensuremath{-}", "…": r"\dots{}"}
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def tex_text(text, *, unicode_ok: bool = True) -> str:
    """Plain text as LaTeX text: every special character escaped (no control sequence of the
    input survives), Greek and mathematical characters typeset in math, accented Latin kept
    (LuaLaTeX) or spelled with accents (pdflatex), a letter with a combining accent as the
    accented symbol."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFC", str(text))
    s = _PUA.sub(" ", s)
    out = []
    k = 0
    while k < len(s):
        ch = s[k]
        nxt = s[k + 1] if k + 1 < len(s) else ""
        k += 1
        if nxt in COMBINING and unicodedata.category(ch)[0] == "L":
            base = ch if ch.isascii() else _TexWriter(unicode_ok).char(ch)
            out.append(r"\ensuremath{\%s{%s}}" % (COMBINING[nxt], base))
            k += 1
            continue
        if ch.isascii():
            out.append(_TEXT_SPECIAL.get(ch, ch) if ch.isprintable() or ch in "\n\t" else " ")
        elif ch in _TEXT_CHARS:
            out.append(_TEXT_CHARS[ch])
        elif _LATIN.match(ch) and unicodedata.category(ch).startswith("L"):
            out.append(ch if unicode_ok else _accented_ascii(ch))
        elif unicodedata.category(ch) == "Mn":
            continue  # a combining mark whose base was not a letter we could accent
        else:
            nfd = unicodedata.normalize("NFD", ch)
            if len(nfd) == 2 and nfd[1] in COMBINING and nfd[0].isascii():
                out.append(r"\ensuremath{\%s{%s}}" % (COMBINING[nfd[1]], nfd[0]))
            else:
                m = _TexWriter(unicode_ok).char(ch)
                out.append(r"\ensuremath{" + m + "}" if m.strip() else " ")
    return "".join(out)


def _accented_ascii(ch: str) -> str:
    nfd = unicodedata.normalize("NFD", ch)
    accents = {"\u0301": "\\'", "\u0300": "\\`", "\u0308": '\\"', "\u0302": "\\^",
               "\u0303": "\\~", "\u0304": "\\=", "\u0307": "\\.", "\u030c": "\\v",
               "\u0306": "\\u", "\u0327": "\\c"}
    if len(nfd) == 2 and nfd[0].isascii() and nfd[1] in accents:
        return accents[nfd[1]] + "{" + nfd[0] + "}"
    return {"ß": r"\ss{}", "ø": r"\o{}", "æ": r"\ae{}", "ı": r"\i{}"}.get(ch, "?")


# ------------------------------------------------------------------------------ structure

_RELATIONS_SRC = {"=", "<", ">"}
_RELATION_CS = {"le", "leq", "ge", "geq", "ne", "neq", "approx", "sim", "simeq", "equiv", "to",
                "propto", "Rightarrow", "Leftrightarrow", "iff", "implies", "rightarrow"}
_SEPARATOR_CS = {"quad", "qquad"}


def split_top(src, *, relations: bool = True) -> list[str]:
    """Split a long formula at its top level (outside groups, environments and
    \\left…\\right) after ``;``/``,`` followed by a space command, at ``\\quad``, and (with
    ``relations``) before relation signs; returns LaTeX chunks that each typeset alone and
    that, set one after the other, read as the formula."""
    s = clean_source(src)
    toks = tokens(s)
    chunks: list[list[Tok]] = [[]]
    depth = env = lr = paren = 0
    k = 0
    while k < len(toks):
        t = toks[k]
        top = depth == 0 and env == 0 and lr == 0
        if t.kind == "char" and t.text in "([":
            paren += 1
        elif t.kind == "char" and t.text in ")]":
            paren = max(0, paren - 1)
        if t.kind == "open":
            depth += 1
        elif t.kind == "close":
            depth = max(0, depth - 1)
        elif t.kind == "cs" and t.text == "begin":
            env += 1
        elif t.kind == "cs" and t.text == "end":
            env = max(0, env - 1)
        elif t.kind == "cs" and t.text == "left":
            lr += 1
        elif t.kind == "cs" and t.text == "right":
            lr = max(0, lr - 1)
        if top and t.kind == "cs" and t.text in _SEPARATOR_CS:
            chunks.append([])
            k += 1
            continue
        if top and t.kind == "char" and t.text in ";," and k + 1 < len(toks) and (
                toks[k + 1].kind == "sym" and toks[k + 1].text in " ,;:" or
                toks[k + 1].kind == "cs" and toks[k + 1].text in _SEPARATOR_CS):
            chunks[-1].append(t)
            chunks.append([])
            k += 2
            continue
        if top and paren == 0 and relations and chunks[-1] and (
                (t.kind == "char" and t.text in _RELATIONS_SRC) or
                (t.kind == "cs" and t.text in _RELATION_CS)):
            chunks.append([])
        chunks[-1].append(t)
        k += 1
    return [c for c in (_strip(source_of(c)) for c in chunks) if c]


def _strip(s: str) -> str:
    """Strip spaces, but not the space of a control space (a backslash and a space)."""
    s = s.lstrip()
    t = s.rstrip()
    if len(t) < len(s) and re.search(r"(?<!\\)(?:\\\\)*\\$", t):
        t += " "
    return t


_MATRIX_ENVS = ("matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix")


def matrix_entries(src) -> list[list[str]] | None:
    """The entries (LaTeX, by row) when ``src`` is one matrix — ``\\left[\\begin{matrix} …
    \\end{matrix}\\right]`` as SymPy writes it, or a bare matrix environment — else None."""
    s = clean_source(src).strip()
    toks = [t for t in tokens(s)]
    # strip an outer \left[ … \right]
    core = toks
    while core and core[0].kind == "space":
        core = core[1:]
    while core and core[-1].kind == "space":
        core = core[:-1]
    if len(core) >= 4 and core[0].kind == "cs" and core[0].text == "left":
        if not (core[-2].kind == "cs" and core[-2].text == "right"):
            return None
        core = core[2:-2]
        while core and core[0].kind == "space":
            core = core[1:]
        while core and core[-1].kind == "space":
            core = core[:-1]
    if len(core) < 6 or not (core[0].kind == "cs" and core[0].text == "begin"):
        return None
    end_name = _group_end(core, 1)
    name = "".join(t.text for t in core[2:end_name - 1])
    if name not in _MATRIX_ENVS:
        return None
    # the matching \end must close the whole core
    body_start = end_name
    depth_env = 0
    rows: list[list[list[Tok]]] = [[[]]]
    k = body_start
    depth = 0
    while k < len(core):
        t = core[k]
        if t.kind == "cs" and t.text == "begin":
            depth_env += 1
        elif t.kind == "cs" and t.text == "end":
            if depth_env == 0 and depth == 0:
                rest = core[_group_end(core, _skip_spaces(core, k + 1)):]
                if any(u.kind != "space" for u in rest):
                    return None
                break
            depth_env -= 1
        elif t.kind == "open":
            depth += 1
        elif t.kind == "close":
            depth -= 1
        if depth == 0 and depth_env == 0:
            if t.kind == "char" and t.text == "&":
                rows[-1].append([])
                k += 1
                continue
            if t.kind == "sym" and t.text == "\\":
                rows.append([[]])
                k += 1
                continue
        rows[-1][-1].append(t)
        k += 1
    else:
        return None
    out = [[source_of(cell).strip() for cell in row] for row in rows]
    out = [r for r in out if any(r)]
    if not out:
        return None
    return out


# ------------------------------------------------------------------------------ LaTeX in prose

UNICODE_FOR = {v: k for k, v in UNICODE_MATH.items() if "{" not in v and v != "|"}
UNICODE_FOR.update({"leq": "≤", "geq": "≥", "neq": "≠", "varepsilon": "ε", "epsilon": "ϵ",
                    "cdot": "·", "ldots": "…", "cdots": "⋯", "rightarrow": "→", "top": "ᵀ",
                    "lvert": "|", "rvert": "|", "vert": "|", "Vert": "‖", "lVert": "‖",
                    "rVert": "‖", "quad": "  ", "qquad": "    ", "lim": "lim", "max": "max",
                    "min": "min", "sup": "sup", "inf": "inf", "exp": "exp", "log": "log",
                    "ln": "ln", "det": "det", "tr": "tr", "diag": "diag", "sgn": "sgn",
                    "rank": "rank", "sin": "sin", "cos": "cos", "tanh": "tanh",
                    "cosh": "cosh", "sinh": "sinh", "implies": "⇒", "iff": "⇔",
                    "mapsto": "↦", "prime": "′", "backslash": "\\", "lbrace": "{",
                    "rbrace": "}", "langle": "⟨", "rangle": "⟩", "E": "E", "Var": "Var"})
_ACCENT_MARK = {v: k for k, v in COMBINING.items()}
_ACCENT_MARK.update({"widetilde": "\u0303", "widehat": "\u0302", "overline": "\u0305"})


def latex_to_runs(src) -> list:
    """LaTeX (typically a fragment inside prose) as readable text runs: ``("text", s)``,
    ``("sup", runs)``, ``("sub", runs)``. Greek and symbols become Unicode, accents combining
    marks, ``\\frac{a}{b}`` becomes a/b, unknown macros their bare name: no LaTeX source is
    left for a reader to decode."""
    toks = tokens(clean_source(src))
    runs, _ = _runs(toks, 0, 0)
    return _merge(runs)


def _runs(toks, i, depth, stop_close=True):
    out = []
    n = len(toks)
    while i < n:
        t = toks[i]
        if t.kind == "close":
            if stop_close:
                break
            i += 1
            continue
        if t.kind == "char" and t.text in "^_":
            arg, i = _arg_runs(toks, i + 1, depth)
            out.append(("sup" if t.text == "^" else "sub", arg))
            continue
        piece, i = _atom_runs(toks, i, depth)
        out.extend(piece)
    return out, i


def _arg_runs(toks, i, depth):
    i = _skip_spaces(toks, i)
    if i >= len(toks):
        return [], i
    if toks[i].kind == "open":
        body, j = _runs(toks, i + 1, depth + 1)
        return body, (j + 1 if j < len(toks) else j)
    if toks[i].kind == "close":
        return [], i
    return _atom_runs(toks, i, depth + 1)


def _plain(runs) -> str:
    return "".join(r[1] if r[0] == "text" else _plain(r[1]) for r in runs)


def _atom_runs(toks, i, depth):
    t = toks[i]
    if depth > MAX_DEPTH:
        return [("text", "…")], _skip_unit(toks, i)
    if t.kind == "open":
        body, j = _runs(toks, i + 1, depth + 1)
        return body, (j + 1 if j < len(toks) else j)
    if t.kind in ("char", "space"):
        return [("text", "−" if t.text == "-" else t.text)], i + 1
    if t.kind == "sym":
        return [("text", {",": " ", ";": " ", ":": " ", "!": "", " ": " ", "\\": "; "}
                 .get(t.text, t.text))], i + 1
    name = t.text
    if name in ("left", "right") or name in SIZES:
        j = _skip_spaces(toks, i + 1)
        if j < len(toks):
            u = toks[j]
            if u.kind == "char" and u.text == ".":
                return [], j + 1
            if u.kind == "char" or u.kind == "sym":
                return [("text", u.text)], j + 1
            if u.kind == "cs" and u.text in UNICODE_FOR:
                return [("text", UNICODE_FOR[u.text])], j + 1
        return [], j
    if name in ("begin", "end"):
        j = _skip_spaces(toks, i + 1)
        if j < len(toks) and toks[j].kind == "open":
            j = _group_end(toks, j)
        return [("text", " ")], j
    if name in TWO_ARITY:
        a, j = _arg_runs(toks, i + 1, depth)
        b, j = _arg_runs(toks, j, depth)
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            pa, pb = _plain(a), _plain(b)
            wrap_a = len(pa) > 1 and not pa.isalnum()
            wrap_b = len(pb) > 1 and not pb.isalnum()
            return ([("text", "(")] if wrap_a else []) + a + \
                ([("text", ")")] if wrap_a else []) + [("text", "/")] + \
                ([("text", "(")] if wrap_b else []) + b + \
                ([("text", ")")] if wrap_b else []), j
        if name in ("binom", "dbinom", "tbinom"):
            return [("text", "C(")] + a + [("text", ", ")] + b + [("text", ")")], j
        return b + [("sup", a)], j  # overset/stackrel: the base with its mark above
    if name in ONE_ARITY or name in TEXT_ARITY:
        j = i + 1
        if name in OPTIONAL_ARG:
            k = _skip_spaces(toks, j)
            if k < len(toks) and toks[k].kind == "char" and toks[k].text == "[":
                while k < len(toks) and not (toks[k].kind == "char" and toks[k].text == "]"):
                    k += 1
                j = k + 1
        a, j = _arg_runs(toks, j, depth)
        if name == "sqrt":
            p = _plain(a)
            return [("text", "√")] + ([("text", "(")] + a + [("text", ")")]
                                     if len(p) > 1 else a), j
        if name in _ACCENT_MARK:
            p = _plain(a)
            if len(p) == 1:
                return [("text", p + _ACCENT_MARK[name])], j
            return a, j
        return a, j
    if name in UNICODE_FOR:
        return [("text", UNICODE_FOR[name])], i + 1
    if name in DROPPED or name in ("displaystyle", "textstyle", "limits", "nolimits",
                                   "not", "mathstrut"):
        return [("text", "¬" if name == "not" else "")], i + 1
    return [("text", name)], i + 1


def _merge(runs):
    out = []
    for r in runs:
        if r[0] == "text":
            if out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1] + r[1])
            else:
                out.append(r)
        else:
            out.append((r[0], _merge(r[1])))
    return out
