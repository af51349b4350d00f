"""Training never goes silently NaN: optimizers, losses and gradcheck refuse what would."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_tiny import Value
from autograd_tiny.learn.gradcheck import gradcheck
from autograd_tiny.learn.losses import binary_cross_entropy, cross_entropy, hinge, mse
from autograd_tiny.learn.nn import MLP
from autograd_tiny.learn.optim import SGD, Adam

# --- optimizers: parameters --------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1), lambda ps: Adam(ps)])
def test_a_parameter_listed_twice_is_refused(make):
    w, b = Value(1.0, label="w"), Value(0.0, label="b")
    with pytest.raises(
        ValueError, match=r"the same Value \(w\) is listed twice \(positions 0 and 2\); pass each Value once"
    ):
        make([w, b, w])


def test_a_model_listed_twice_is_refused_naming_the_label():
    model = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match=r"the same Value \(L1.N1.w1\) is listed twice \(positions 0 and 3\)"):
        SGD(model.parameters() + model.parameters(), lr=0.1)


def test_an_unlabelled_duplicate_is_named_by_position():
    v = Value(1.0)
    with pytest.raises(
        ValueError, match=r"the same Value \(parameter 1 \(no label\)\) is listed twice \(positions 1 and 2\)"
    ):
        SGD([Value(2.0), v, v], lr=0.1)


def test_equal_but_distinct_values_are_fine():
    a, b = Value(1.0), Value(1.0)
    assert SGD([a, b], lr=0.1).params == [a, b]


# --- optimizers: settings, at construction and on assignment ------------------------------

_BAD_SETTINGS = [
    ("lr", -0.1, ValueError, r"lr must be a finite number >= 0, got -0.1; pass e.g. lr=0.01"),
    ("lr", math.nan, ValueError, r"lr must be a finite number >= 0, got nan"),
    ("lr", math.inf, ValueError, r"lr must be a finite number >= 0, got inf"),
    ("lr", "0.1", TypeError, r"lr must be a number, got str '0.1'; pass e.g. lr=0.01"),
    ("lr", True, TypeError, r"lr must be a number, got bool True"),
    ("lr", None, TypeError, r"lr must be a number, got NoneType None"),
    ("weight_decay", -1e-4, ValueError, r"weight_decay must be a finite number >= 0, got -0.0001"),
    ("weight_decay", math.nan, ValueError, r"weight_decay must be a finite number >= 0, got nan"),
]


@pytest.mark.parametrize(("name", "value", "error", "message"), _BAD_SETTINGS)
@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_bad_shared_settings_are_refused_at_construction_and_assignment(kind, name, value, error, message):
    make = {"SGD": lambda **kw: SGD([Value(1.0)], **{"lr": 0.1, **kw}), "Adam": lambda **kw: Adam([Value(1.0)], **kw)}[
        kind
    ]
    with pytest.raises(error, match=message):
        make(**{name: value})
    opt = make()
    before = getattr(opt, name)
    with pytest.raises(error, match=message):
        setattr(opt, name, value)
    assert getattr(opt, name) == before


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (1.0, ValueError, r"momentum must be a number in \[0, 1\), got 1.0; pass e.g. momentum=0.9"),
        (-0.5, ValueError, r"momentum must be a number in \[0, 1\), got -0.5"),
        (math.nan, ValueError, r"momentum must be a number in \[0, 1\), got nan"),
        ("0.9", TypeError, r"momentum must be a number, got str '0.9'"),
    ],
)
def test_bad_momentum_is_refused(value, error, message):
    with pytest.raises(error, match=message):
        SGD([Value(1.0)], lr=0.1, momentum=value)
    opt = SGD([Value(1.0)], lr=0.1, momentum=0.5)
    with pytest.raises(error, match=message):
        opt.momentum = value
    assert opt.momentum == 0.5


@pytest.mark.parametrize(
    ("betas", "error", "message"),
    [
        ((0.9, 1.0), ValueError, r"betas\[1\] must be a number in \[0, 1\), got 1.0; pass e.g. betas=\(0.9, 0.999\)"),
        ((math.nan, 0.999), ValueError, r"betas\[0\] must be a number in \[0, 1\), got nan"),
        ((-0.1, 0.999), ValueError, r"betas\[0\] must be a number in \[0, 1\), got -0.1"),
        ((0.9,), TypeError, r"betas must be a pair of numbers, got \(0.9,\)"),
        ("ab", TypeError, r"betas must be a pair of numbers, got 'ab'"),
        ((0.9, "x"), TypeError, r"betas\[1\] must be a number, got str 'x'"),
    ],
)
def test_bad_betas_are_refused(betas, error, message):
    with pytest.raises(error, match=message):
        Adam([Value(1.0)], betas=betas)
    opt = Adam([Value(1.0)])
    with pytest.raises(error, match=message):
        opt.betas = betas
    assert opt.betas == (0.9, 0.999)


@pytest.mark.parametrize(
    ("eps", "message"),
    [
        (0.0, r"eps must be a finite number > 0, got 0.0; pass e.g. eps=1e-8"),
        (-1e-8, r"eps must be a finite number > 0, got -1e-08"),
        (math.inf, r"eps must be a finite number > 0, got inf"),
        (math.nan, r"eps must be a finite number > 0, got nan"),
    ],
)
def test_bad_eps_is_refused(eps, message):
    with pytest.raises(ValueError, match=message):
        Adam([Value(1.0)], eps=eps)
    opt = Adam([Value(1.0)])
    with pytest.raises(ValueError, match=message):
        opt.eps = eps
    assert opt.eps == 1e-8


def test_a_schedule_can_change_the_settings_between_steps():
    w = Value(1.0)
    opt = SGD([w], lr=0.1)
    (w * w).backward()
    opt.step()
    opt.lr = 0.5
    w.grad = 0.0
    (w * w).backward()
    opt.step()
    assert w.data == pytest.approx(0.8 - 0.5 * 1.6)
    assert type(opt.lr) is float


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "longdouble", "int64"])
def test_numpy_numbers_of_any_width_are_accepted(dtype):
    np = pytest.importorskip("numpy")
    lr = getattr(np, dtype)(1 if dtype == "int64" else 0.5)
    w = Value(1.0)
    sgd = SGD([w], lr=lr, momentum=np.float32(0.5), weight_decay=np.float16(0))
    adam = Adam([Value(1.0)], lr=lr, betas=(np.float32(0.5), np.float64(0.75)), eps=np.float32(1e-8))
    assert type(sgd.lr) is float and type(adam.betas[0]) is float and type(adam.eps) is float
    (w * w).backward()
    sgd.step()
    assert w.data == 1.0 - float(lr) * 2.0
    sgd.lr = np.float16(0.25)
    assert sgd.lr == 0.25


# --- optimizers: step() with non-finite gradients ------------------------------------------


def _model_with_gradients(seed=0):
    model = MLP(2, [3, 1], activation="tanh", seed=seed)
    model([0.5, -1.0]).backward()
    return model


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.1)])
@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_a_non_finite_gradient_is_refused_naming_the_parameter_and_nothing_changes(make, bad):
    model = _model_with_gradients()
    opt = make(model.parameters())
    opt.step()  # a normal step first, so there is momentum / running averages to keep
    state = (list(getattr(opt, "velocity", [])), list(getattr(opt, "m", [])), list(getattr(opt, "v", [])), opt.steps)
    before = [p.data for p in model.parameters()]
    model.layers[1].neurons[0].b.grad = bad
    with pytest.raises(ValueError, match=rf"the gradient of L2.N1.b is {bad!r}; step\(\) changed no parameter"):
        opt.step()
    assert [p.data for p in model.parameters()] == before
    assert (
        list(getattr(opt, "velocity", [])),
        list(getattr(opt, "m", [])),
        list(getattr(opt, "v", [])),
        opt.steps,
    ) == state


def test_weight_decay_that_overflows_is_refused():
    w = Value(1e308, label="w")
    w.grad = 1.0
    opt = SGD([w], lr=0.1, weight_decay=10.0)
    with pytest.raises(ValueError, match=r"the gradient of w is inf with weight decay; step\(\) changed no parameter"):
        opt.step()
    assert w.data == 1e308


def test_a_step_that_would_overflow_a_parameter_is_refused():
    w = Value(1.0, label="w")
    w.grad = 1e300
    opt = SGD([w], lr=1e10)
    with pytest.raises(ValueError, match=r"step\(\) would make w -inf \(gradient 1e\+300, lr 10000000000.0\)"):
        opt.step()
    assert w.data == 1.0 and opt.steps == 0


@given(grads=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=3, max_size=3))
def test_step_either_refuses_or_leaves_every_parameter_finite(grads):
    params = [Value(0.5, label=f"p{i}") for i in range(3)]
    for p, g in zip(params, grads):
        p.grad = g
    for opt in (SGD(params, lr=0.01, momentum=0.9), Adam(params, lr=0.01)):
        before = [p.data for p in params]
        try:
            opt.step()
        except ValueError as error:
            assert "changed no parameter" in str(error)
            assert [p.data for p in params] == before
        else:
            assert all(math.isfinite(p.data) for p in params)


# --- losses ----------------------------------------------------------------------------


@pytest.mark.parametrize("loss", [mse, binary_cross_entropy, hinge])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_losses_refuse_non_finite_targets(loss, bad):
    name = loss.__name__
    with pytest.raises(
        ValueError, match=rf"^{name} targets\[1\] must be a finite number, got {bad!r}; drop or fix that sample$"
    ):
        loss([Value(0.5), Value(0.5)], [1, bad])


def test_losses_accept_numpy_targets():
    np = pytest.importorskip("numpy")
    assert mse([Value(1.0)], [np.float32(0.5)]).data == 0.25
    assert mse([Value(1.0)], np.array([0.0])).data == 1.0


@pytest.mark.parametrize(
    ("logits", "labels", "error", "message"),
    [
        (
            [[Value(1.0), Value(2.0)]],
            [True],
            TypeError,
            r"labels must be integer class indices, got bool True for sample 0 \(counting from 0\)",
        ),
        (
            [[Value(1.0), Value(2.0)]],
            [1.0],
            TypeError,
            r"labels must be integer class indices, got float 1.0 for sample 0 \(counting from 0\); convert with int",
        ),
        ([[Value(1.0), Value(2.0)]], ["1"], TypeError, r"labels must be integer class indices, got str '1'"),
        (
            [Value(1.0), Value(2.0)],
            1.0,
            TypeError,
            r"cross_entropy labels must be integer class indices, got float 1.0",
        ),
        (
            [Value(1.0), Value(2.0)],
            True,
            TypeError,
            r"cross_entropy labels must be integer class indices, got bool True",
        ),
        (
            [[Value(1.0), Value(2.0)]],
            [2],
            ValueError,
            r"labels must be class indices 0..1, got 2 for sample 0 \(counting from 0\)",
        ),
        (
            [[Value(1.0), Value(2.0)]],
            [-1],
            ValueError,
            r"labels must be class indices 0..1, got -1 for sample 0 \(counting from 0\)",
        ),
        (
            [[Value(1.0)], [Value(2.0)]],
            [0],
            ValueError,
            r"cross_entropy: 2 samples but 1 labels; pass one label per sample",
        ),
        (
            [Value(1.0), Value(2.0)],
            [0, 1],
            TypeError,
            r"got one sample's 2 scores with a list of 2 labels; pass an int label",
        ),
        ([[]], [0], TypeError, r"sample 0 \(counting from 0\) must be a non-empty list of Values or numbers"),
        ([Value(1.0)], None, TypeError, r"cross_entropy needs a list of class scores with an int label"),
        ([], [], ValueError, r"cross_entropy needs at least one sample, got none"),
    ],
)
def test_cross_entropy_validates_its_labels(logits, labels, error, message):
    with pytest.raises(error, match=message):
        cross_entropy(logits, labels)


def test_cross_entropy_accepts_numpy_integer_labels_and_number_scores():
    np = pytest.importorskip("numpy")
    a = cross_entropy([[Value(1.0), 2.0, Value(3.0)]], np.array([2]))
    b = cross_entropy([Value(1.0), Value(2.0), Value(3.0)], np.int64(2))
    expected = math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 3
    assert a.data == pytest.approx(expected) and b.data == pytest.approx(expected)


# --- gradcheck ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"eps": 0.0}, ValueError, r"eps must be a finite number > 0, got 0.0"),
        ({"eps": -1e-6}, ValueError, r"eps must be a finite number > 0, got -1e-06"),
        ({"eps": math.nan}, ValueError, r"eps must be a finite number > 0, got nan"),
        ({"eps": math.inf}, ValueError, r"eps must be a finite number > 0, got inf"),
        ({"atol": -1.0}, ValueError, r"atol must be a finite number >= 0, got -1.0"),
        ({"atol": math.nan}, ValueError, r"atol must be a finite number >= 0, got nan"),
        ({"rtol": math.inf}, ValueError, r"rtol must be a finite number >= 0, got inf"),
        ({"eps": "1e-6"}, TypeError, r"eps must be a number, got str '1e-6'"),
        ({"atol": None}, TypeError, r"atol must be a number, got NoneType None"),
    ],
)
def test_gradcheck_validates_its_tolerances(kwargs, error, message):
    with pytest.raises(error, match=message):
        gradcheck(lambda x: x * x, [1.0], **kwargs)


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ([1.0, math.inf], r"^gradcheck input x2 must be a finite number, got inf; check at a finite point"),
        ([math.nan], r"^gradcheck input x1 must be a finite number, got nan"),
        ([Value(-math.inf)], r"^gradcheck input x1 must be a finite number, got -inf"),
    ],
)
def test_gradcheck_refuses_non_finite_inputs(inputs, message):
    with pytest.raises(ValueError, match=message):
        gradcheck(lambda *xs: xs[0] * 2, inputs)


def test_gradcheck_accepts_numpy_inputs_and_a_zero_tolerance_pair():
    np = pytest.importorskip("numpy")
    assert gradcheck(lambda x: x * 3, [np.float32(0.5)], atol=1e-6, rtol=0)


# --- abs --------------------------------------------------------------------------------


@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_abs_of_zero_is_positive_zero(zero):
    out = abs(Value(zero))
    assert out.data == 0.0 and math.copysign(1.0, out.data) == 1.0
    out.backward()
    assert out.parents[0].grad == 0.0


def test_abs_elsewhere_is_unchanged():
    assert abs(Value(-2.5)).data == 2.5 and abs(Value(3.0)).data == 3.0
    assert abs(Value(-math.inf)).data == math.inf
