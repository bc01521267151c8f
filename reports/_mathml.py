"""LaTeX → MathML for the HTML report, rebuilt from an allow-list.

The converter (latex2mathml) copies ``\\text{…}`` verbatim and turns ``\\style``, ``\\href`` and
``\\color`` into attributes, so its output is never trusted: :func:`safe_mathml` tokenises it
with the standard library's HTML tokeniser and writes a new tree that keeps only MathML
presentation elements and a fixed set of presentational attributes whose values match a strict
pattern (no ``url(``, no ``:``, no quotes). Text is re-escaped; an unknown element is dropped and,
for elements whose content is code (``script``, ``style``, ...), so is its content; an end tag
that does not close the innermost open element is ignored. What comes out is one ``<math>``
element that can neither run a script, load a resource nor link anywhere.
"""

from __future__ import annotations

import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from markupsafe import Markup

from . import _tex

try:  # pure-Python LaTeX → MathML converter (PyPI: latex2mathml)
    from latex2mathml.converter import convert as _latex_to_mathml
except ImportError:  # pragma: no cover - exercised only where the dependency is missing
    _latex_to_mathml = None

ELEMENTS = frozenset((
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msub", "msup", "msubsup", "munder", "mover", "munderover", "mfrac", "msqrt", "mroot",
    "mstyle", "mpadded", "mphantom", "menclose", "mfenced", "merror", "mtable", "mtr", "mtd",
    "mlabeledtr", "mmultiscripts", "mprescripts", "none"))
TOKEN_ELEMENTS = frozenset(("mi", "mn", "mo", "ms", "mtext", "annotation"))
VOID = frozenset(("mspace", "mprescripts", "none"))
# elements whose content is never shown (code, or markup we cannot vouch for)
DROP_CONTENT = frozenset(("script", "style", "annotation-xml", "iframe", "object", "embed",
                          "svg", "template", "noscript", "title", "textarea", "xmp",
                          "noembed", "noframes", "plaintext", "foreignobject", "math-style"))

_LENGTH = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)?\s*(?:em|ex|px|pt|mu|%|in|cm|mm)?$|^[a-z]*"
                     r"(?:mathspace)?$")
_WORD = re.compile(r"^[a-z][a-z -]{0,40}$")
_BOOL = re.compile(r"^(?:true|false)$")
_COLOR = re.compile(r"^(?:#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,20})$")
_FENCE = re.compile(r"^[()\[\]{}|.,;‖⟨⟩⌊⌋⌈⌉ ]{0,8}$")
_ALIGN = re.compile(r"^[a-z ]{0,80}$")
_SPACING = re.compile(r"^[0-9a-z. %-]{0,80}$")
_INT = re.compile(r"^[+-]?\d{1,2}$")
ATTRIBUTES = {
    "display": re.compile(r"^(?:block|inline)$"),
    "mathvariant": _WORD, "stretchy": _BOOL, "fence": _BOOL, "separator": _BOOL,
    "form": re.compile(r"^(?:prefix|infix|postfix)$"), "accent": _BOOL, "accentunder": _BOOL,
    "movablelimits": _BOOL, "largeop": _BOOL, "symmetric": _BOOL, "displaystyle": _BOOL,
    "lspace": _LENGTH, "rspace": _LENGTH, "width": _LENGTH, "height": _LENGTH,
    "depth": _LENGTH, "voffset": _LENGTH, "minsize": _LENGTH, "maxsize": _LENGTH,
    "linethickness": _LENGTH, "mathsize": _LENGTH, "scriptlevel": _INT,
    "columnalign": _ALIGN, "rowalign": _ALIGN, "columnlines": _ALIGN, "rowlines": _ALIGN,
    "frame": _ALIGN, "columnspacing": _SPACING, "rowspacing": _SPACING,
    "framespacing": _SPACING, "equalrows": _BOOL, "equalcolumns": _BOOL,
    "notation": _ALIGN, "open": _FENCE, "close": _FENCE, "separators": _FENCE,
    "columnspan": _INT, "rowspan": _INT, "mathcolor": _COLOR, "mathbackground": _COLOR,
}

# Text commands whose argument latex2mathml copies without escaping: their markup characters
# are swapped for private-use stand-ins before conversion and restored (escaped) after.
_TEXTUAL = re.compile(r"\\(?:text|textrm|textit|textbf|textsf|texttt|textnormal|mbox|"
                      r"operatorname|mathrm|mathit|mathbf|mathsf|mathtt)\s*\{")
_STAND_IN = {"<": "\ue000", ">": "\ue001", "&": "\ue002", '"': "\ue003", "'": "\ue004"}
_RESTORE = {v: k for k, v in _STAND_IN.items()}

# Macros latex2mathml does not know, rewritten to ones it does (display only).
_REWRITES = (
    (re.compile(r"\\(?:dfrac|tfrac|cfrac)(?![a-zA-Z])"), r"\\frac"),
    (re.compile(r"\\lvert(?![a-zA-Z])"), "|"),
    (re.compile(r"\\rvert(?![a-zA-Z])"), "|"),
    (re.compile(r"\\lVert(?![a-zA-Z])"), r"\\|"),
    (re.compile(r"\\rVert(?![a-zA-Z])"), r"\\|"),
    (re.compile(r"\\(?:displaystyle|textstyle|nonumber|limits|notag)(?![a-zA-Z])"), ""),
    (re.compile(r"\\(tr|diag|sgn|rank|Var)(?![a-zA-Z])"), r"\\operatorname{\1}"),
    (re.compile(r"\\bm(?![a-zA-Z])"), r"\\boldsymbol"),
)


def _protect_text(src: str) -> str:
    """Swap markup characters inside text-like arguments for private-use stand-ins."""
    out = []
    i = 0
    for m in _TEXTUAL.finditer(src):
        if m.start() < i:
            continue
        out.append(src[i:m.end()])
        depth, j = 1, m.end()
        while j < len(src) and depth:
            ch = src[j]
            if ch == "\\" and j + 1 < len(src):
                out.append(src[j:j + 2])
                j += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            out.append(_STAND_IN.get(ch, ch))
            j += 1
        i = j
    out.append(src[i:])
    return "".join(out)


class _Rebuild(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.drop = 0           # > 0 while inside an element whose content is dropped
        self.drop_tag: list[str] = []

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if self.drop:
            if tag in DROP_CONTENT:
                self.drop += 1
                self.drop_tag.append(tag)
            return
        if tag in DROP_CONTENT:
            self.drop = 1
            self.drop_tag = [tag]
            return
        if tag not in ELEMENTS or tag == "math":
            return  # unknown: its content may still be shown; the root is ours
        kept = []
        for name, value in attrs:
            name = (name or "").lower()
            pattern = ATTRIBUTES.get(name)
            if pattern is None or value is None:
                continue
            value = value.strip()
            if pattern.match(value):
                kept.append(f' {name}="{html.escape(value, quote=True)}"')
        if tag in VOID:
            self.out.append(f"<{tag}{''.join(kept)}/>")
            return
        self.out.append(f"<{tag}{''.join(kept)}>")
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        tag = tag.lower()
        if self.drop or tag in DROP_CONTENT:
            return
        if tag in ELEMENTS and tag != "math":
            self.handle_starttag(tag, attrs)
            if tag not in VOID and self.stack and self.stack[-1] == tag:
                self.handle_endtag(tag)

    def handle_endtag(self, tag):
        tag = tag.lower()
        if self.drop:
            if tag == self.drop_tag[-1]:
                self.drop_tag.pop()
                self.drop -= 1
            return
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.drop or not data:
            return
        text = "".join(_RESTORE.get(ch, ch) for ch in data)
        text = html.escape(text, quote=False)
        if self.stack and self.stack[-1] in TOKEN_ELEMENTS:
            self.out.append(text)
        elif text.strip():
            self.out.append(f"<mtext>{text}</mtext>")

    def handle_comment(self, data):
        return

    def handle_decl(self, decl):
        return

    def handle_pi(self, data):
        return

    def unknown_decl(self, data):
        return

    def result(self) -> str:
        self.close()
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        return "".join(self.out)


def rebuild(markup: str) -> str:
    """The children of converter output, rebuilt from the allow-list (no ``<math>`` root)."""
    r = _Rebuild()
    r.feed(markup)
    return r.result()


# Conversions of this process, by a hash of (LaTeX, display); :func:`preload` fills it from
# the (authenticated) cache so that an unchanged report converts nothing.
_MEMO: dict[str, str] = {}
_USED: set[str] = set()


def _memo_key(latex: str, display: bool) -> str:
    return hashlib.sha256(f"{int(display)}\0{latex}".encode("utf-8", "replace")).hexdigest()[:32]


def code_version() -> str:
    """What the conversion depends on: this module, the tokeniser and the converter."""
    import latex2mathml

    h = hashlib.sha256(getattr(latex2mathml, "__version__", "?").encode())
    for mod in (__file__, _tex.__file__):
        h.update(Path(mod).read_bytes())
    return h.hexdigest()


def preload(entries: dict) -> None:
    """Conversions from a previous run (trusted: they come from the authenticated cache)."""
    if isinstance(entries, dict):
        _MEMO.update({k: v for k, v in entries.items()
                      if isinstance(k, str) and isinstance(v, str)})


def used_entries() -> dict:
    """The conversions used since :func:`reset_used` (to be cached)."""
    return {k: _MEMO[k] for k in _USED if k in _MEMO}


def reset_used() -> None:
    _USED.clear()


def safe_mathml(latex: str | None, display: bool = False) -> Markup:
    """``latex`` as one sanitised MathML ``<math>`` element, with the LaTeX source in its
    ``alttext``. When the converter is missing or cannot parse the string, the escaped source
    is returned in ``<code class="tex">`` instead (never an exception, never markup)."""
    if not latex:
        return Markup("")
    key = _memo_key(str(latex), bool(display))
    _USED.add(key)
    hit = _MEMO.get(key)
    if hit is None:
        hit = _MEMO[key] = str(_convert(str(latex), bool(display)))
    return Markup(hit)


def _convert(latex: str, display: bool) -> Markup:
    src = _tex.clean_source(latex)
    for pattern, repl in _REWRITES:
        src = pattern.sub(repl, src)
    body = None
    if _latex_to_mathml is not None:
        try:
            out = _latex_to_mathml(_protect_text(src), display="block" if display else "inline")
        except Exception:  # noqa: BLE001 - any parser failure falls back to the source
            out = None
        if out and "<math" in out:
            body = rebuild(out)
    if not body:
        return Markup(f'<code class="tex">{html.escape(str(latex))}</code>')
    alt = html.escape(_tex.clean_source(latex), quote=True)
    disp = "block" if display else "inline"
    return Markup(f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="{disp}" '
                  f'alttext="{alt}">{body}</math>')
