"""Found by attacking the package (issue 19): each misuse gives one clear error or the right numbers.

Grad mode under tracing, inputs in a dict or a set, a label that is not a str, a gradient
set to None, ragged training data, and a mean over no samples.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from autograd_tiny import MLP, Value, compile_graph, make_moons, no_grad
from autograd_tiny.fast.training import CompiledTrainingStep

# --- tracing does not depend on the caller's grad mode -----------------------------------


def test_a_compiled_training_step_built_inside_no_grad_equals_one_built_outside():
    X, y = make_moons(n=20, seed=1)
    outside = CompiledTrainingStep(MLP(2, [4, 1], seed=1), X, y)
    with no_grad():
        inside = CompiledTrainingStep(MLP(2, [4, 1], seed=1), X, y)
        loss_inside, gradient_inside = inside(inside.weights())
    loss, gradient = outside(outside.weights())
    assert loss_inside == loss and loss != 1.0
    assert gradient_inside.tolist() == gradient.tolist() and np.abs(gradient).sum() > 0
    assert inside.scores(inside.weights()).tolist() == outside.scores(outside.weights()).tolist()


def test_building_the_step_leaves_the_callers_grad_mode_as_it_was():
    from autograd_tiny import is_grad_enabled

    X, y = make_moons(n=5, seed=1)
    with no_grad():
        CompiledTrainingStep(MLP(2, [2, 1], seed=1), X, y)
        assert not is_grad_enabled() and (Value(1.0) * 2.0).op == ""
    assert is_grad_enabled()


def test_compile_graph_refuses_a_root_built_inside_no_grad():
    x = Value(2.0, label="x")
    with no_grad():
        root = x * x + 1.0  # a plain leaf: it remembers nothing of x
    with pytest.raises(
        ValueError,
        match=r"^compile_graph got a root that is a leaf and not one of the inputs \(Value\(data=5\.0, grad=0\.0\)\): "
        r"its compiled value would be a constant and every gradient 0; was the graph built inside no_grad\(\)\? "
        r"build it with grad mode on",
    ):
        compile_graph(root, [x])


def test_compile_graph_inside_no_grad_compiles_a_graph_built_outside():
    x = Value(2.0, label="x")
    root = x * x + 1.0
    with no_grad():
        f = compile_graph(root, [x])
    assert f([3.0]) == (10.0, [6.0])


def test_a_leaf_root_that_is_an_input_still_compiles():
    x = Value(2.0, label="x")
    assert compile_graph(x, [x])([3.0]) == (3.0, [1.0])


# --- model inputs: a mapping or a set is refused ------------------------------------------


@pytest.mark.parametrize(
    "inputs, shown",
    [
        ({0: 1.0, 1: 2.0}, "a dict (its keys would be read, not its values)"),
        ({1.0, 2.0}, "a set (it has no order)"),
        (frozenset({1.0, 2.0}), "a frozenset (it has no order)"),
    ],
)
@pytest.mark.parametrize("expand", [False, True])
def test_a_model_refuses_inputs_in_a_mapping_or_a_set(inputs, shown, expand):
    model = MLP(2, [1], seed=0, expand=expand)
    message = rf"^inputs must be a list of 2 numbers or Values, got {re.escape(shown)}; pass a list, e.g. model\(\[1\.0, 2\.0\]\)$"
    for part in (model, model.layers[0], model.layers[0].neurons[0]):
        with pytest.raises(TypeError, match=message):
            part(inputs)


def test_a_list_and_a_tuple_and_an_array_of_inputs_still_work():
    model = MLP(2, [1], seed=0)
    expected = model([1.0, 2.0]).data
    assert model((1.0, 2.0)).data == model(np.array([1.0, 2.0])).data == expected


# --- a label that is not a str ------------------------------------------------------------


@pytest.mark.parametrize("bad", [123, None, b"x", ["x"]])
def test_setting_a_label_that_is_not_a_str_is_refused(bad):
    y = Value(1.0) * 2.0
    with pytest.raises(TypeError, match=rf"^label must be a str, got {type(bad).__name__} "):
        y.label = bad
    assert y.label == ""
    y.label = "y"  # a str is fine, and shown everywhere
    assert y.label == "y" and "label='y'" in repr(y)


def test_a_labelled_graph_still_draws_and_explains():
    from autograd_tiny import draw_dot, explain

    x = Value(1.0, label="x")
    y = x * 2.0
    y.label = "y"
    assert "y" in draw_dot(y).source and "y" in str(explain(y))


# --- a gradient that is not a number -----------------------------------------------------


@pytest.mark.parametrize("bad", [None, "0", [0.0]])
def test_backward_refuses_a_leaf_gradient_that_is_not_a_number_and_changes_no_leaf(bad):
    w, b = Value(1.0, label="w"), Value(2.0, label="b")
    loss = w * 3.0 + b
    b.grad = 5.0
    w.grad = bad
    with pytest.raises(
        TypeError,
        match=rf"^w\.grad is {type(bad).__name__} {bad!r}".replace("[", r"\[").replace("]", r"\]")
        + r", not a number, so backward\(\) cannot add to it; set w\.grad = 0\.0 \(or call zero_grad\(\)\) first$",
    ):
        loss.backward()
    assert (w.grad, b.grad) == (bad, 5.0)
    w.grad = 0.0
    loss.backward()
    assert (w.grad, b.grad) == (3.0, 6.0)


def test_an_unlabelled_leaf_with_a_bad_gradient_is_named_by_its_numbers():
    w = Value(1.0)
    loss = w * 3.0
    w.grad = None
    with pytest.raises(TypeError, match=r"^Value\(data=1\.0, grad=None\)\.grad is NoneType None, not a number"):
        loss.backward()


@pytest.mark.parametrize("fine", [0, 2, np.float64(1.5), np.float32(0.5)])
def test_gradients_that_are_numbers_of_another_type_still_accumulate(fine):
    w = Value(1.0)
    w.grad = fine
    (w * 3.0).backward()
    assert w.grad == float(fine) + 3.0


def test_model_zero_grad_then_backward_after_a_bad_gradient_works():
    model = MLP(2, [2, 1], seed=0)
    model.parameters()[0].grad = None
    model.zero_grad()
    model([1.0, 2.0]).backward()
    assert all(isinstance(p.grad, float) for p in model.parameters())


# --- ragged or empty training data ---------------------------------------------------------


@pytest.mark.parametrize(
    "X, error, message",
    [
        (
            [[0.0, 1.0], [2.0]],
            ValueError,
            r"^X\[1\] has 1 number; every sample needs 2, one per model input \(the model was made with nin=2\)$",
        ),
        ([[0.0, 1.0], [2.0, 3.0, 4.0]], ValueError, r"^X\[1\] has 3 numbers; every sample needs 2"),
        ([[0.0, 1.0], 2.0], TypeError, r"^X\[1\] must be one sample, a list of 2 numbers, got float 2\.0$"),
        ([[0.0, 1.0], {0: 1.0, 1: 2.0}], TypeError, r"^X\[1\] must be one sample, a list of 2 numbers, got dict "),
        ([[0.0, "a"]], TypeError, r"^X\[0\]\[1\] must be a number"),
        ([[0.0, float("nan")]], ValueError, r"^X\[0\]\[1\] must be a number, not NaN"),
        ([], ValueError, r"^X has no samples; pass at least one sample, a list of 2 numbers$"),
        ({0: [0.0, 1.0]}, TypeError, r"^X must be a list of samples \(each a list of 2 numbers\), got dict$"),
    ],
)
def test_ragged_or_empty_data_is_refused_with_one_clear_error(X, error, message):
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(error, match=message):
        CompiledTrainingStep(model, X, [1.0] * max(len(X), 1))


@pytest.mark.parametrize(
    "y, error, message",
    [
        ([1.0], ValueError, r"^y has 1 label for 2 samples; pass one label per sample of X$"),
        ([1.0, "a"], TypeError, r"^y\[1\] must be a number"),
        (1.0, TypeError, r"^y must be a list of labels, one per sample of X, got float$"),
    ],
)
def test_labels_that_do_not_match_the_samples_are_refused(y, error, message):
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(error, match=message):
        CompiledTrainingStep(model, [[0.0, 1.0], [1.0, 0.0]], y)


def test_a_2d_array_of_data_works():
    X, y = make_moons(n=10, seed=0)
    model = MLP(2, [3, 1], seed=0)
    from_lists = CompiledTrainingStep(model, X, y)
    from_arrays = CompiledTrainingStep(model, np.array(X), np.array(y))
    w = from_lists.weights()
    assert from_lists(w)[0] == from_arrays(w)[0]


# --- a mean over no samples ----------------------------------------------------------------


def test_reduce_mean_over_empty_arrays_is_refused():
    x, w = Value(0.0, label="x"), Value(0.0, label="w")
    f = compile_graph(w * x, [w, x])
    message = (
        r"^reduce='mean' needs at least one sample, got arrays of length 0; pass arrays with one entry per sample$"
    )
    with pytest.raises(ValueError, match=message):
        f([1.0, np.array([])], reduce="mean")
    with pytest.raises(ValueError, match=message):
        f.batch(np.array([1.0]), [np.array([])], reduce="mean")


def test_reduce_sum_over_empty_arrays_is_zero():
    x, w = Value(0.0, label="x"), Value(0.0, label="w")
    f = compile_graph(w * x, [w, x])
    value, grads = f([1.0, np.array([])], reduce="sum")
    assert value == 0.0 and grads.tolist() == [0.0, 0.0]
