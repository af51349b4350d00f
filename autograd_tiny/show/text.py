r"""The words every view writes with: names, numbers and formulas as text and as LaTeX.

`explain`, the textbook views and the stepper all write values, numbers and formulas through
these functions, so a value reads the same in the narrative, the Markdown and the page.

>>> from autograd_tiny import Value
>>> a = Value(-3.0, label="a")
>>> operand_texts(a * 2, {a: "a"})
(['a', '2'], ['(−3)', '2'])
>>> number(-0.5), operand(-3.0), times(0.4, -0.038), number(-2.0, decimals=4)
('−0.5', '(−3)', '0.4 × (−0.038)', '−2.0000')
>>> tex("w_1"), plural(2, "step"), sorted(["L10", "L2"], key=natural_key)
('\\mathrm{w\\_1}', '2 steps', ['L2', 'L10'])
"""

from __future__ import annotations

import math
import re

from ..core.ops import escape_code, escape_hidden, format_number, is_hidden
from ..core.value import Value, operands

__all__ = [
    "MINUS",
    "number",
    "operand",
    "times",
    "tex_number",
    "tex_operand",
    "plural",
    "text_label",
    "tex",
    "tex_fill",
    "operand_texts",
    "tex_operands",
    "chain_text",
    "natural_key",
]


# --------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------

# The minus sign of display text (U+2212), as textbooks print it. Only display text uses it:
# generated code, error messages (which show Python values) and LaTeX (which renders "-"
# as a minus already) keep the ASCII hyphen-minus that `format_number` writes.
MINUS = "\u2212"


def number(x: float, *, decimals: int | None = None) -> str:
    """A number as every view displays it: `format_number` with the minus sign −.

    The one place display text writes numbers (the narrative, the textbook views, the
    drawings' cells, the command line, the gradient check's table). `decimals` as in
    `format_number` (None: the short style; the drawings and the page use 4).

    >>> number(-0.5), number(2.0), number(float("-inf")), number(-1e-9), number(-3.0, decimals=4)
    ('−0.5', '2', '−inf', '−1e-09', '−3.0000')
    """
    text = format_number(x, decimals=decimals)
    return MINUS + text[1:] if text.startswith("-") else text


def operand(x: float, *, decimals: int | None = None) -> str:
    """A number ready to stand in a formula: a negative one in parentheses, ``(−3)``."""
    text = number(x, decimals=decimals)
    return f"({text})" if text.startswith(MINUS) else text


def times(x: float, y: float) -> str:
    """``0.4 × (−0.038)``: a product with negative factors in parentheses."""
    return f"{operand(x)} × {operand(y)}"


def tex_number(x: float) -> str:
    r"""A number in LaTeX: ``\infty``, ``-\infty`` and ``\mathrm{NaN}`` for the non-finite.

    >>> tex_number(2.5), tex_number(float("-inf")), tex_number(float("nan")), tex_number(-1e-9)
    ('2.5', '-\\infty', '\\mathrm{NaN}', '-1 \\times 10^{-9}')
    """
    if x != x:
        return r"\mathrm{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    text = format_number(x)
    if "e" in text:  # 1e+308 -> 1 \times 10^{308}
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def tex_operand(x: float) -> str:
    """A number substituted into a LaTeX formula: negative numbers in parentheses."""
    text = tex_number(x)
    return f"({text})" if text.startswith("-") else text


def plural(count: int, word: str) -> str:
    """``1 step``, ``2 steps``.

    >>> plural(1, "step"), plural(0, "value"), plural(3, "neuron")
    ('1 step', '0 values', '3 neurons')
    """
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# --------------------------------------------------------------------------------------
# Labels are data: one escaping function per output kind
# --------------------------------------------------------------------------------------


def text_label(name: str) -> str:
    r"""A label as plain text shows it: on one line, every invisible character escaped.

    Used for every label in the text narrative and the HTML stepper's text.

    >>> text_label("a"), text_label("x\ny"), text_label("nul\x00"), text_label("\ud800")
    ('a', 'x\\ny', 'nul\\x00', '\\ud800')
    """
    return escape_hidden(name)


# Characters that mean something to LaTeX or to Markdown (which sees the math first in
# renderers that do not know it): each becomes a LaTeX command that prints the character.
_TEX_SPECIAL = {
    "\\": r"\backslash ",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "_": r"\_",
    "#": r"\#",
    "%": r"\%",
    "&": r"\&",
    "^": r"\hat{}",
    "~": r"\sim ",
    "<": r"\lt ",
    ">": r"\gt ",
    "*": r"\ast ",
    "`": r"\backprime ",
    "[": r"\lbrack ",
    "]": r"\rbrack ",
    "|": r"\vert ",
    " ": r"\ ",
}


def _tex_text(text: str) -> str:
    """Characters escaped for LaTeX math; invisible ones as visible escape codes."""
    out = []
    for c in text:
        if c in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[c])
        elif is_hidden(c):
            # "\x00" as text: a backslash command and then plain letters and digits.
            out.append(r"\backslash " + escape_code(c)[1:])
        else:
            out.append(c)
    return "".join(out)


def tex(name: str) -> str:
    r"""A label in LaTeX (inside Markdown ``$…$``): upright, every special character escaped.

    Used for every label in the Markdown output. No raw HTML, no line break, no unbalanced
    brace, backslash or dollar survives.

    >>> print(tex("w_1{x}"))
    \mathrm{w\_1\{x\}}
    >>> print(tex("<b>\n"))
    \mathrm{\lt b\gt \backslash n}
    """
    return "\\mathrm{" + _tex_text(name) + "}"


# Formula templates (the registry, engine.RULES) in LaTeX. The operand placeholders and the groups this
# conversion adds are kept as private-use characters while the template's text is escaped.
_FIELD = re.compile(r"\{(\d+|out)\}")
_OPEN, _CLOSE, _START, _END, _SUP, _SQRT = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004", "\ue005"
_TEX_WORDS = (
    (re.compile(r"\bexp\("), r"\\exp("),
    (re.compile(r"\bln\b ?"), r"\\ln "),
    (re.compile(r"\btanh\("), r"\\tanh("),
    (re.compile(r"\brelu\("), r"\\operatorname{relu}("),
    (re.compile(r"\bsign\("), r"\\operatorname{sign}("),
    # Any other function name (an op's own, from the registry or define_op) as an operator.
    (re.compile(r"(?<![\\\w])([A-Za-z]{2,})\("), r"\\operatorname{\1}("),
    (re.compile(r" if "), r" \\text{ if } "),
    (re.compile(r" else "), r" \\text{ else } "),
)
_TEX_SYMBOLS = (
    (" · ", r" \cdot "),
    ("Σ", r"\Sigma "),
    ("·", r" \cdot "),
    ("−", "-"),
    ("²", "^2"),
    ("σ", r"\sigma "),
    ("√", r"\sqrt "),
)


def tex_fill(template: str, fills: list[str], out: str) -> str:
    r"""Fill a rule's formula template (``engine.RULES``) with LaTeX operands.

    >>> print(tex_fill("{1} · {0}^({1} − 1)", [r"\mathrm{a}", "2"], out=r"\mathrm{y}"))
    2 \cdot \mathrm{a}^{(2 - 1)}
    >>> print(tex_fill("1 / (2 · √{0})", [r"\mathrm{a}"], out="y"))
    1 / (2 \cdot \sqrt{\mathrm{a}})
    """
    field = _START + r"(\d+|out)" + _END
    text = _FIELD.sub(lambda m: _START + m.group(1) + _END, template)
    # Superscripts and roots take one group in LaTeX: a^(b − 1) -> a^{(b − 1)}, √a -> \sqrt{a}.
    text = re.sub(r"\^\(([^()]*)\)", lambda m: f"{_SUP}{_OPEN}({m.group(1)}){_CLOSE}", text)
    text = re.sub(r"\^(" + field + ")", lambda m: f"{_SUP}{_OPEN}{m.group(1)}{_CLOSE}", text)
    text = re.sub(r"√(" + field + ")", lambda m: f"{_SQRT}{_OPEN}{m.group(1)}{_CLOSE}", text)
    # The template's own text: LaTeX specials escaped (its spaces are layout, kept as is).
    text = "".join(c if c == " " else _TEX_SPECIAL.get(c, c) for c in text)
    for pattern, tex in _TEX_WORDS:
        text = pattern.sub(tex, text)
    for plain, tex in _TEX_SYMBOLS:
        text = text.replace(plain, tex)
    for private, tex in ((_OPEN, "{"), (_CLOSE, "}"), (_SUP, "^"), (_SQRT, r"\sqrt")):
        text = text.replace(private, tex)
    return re.sub(field, lambda m: out if m.group(1) == "out" else fills[int(m.group(1))], text)


def operand_texts(node: Value, names: dict, *, decimals: int | None = None) -> tuple[list[str], list[str]]:
    """The operands of `node`'s op written as names and as numbers (plain text).

    Values' numbers use `decimals` (None: the short style of the narrative; the HTML page
    asks for 4); constants are written as they stand in the formula. A negative number is
    put in parentheses, ready to be substituted into a formula.

    >>> a = Value(-3.0, label="a")
    >>> operand_texts(a * 2, {a: "a"}), operand_texts(a * 2, {a: "a"}, decimals=4)
    ((['a', '2'], ['(−3)', '2']), (['a', '2'], ['(−3.0000)', '2']))
    """
    as_names, as_numbers = [], []
    for each in operands(node):
        if isinstance(each, Value):
            as_names.append(text_label(names[each]))
            as_numbers.append(operand(each.data, decimals=decimals))
        else:
            as_names.append(number(each))
            as_numbers.append(operand(each))
    return as_names, as_numbers


def tex_operands(node: Value, names: dict) -> list[str]:
    """The operands of `node`'s op in LaTeX: names for values, numbers for constants."""
    return [tex(names[o]) if isinstance(o, Value) else tex_operand(o) for o in operands(node)]


# A number as the views write one: 3, -0.5, 1.0000, 1e-09, 3.0000e+300, inf, -inf, nan.
_NUMBER = re.compile(r"[+-]?((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|inf)|nan")


def _as_number(part: str) -> float | None:
    """The number a part of an equation writes (``1``, ``1.0000``, ``(−3)``), else None."""
    text = part.strip().replace(MINUS, "-")
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return float(text) if _NUMBER.fullmatch(text) else None


def chain_text(*parts: str) -> str:
    """Join ``a = b = c``, never writing the same number twice in a row (no ``= 1 = 1.0000``).

    An empty part is left out. A part that repeats the one before it is dropped; when both
    write the same number in different ways (``1`` and ``1.0000``, ``(−3)`` and ``−3``,
    ``−1`` and ``-1``) the later one, the computed value as the view formats it, is kept.
    A part after the first that is a number is shown with the minus sign −, whoever
    formatted it (the first part, a name, is shown as written).

    >>> chain_text("∂y/∂x", "−1", "-1", "-1")
    '∂y/∂x = −1'
    >>> chain_text("∂b/∂a₍₁₎", "1", "1", "1.0000"), chain_text("δ", "", "11", "11")
    ('∂b/∂a₍₁₎ = 1.0000', 'δ = 11')
    >>> chain_text("∂c/∂a₍₁₎", "b", "(−2.0000)", "−2.0000"), chain_text("x", "0.5", "0.5000", "0.7")
    ('∂c/∂a₍₁₎ = b = −2.0000', 'x = 0.5000 = 0.7')
    >>> chain_text("(−0.5)", "−0.5"), chain_text("∂y/∂x₍₂₎", "−1", "-1.0000"), chain_text("y", "1e-09")
    ('−0.5', '∂y/∂x₍₂₎ = −1.0000', 'y = 1e-09')
    >>> chain_text("-3", "a + b", "(-1.0000) + (-2.0000)", "-3.0000")  # a value labelled "-3"
    '-3 = a + b = (-1.0000) + (-2.0000) = −3.0000'
    """
    kept: list[str] = []
    for part in parts:
        if not part:
            continue
        if kept and part.replace(MINUS, "-") == kept[-1].replace(MINUS, "-"):
            continue
        value = _as_number(part)
        if value is not None and kept:  # a number, however formatted, shows the minus sign (a label as written)
            part = re.sub(r"^(\(?)-", r"\1" + MINUS, part.strip())
        if kept and value is not None and value == _as_number(kept[-1]):
            kept[-1] = part  # the same number: written once, as the view formats values
        else:
            kept.append(part)
    return " = ".join(kept)


def natural_key(key: str) -> list:
    """Sort key that reads numbers as numbers: "L2" < "L10"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", key)]
