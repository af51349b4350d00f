"""Module.load is all or nothing: every broken file is a one-line ValueError, the model unchanged."""

from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_tiny import nn
from autograd_tiny.learn.nn import MLP, Neuron

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _weights(model) -> list[float]:
    return [p.data for p in model.parameters()]


def _saved_state(model) -> dict:
    return model.state_dict()


def _write(path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def _assert_refused(model, path, pattern: str) -> None:
    """Loading `path` raises one line naming it, matching `pattern`; the model is unchanged."""
    before = _weights(model)
    with pytest.raises(ValueError, match=pattern) as caught:
        model.load(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"cannot load {path}: ")
    assert _weights(model) == before


@pytest.fixture
def model():
    return MLP(2, [3, 1], seed=1)


@pytest.mark.parametrize(
    ("bad", "pattern"),
    [
        (True, "L1.N1.w1 must be a finite real number, got True"),
        ("0.5", r"L1.N1.w1 must be a finite real number, got '0.5'"),
        (None, "L1.N1.w1 must be a finite real number, got None"),
        ([1.0], r"L1.N1.w1 must be a finite real number, got \[1.0\]"),
        (10**308 * 10, r"the file holds a 310-digit number, too large for a float"),
    ],
)
def test_a_bad_first_parameter_is_refused(model, tmp_path, bad, pattern):
    state = _saved_state(MLP(2, [3, 1], seed=2))
    state["parameters"][0] = bad
    _assert_refused(model, _write(tmp_path / "m.json", json.dumps(state)), pattern)


def test_a_bad_last_parameter_leaves_every_earlier_one_unchanged(model, tmp_path):
    state = _saved_state(MLP(2, [3, 1], seed=2))
    state["parameters"][-1] = "oops"
    _assert_refused(
        model, _write(tmp_path / "m.json", json.dumps(state)), "L2.N1.b must be a finite real number, got 'oops'"
    )


@pytest.mark.parametrize(
    ("constant", "pattern"),
    [
        ("Infinity", "the file holds Infinity; saved parameters must be finite numbers"),
        ("-Infinity", "the file holds -Infinity; saved parameters must be finite numbers"),
        ("NaN", "the file holds NaN; saved parameters must be finite numbers"),
        ("1e999", "the file holds '1e999', too large for a float"),
    ],
)
def test_non_finite_numbers_in_the_file_are_refused(model, tmp_path, constant, pattern):
    state_text = json.dumps(_saved_state(MLP(2, [3, 1], seed=2)))
    head, tail = state_text.split('"parameters": [')
    first_end = tail.index(",")
    text = head + '"parameters": [' + constant + tail[first_end:]
    _assert_refused(model, _write(tmp_path / "m.json", text), pattern)


def test_a_huge_integer_beyond_pythons_digit_limit_is_refused(model, tmp_path):
    state_text = json.dumps(_saved_state(MLP(2, [3, 1], seed=2)))
    head, tail = state_text.split('"parameters": [')
    text = head + '"parameters": [' + "9" * 5000 + tail[tail.index(",") :]
    _assert_refused(
        model, _write(tmp_path / "m.json", text), "the file holds a 5000-digit number, too large for a float"
    )


def test_deeply_nested_json_is_refused(model, tmp_path):
    path = _write(tmp_path / "deep.json", "[" * 200_000 + "]" * 200_000)
    _assert_refused(model, path, r"it holds 200000 lists and objects, and a model file at most 16")


def test_binary_garbage_is_refused(model, tmp_path):
    path = tmp_path / "garbage.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    _assert_refused(model, str(path), r"not a model file \(not UTF-8 text at byte 0\)")


def test_a_truncated_file_is_refused(model, tmp_path):
    text = json.dumps(_saved_state(MLP(2, [3, 1], seed=2)))
    path = _write(tmp_path / "cut.json", text[: len(text) // 2])
    _assert_refused(model, path, r"not a valid model file \(corrupt JSON: .* line 1 column \d+")


def test_an_empty_file_is_refused(model, tmp_path):
    _assert_refused(model, _write(tmp_path / "empty.json", ""), r"the file is empty \(0 bytes\)")
    _assert_refused(model, _write(tmp_path / "blank.json", "  "), r"corrupt JSON: Expecting value: line 1 column 3")


def test_another_architecture_is_refused(model, tmp_path):
    path = MLP(2, [4, 1], seed=1).save(tmp_path / "other.json")
    _assert_refused(
        model, path, r"the saved model is a 'MLP' with .*\[4, 1\].*build the model with the saved architecture"
    )


def test_a_long_wrong_config_is_cut_short_in_the_message(model, tmp_path):
    state = _saved_state(model)
    state["config"] = {"nin": list(range(1000))}
    path = _write(tmp_path / "m.json", json.dumps(state))
    before = _weights(model)
    with pytest.raises(ValueError, match=r"with \{'nin': \[0, 1, 2, .*\.\.\., but this is") as caught:
        model.load(path)
    assert ", 999]" not in str(caught.value) and _weights(model) == before


def test_a_folder_is_refused(model, tmp_path):
    _assert_refused(
        model, str(tmp_path), r"it is a folder, not a regular file; give the path of a file written by save\(\)$"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(model, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _assert_refused(model, str(fifo), r"it is a FIFO \(named pipe\), not a regular file; give the path of a file")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_without_reading_it(model, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    _assert_refused(model, device, r"it is a device, not a regular file; give the path of a file written by save")


def _load_in_a_thread(model, path) -> BaseException | None:
    """model.load(path) in a thread; fail (not hang) if it is still waiting after 10 s."""
    outcome: list = []

    def target():
        try:
            model.load(path)
            outcome.append(None)
        except BaseException as error:  # handed back to the test
            outcome.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        # Release the blocked open() so the thread ends, then report the hang.
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(10)
        pytest.fail(f"load({path!r}) blocked")
    return outcome[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_swapped_in_after_the_check_does_not_block(model, tmp_path, monkeypatch):
    # Between os.stat and open, the path can be replaced by a FIFO (a race, or a hostile
    # folder). Simulated by a stat that still sees the regular file: opening must not wait
    # for a writer, and the opened descriptor is checked again.
    regular = MLP(2, [3, 1], seed=2).save(tmp_path / "m.json")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    real_stat = os.stat
    monkeypatch.setattr(
        os, "stat", lambda p, *a, **k: real_stat(regular) if os.fspath(p) == str(fifo) else real_stat(p, *a, **k)
    )
    error = _load_in_a_thread(model, str(fifo))
    assert isinstance(error, ValueError)
    assert str(error) == (
        f"cannot load {fifo}: it is a FIFO (named pipe), not a regular file; give the path of a file written by save()"
    )


def test_a_kernel_file_is_read_only_as_far_as_its_size(model):
    # Files in /proc are "regular" with size 0 yet have contents; /proc/kmsg's read waits for
    # kernel messages forever. load reads st_size bytes: nothing, here.
    path = "/proc/self/status"
    if not os.path.exists(path):
        pytest.skip("no /proc")
    _assert_refused(model, path, r"the file is empty \(0 bytes\); give the path of a file written by save\(\)$")


def test_proc_kmsg_does_not_block():
    path = "/proc/kmsg"
    if not os.access(path, os.R_OK):
        pytest.skip("/proc/kmsg is not readable here (needs root)")
    code = (
        "from autograd_tiny import MLP\ntry:\n    MLP(2, [1]).load('/proc/kmsg')\nexcept ValueError as e:\n    print(e)"
    )
    environment = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=environment)
    assert (
        result.stdout
        == "cannot load /proc/kmsg: the file is empty (0 bytes); give the path of a file written by save()\n"
    )


def test_a_missing_file_is_a_file_not_found_error(model, tmp_path):
    with pytest.raises(FileNotFoundError):
        model.load(tmp_path / "missing.json")


def test_the_size_cap_is_checked_before_reading(model, tmp_path, monkeypatch):
    path = MLP(2, [3, 1], seed=2).save(tmp_path / "m.json")
    size = os.path.getsize(path)
    monkeypatch.setattr(nn, "MAX_MODEL_FILE_BYTES", size - 1)
    real_open = builtins.open

    def no_reading(file, *args, **kwargs):
        if os.fspath(file) == path:
            raise AssertionError("the file was opened although it is over the size cap")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_reading)
    real_os_open = os.open
    monkeypatch.setattr(
        os, "open", lambda file, *a, **k: no_reading(file) if os.fspath(file) == path else real_os_open(file, *a, **k)
    )
    _assert_refused(
        model,
        path,
        rf"it is {size} bytes, more than a model file can be \({size - 1} bytes\); check the path "
        r"\(save\(\) writes at most 28 bytes per parameter; the limit fits 1,000,000 parameters\)$",
    )


def test_the_size_cap_fits_a_million_parameters_of_the_longest_floats():
    longest = -2.2250738585072014e-308  # 24 characters
    assert len(json.dumps(longest)) == 24

    def size(count: int) -> int:
        return len(json.dumps({**MLP(2, [3, 1]).state_dict(), "parameters": [longest] * count}, indent=1))

    assert (size(2000) - size(1000)) / 1000 == 28
    assert nn.MAX_MODEL_FILE_BYTES == 1_000_000 * 28 + 64 * 1024


def _padded(state: dict, padding: str) -> str:
    """A valid saved model with an extra key holding `padding` (JSON text)."""
    text = json.dumps(state)
    return text[:-1] + ', "pad": ' + padding + "}"


def test_a_valid_file_padded_with_lists_is_refused_before_parsing(model, tmp_path, monkeypatch):
    # The file: a valid model padded with 100 MB of [] took 14 s and 2.7 GB to refuse.
    state = MLP(2, [3, 1], seed=2).state_dict()
    path = _write(tmp_path / "padded.json", _padded(state, "[" + ",".join(["[]"] * 1000) + "]"))
    monkeypatch.setattr(json, "loads", lambda *a, **k: pytest.fail("the padding was parsed"))
    _assert_refused(
        model,
        path,
        r"it holds 1005 lists and objects, and a model file at most 16; it was not written by save\(\), "
        r"check the path$",
    )


def test_a_file_padded_with_numbers_is_refused_before_parsing(model, tmp_path, monkeypatch):
    state = MLP(2, [3, 1], seed=2).state_dict()
    text = _padded(state, "[" + ",".join(["1"] * 2000) + "]")
    path = _write(tmp_path / "padded.json", text)
    monkeypatch.setattr(nn, "MAX_MODEL_PARAMETERS", 10)
    monkeypatch.setattr(json, "loads", lambda *a, **k: pytest.fail("the padding was parsed"))
    _assert_refused(
        model,
        path,
        rf"it holds {text.count(',') + 1} numbers and entries, and a model file at most 1010 \(10 parameters "
        r"and 1000 for the architecture\); it was not written by save\(\), check the path$",
    )


def test_a_real_size_padded_file_is_refused_at_once(model, tmp_path):
    # Just under the byte limit, so the structure check (not the size) refuses it.
    state = MLP(2, [3, 1], seed=2).state_dict()
    head = _padded(state, "[")
    count = (nn.MAX_MODEL_FILE_BYTES - len(head) - 4) // 3
    path = tmp_path / "padded.json"
    path.write_text(head + "[]," * count + "[]]}", encoding="utf-8")
    assert os.path.getsize(path) <= nn.MAX_MODEL_FILE_BYTES
    _assert_refused(model, str(path), rf"it holds {count + 6} lists and objects, and a model file at most 16")


def test_a_real_size_oversized_file_is_refused_without_reading(model, tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (nn.MAX_MODEL_FILE_BYTES + 1))
    _assert_refused(model, str(path), rf"it is {nn.MAX_MODEL_FILE_BYTES + 1} bytes, more than a model file can be")


def test_a_sparse_file_of_gigabytes_is_refused_without_reading_it(model, tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        try:
            f.truncate(8 * 1024**3)
        except OSError:
            pytest.skip("this filesystem cannot make a sparse 8 GiB file")
    _assert_refused(model, str(path), rf"it is {8 * 1024**3} bytes, more than a model file can be")


def test_load_state_dict_accepts_any_real_number_type(tmp_path):
    from fractions import Fraction

    neuron = Neuron(2, seed=0)
    state = neuron.state_dict()
    state["parameters"] = [Fraction(1, 4), 2, 0.5]
    neuron.load_state_dict(state)
    assert _weights(neuron) == [0.25, 2.0, 0.5]
    state["parameters"] = [10**400, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"N1.w1 must be a finite real number, got 1000000000000"):
        neuron.load_state_dict(state)
    assert _weights(neuron) == [0.25, 2.0, 0.5]


# --- hostile files from hypothesis -------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


def _states_that_look_almost_right():
    """Saved states with one field replaced by something random."""
    good = MLP(2, [3, 1], seed=2).state_dict()
    return st.sampled_from(["format", "type", "config", "parameters"]).flatmap(
        lambda key: _json_values.map(lambda value: {**good, key: value})
    ) | st.lists(_json_values, min_size=13, max_size=13).map(lambda params: {**good, "parameters": params})


_hostile = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_hostile
@given(data=st.binary(max_size=200))
def test_random_bytes_never_change_the_model(tmp_path, data):
    model = MLP(2, [3, 1], seed=1)
    before = _weights(model)
    path = tmp_path / "random.bin"
    path.write_bytes(data)
    with pytest.raises(ValueError) as caught:
        model.load(path)
    assert str(caught.value).startswith(f"cannot load {path}: ") and "\n" not in str(caught.value)
    assert _weights(model) == before


@_hostile
@given(value=_json_values | _states_that_look_almost_right())
def test_random_json_loads_exactly_or_changes_nothing(tmp_path, value):
    model = MLP(2, [3, 1], seed=1)
    before = _weights(model)
    path = tmp_path / "random.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    try:
        model.load(path)
    except ValueError as error:
        assert str(error).startswith(f"cannot load {path}: ") and "\n" not in str(error)
        assert _weights(model) == before
    else:
        # Accepted only when it really is a model of this architecture with finite numbers.
        assert value["format"] == "autograd_tiny.model/1" and value["config"] == model.config()
        assert _weights(model) == [float(v) for v in value["parameters"]]


# --- the output layer's activation: shown, saved and loaded ------------------------------


def test_mlp_repr_shows_the_output_layers_activation():
    assert repr(MLP(3, [4, 4, 1], seed=1)) == "MLP(3, [4, 4, 1], activation='relu', output_activation='linear')"
    model = MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=0)
    assert repr(model) == "MLP(2, [3, 2], activation='tanh', output_activation='sigmoid')"
    assert [n.activation for n in model.layers[-1].neurons] == ["sigmoid", "sigmoid"]
    assert [out.op for out in model([0.5, -1.0])] == ["sigmoid", "sigmoid"]


def test_a_bad_output_activation_is_refused():
    with pytest.raises(ValueError, match="output_activation must be one of relu, tanh, sigmoid, linear; got 'softmax'"):
        MLP(2, [1], output_activation="softmax")


def test_the_output_activation_is_saved_and_checked_on_load(tmp_path):
    a = MLP(2, [3, 1], output_activation="sigmoid", seed=1)
    path = a.save(tmp_path / "sigmoid.json")
    b = MLP(2, [3, 1], output_activation="sigmoid", seed=2)
    b.load(path)
    assert _weights(b) == _weights(a) and b([1.0, 2.0]).data == a([1.0, 2.0]).data
    _assert_refused(MLP(2, [3, 1], seed=3), path, r"'output_activation': 'sigmoid'.*build the model with the saved")


def test_a_file_saved_without_the_output_activation_key_still_loads(tmp_path):
    state = MLP(2, [3, 1], seed=1).state_dict()
    assert "output_activation" not in state["config"]  # the default is not written: old files stay valid
    model = MLP(2, [3, 1], seed=2)
    model.load(_write(tmp_path / "old.json", json.dumps(state)))
    assert _weights(model) == state["parameters"]


def test_to_torch_applies_the_output_activation():
    torch = pytest.importorskip("torch")
    model = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=3)
    net = model.to_torch()
    assert type(net[-1]).__name__ == "Sigmoid"
    assert net(torch.tensor([0.3, -0.7], dtype=torch.float64)).item() == pytest.approx(
        model([0.3, -0.7]).data, rel=1e-12
    )
