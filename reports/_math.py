"""Mathematics for the two outputs: LaTeX strings → MathML (HTML), and text → LaTeX-safe text
(the PDF is typeset by pdflatex, which needs non-ASCII characters spelled as commands).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from markupsafe import Markup

try:  # pure-Python LaTeX → MathML converter (PyPI: latex2mathml)
    from latex2mathml.converter import convert as _latex_to_mathml
except ImportError:  # pragma: no cover - exercised only where the dependency is missing
    _latex_to_mathml = None

# Macros that latex2mathml does not know, rewritten to ones it does (display only).
_MATHML_REWRITES = (
    (re.compile(r"\\(?:dfrac|tfrac)(?![a-zA-Z])"), r"\\frac"),
    (re.compile(r"\\lvert(?![a-zA-Z])"), "|"),
    (re.compile(r"\\rvert(?![a-zA-Z])"), "|"),
    (re.compile(r"\\lVert(?![a-zA-Z])"), r"\\|"),
    (re.compile(r"\\rVert(?![a-zA-Z])"), r"\\|"),
    (re.compile(r"\\(?:displaystyle|textstyle|nonumber|limits)(?![a-zA-Z])"), ""),
)


@lru_cache(maxsize=4096)
def mathml(latex: str | None, display: bool = False) -> Markup:
    """``latex`` as a MathML ``<math>`` element (safe HTML), with the LaTeX source kept in its
    ``alttext``. When the converter is missing or cannot parse the string, the escaped LaTeX
    source is returned in a ``<code class="tex">`` instead (never an exception)."""
    if not latex:
        return Markup("")
    src = latex
    for pattern, repl in _MATHML_REWRITES:
        src = pattern.sub(repl, src)
    if _latex_to_mathml is not None:
        try:
            out = _latex_to_mathml(src, display="block" if display else "inline")
        except Exception:  # noqa: BLE001 - any parser failure falls back to the source
            out = None
        if out and "<math" in out:
            alt = html.escape(latex, quote=True)
            out = out.replace("<math ", f'<math alttext="{alt}" ', 1)
            return Markup(out)
    return Markup(f'<code class="tex">{html.escape(latex)}</code>')


# --------------------------------------------------------------------------- LaTeX text

_GREEK = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "ϵ": r"\epsilon", "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ι": r"\iota",
    "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi",
    "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau", "υ": r"\upsilon", "φ": r"\varphi",
    "ϕ": r"\phi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta",
    "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\Sigma",
    "Υ": r"\Upsilon", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
}
_SYMBOLS = {
    "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "≃": r"\simeq", "≡": r"\equiv",
    "→": r"\to", "←": r"\leftarrow", "↦": r"\mapsto", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow",
    "∞": r"\infty", "±": r"\pm", "∓": r"\mp", "×": r"\times", "·": r"\cdot", "⋅": r"\cdot",
    "−": "-", "∑": r"\sum", "∏": r"\prod", "√": r"\surd", "∂": r"\partial", "∇": r"\nabla",
    "∈": r"\in", "∉": r"\notin", "⊂": r"\subset", "⊆": r"\subseteq", "∪": r"\cup",
    "∩": r"\cap", "⊗": r"\otimes", "⊕": r"\oplus", "⊙": r"\odot", "⊥": r"\perp",
    "∀": r"\forall", "∃": r"\exists", "∘": r"\circ", "‖": r"\|", "∝": r"\propto",
    "⟨": r"\langle", "⟩": r"\rangle", "ℝ": r"\mathbb{R}", "∫": r"\int", "°": r"^\circ",
    "≪": r"\ll", "≫": r"\gg", "∼": r"\sim", "…": r"\dots", "⋯": r"\cdots", "ℓ": r"\ell",
    "ᵀ": r"^{\top}", "⁺": r"^{+}", "⁻": r"^{-}", "⁰": "^{0}", "¹": "^{1}", "²": "^{2}",
    "³": "^{3}", "⁴": "^{4}", "⁵": "^{5}", "⁶": "^{6}", "⁷": "^{7}", "⁸": "^{8}", "⁹": "^{9}",
    "₀": "_{0}", "₁": "_{1}", "₂": "_{2}", "₃": "_{3}", "₄": "_{4}", "₅": "_{5}", "₆": "_{6}",
    "₇": "_{7}", "₈": "_{8}", "₉": "_{9}", "ᵢ": "_{i}", "ⱼ": "_{j}", "ₖ": "_{k}", "ₙ": "_{n}",
    "ₜ": "_{t}", "≲": r"\lesssim", "≳": r"\gtrsim", "∅": r"\emptyset", "∖": r"\setminus",
    "⊤": r"\top", "†": r"\dagger", "′": "'", "″": "''", "½": r"\tfrac12", "¼": r"\tfrac14",
    "¾": r"\tfrac34", "µ": r"\mu", "ℕ": r"\mathbb{N}", "ℂ": r"\mathbb{C}", "ℤ": r"\mathbb{Z}",
    "⌊": r"\lfloor", "⌋": r"\rfloor", "⌈": r"\lceil", "⌉": r"\rceil", "≔": ":=",
    "∧": r"\wedge", "∨": r"\vee", "¬": r"\neg", "↑": r"\uparrow", "↓": r"\downarrow",
    "✓": r"\checkmark", "✔": r"\checkmark", "✗": r"\times", "★": r"\star",
}
_TEXT = {
    "“": "``", "”": "''", "‘": "`", "’": "'", "–": "--", "—": "---", "\u00a0": "~",
    "\u2009": r"\,", "\u200b": "", "ı": r"\i{}", "ß": r"\ss{}", "ø": r"\o{}", "æ": r"\ae{}",
    "§": r"\S{}", "¶": r"\P{}", "•": r"\textbullet{}",
}
_COMBINING = {"\u0303": r"\tilde", "\u0302": r"\hat", "\u0304": r"\bar", "\u0307": r"\dot",
              "\u0308": r"\ddot", "\u20d7": r"\vec", "\u0301": r"\acute", "\u0300": r"\grave",
              "\u030c": r"\check", "\u0306": r"\breve"}
_TEXT_ACCENTS = {"\u0301": "\\'", "\u0300": "\\`", "\u0308": '\\"', "\u0302": "\\^",
                 "\u0303": "\\~", "\u0304": "\\=", "\u0307": "\\.", "\u030c": "\\v",
                 "\u0306": "\\u", "\u0327": "\\c"}
_ASCII_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                  "#": r"\#", "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\textasciitilde{}",
                  "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def _unicode_char(ch: str, in_math: bool) -> str:
    """One non-ASCII character as LaTeX (in text: wrapped in ``\\ensuremath``)."""
    if ch in _TEXT and not in_math:
        return _TEXT[ch]
    cmd = _GREEK.get(ch) or _SYMBOLS.get(ch)
    if cmd is None:
        base = unicodedata.normalize("NFKD", ch)
        if base and base.isascii() and base.isprintable():
            return base
        return r"\textbf{?}" if not in_math else r"\text{\textbf{?}}"
    if in_math:
        return cmd + " " if cmd[-1].isalpha() else cmd
    return r"\ensuremath{" + cmd + "}"


def latex_text(text) -> str:
    """Plain text (with any Unicode) as LaTeX text for pdflatex: special characters escaped,
    Greek letters and mathematical symbols spelled as commands, a letter followed by a
    combining accent (``s̃``) typeset as the accented symbol, anything else unknown as '?'."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFD", str(text))  # Ũ → U + combining tilde
    out = []
    i = 0
    while i < len(s):
        ch = s[i]
        nxt = s[i + 1] if i + 1 < len(s) else ""
        if nxt in _TEXT_ACCENTS and ch.isascii() and ch.isalpha():
            out.append(_TEXT_ACCENTS[nxt] + "{" + ch + "}")
            i += 2
            continue
        if nxt in _COMBINING:
            base = _unicode_char(ch, True) if not ch.isascii() else ch
            out.append(r"\ensuremath{" + _COMBINING[nxt] + "{" + base + "}}")
            i += 2
            continue
        if ch in _COMBINING or ch == "\u0327":
            i += 1
            continue
        if ch.isascii():
            out.append(_ASCII_SPECIAL.get(ch, ch) if ch.isprintable() or ch in "\n\t" else " ")
        else:
            out.append(_unicode_char(ch, False))
        i += 1
    return "".join(out)


def latex_math(latex: str | None) -> str:
    """A LaTeX math string made safe for pdflatex: non-ASCII characters (e.g. a ``λ`` typed
    into ``\\text{...}``) become commands. The string is otherwise typeset as written."""
    if not latex:
        return ""
    s = unicodedata.normalize("NFD", latex)
    if s.isascii():
        return s
    out = []
    i = 0
    while i < len(s):
        ch = s[i]
        nxt = s[i + 1] if i + 1 < len(s) else ""
        if nxt in _COMBINING:
            base = ch if ch.isascii() else _unicode_char(ch, True)
            out.append(r"\ensuremath{" + _COMBINING[nxt] + "{" + base + "}}")
            i += 2
            continue
        if ch.isascii():
            out.append(ch)
        elif ch not in _COMBINING:
            out.append(r"\ensuremath{" + _unicode_char(ch, True) + "}")
        i += 1
    return "".join(out)
