"""inf, -inf and nan through every output of explain: text, Markdown/LaTeX, HTML, drawings."""

from __future__ import annotations

import json
import math

from autograd_tiny import Value, explain
from autograd_tiny.core.ops import format_number
from autograd_tiny.show.text import tex_number
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)


def overflow():
    """Value(1e308) * 10 is inf, as floats overflow; minus itself is nan."""
    x = Value(1e308, label="x")
    y = x * 10
    y.label = "y"
    z = y - y
    z.label = "z"
    return x, z


def sqrt_at_zero():
    """The local derivative of sqrt at 0 is inf; times an upstream 0 the contribution is nan."""
    b = Value(0.0, label="b")
    t = b.sqrt() * 0
    t.label = "t"
    return b, t


def test_numbers():
    assert [format_number(v) for v in (math.inf, -math.inf, math.nan, 1e308)] == ["inf", "-inf", "nan", "1e+308"]
    assert [tex_number(v) for v in (math.inf, -math.inf, math.nan, 1e308)] == [
        r"\infty",
        r"-\infty",
        r"\mathrm{NaN}",
        r"1 \times 10^{308}",
    ]


def test_overflow_in_text_and_markdown():
    _x, z = overflow()
    e = explain(z)
    text = str(e)
    assert "  y = x · 10 = inf\n  z = y − y = nan\n" in text
    assert (
        "2. ∂z/∂y₍₂₎ = −1;  upstream ∂z/∂z = 1;  contribution (−1) × 1 = −1;  y.grad = 1 + (−1) = 0  (fan-out" in text
    )
    md = e.markdown()
    assert r"- $\mathrm{y} = \mathrm{x} \cdot 10 = \infty$" in md
    assert r"- $\mathrm{z} = \mathrm{y} - \mathrm{y} = \mathrm{NaN}$" in md
    assert r"- $\mathrm{x} = 1 \times 10^{308}$" in md


def test_negative_overflow():
    x = Value(-1e308, label="x")
    y = x * 10
    y.label = "y"
    e = explain(y)
    assert "  y = x · 10 = −inf\n" in str(e)
    assert r"\mathrm{y} = \mathrm{x} \cdot 10 = -\infty$" in e.markdown()
    assert "grad 10.0000" in e.draw(step=1).source


def test_infinite_local_derivative_and_nan_contribution_in_text_and_markdown():
    b, t = sqrt_at_zero()
    e = explain(t)
    assert math.isinf(e.steps[1].local) and math.isnan(e.gradients[b])
    text = str(e)
    assert (
        "  2. ∂t1/∂b₍₁₎ = 1 / (2 · √b) = 1 / (2 · √0) = inf;  upstream ∂t/∂t1 = 0;  "
        "contribution inf × 0 = nan;  b.grad = nan\n" in text
    )
    assert "  ∂t/∂b = nan\n" in text
    assert "b.grad holds 0 (this pass: nan)" in text
    md = e.markdown()
    assert (
        r"2. $\frac{\partial \mathrm{t1}}{\partial \mathrm{b}_{(1)}} = 1 / (2 \cdot \sqrt{\mathrm{b}}) = \infty$; "
        r"$\frac{\partial \mathrm{t}}{\partial \mathrm{b}} = \frac{\partial \mathrm{t1}}{\partial \mathrm{b}_{(1)}} \cdot "
        r"\frac{\partial \mathrm{t}}{\partial \mathrm{t1}} = \infty \cdot 0 = \mathrm{NaN}$" in md
    )
    assert r"- $\frac{\partial \mathrm{t}}{\partial \mathrm{b}} = \mathrm{NaN}$" in md


def test_a_nan_grad_left_by_backward_agrees_with_the_pass():
    b, t = sqrt_at_zero()
    t.backward()
    assert math.isnan(b.grad)
    assert "Note" not in str(explain(t))  # nan in .grad and nan in this pass agree


def test_html_page_and_drawings(tmp_path):
    _b, t = sqrt_at_zero()
    e = explain(t)
    page = e.save_html(tmp_path / "nan.html")
    text = open(page, encoding="utf-8").read()
    data = json.loads(text[text.index('type="application/json">') + 24 : text.index("</script>")])
    assert [step["grad"] for step in data["steps"]] == ["0.0000", "nan"]
    assert "contribution inf × 0.0000 = nan" in data["steps"][1]["text"]
    assert "grad nan" in e.draw().source and "grad nan" in e.draw(step=2).source
    _x, z = overflow()
    page = explain(z).save_html(tmp_path / "inf.html")
    assert "data inf" in open(page, encoding="utf-8").read()


def test_stepping_a_nan_page_in_the_browser(browser, tmp_path):  # noqa: F811
    _b, t = sqrt_at_zero()
    path = explain(t).save_html(tmp_path / "nan.html")
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"file://{path}")
    page.click("#to-backward")  # skip the forward pass
    page.click("#next")
    page.click("#next")
    assert page.inner_text("#equation").startswith("2. ∂t1/∂b₍₁₎ = 1 / (2 · √b) = 1 / (2 · √0.0000) = inf")
    grads = page.evaluate(
        "Array.from(document.querySelectorAll('g.node')).map(g => { var t = g.getElementsByTagName('text'); return t.length ? t[t.length - 1].textContent : ''; })"
    )
    assert "grad nan" in grads and "grad ?" not in grads
    assert errors == []
    page.close()
