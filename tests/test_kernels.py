"""The compiled rules (``nnopt.optim.base.kernel``): machine code that must give NumPy's bits.

SGD and Adam write their rule element by element and have it compiled by Numba. The same source also runs
through NumPy on whole arrays (float16 does). Both must agree bit for bit, in float32 and float64, on ordinary
values and on the values that overflow (inf, NaN), since the step's overflow check relies on them; and a compiled
rule must refuse arrays it would read past the end of.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnopt import optim
from nnopt.optim.adam import adam_step
from nnopt.optim.sgd import sgd_step

N = 1000


def _arrays(dtype, rng):
    """θ, g and two state arrays with ordinary values, then extremes: zeros, tiny, huge, near overflow."""
    big = np.finfo(dtype).max
    extremes = [0.0, -0.0, 1e-30, -1e-30, 1e30, -1e30, big / 2, -big / 2, big, 3e19, 1e-45]
    arrays = []
    for k in range(4):
        a = rng.standard_normal(N) * 10.0 ** rng.integers(-8, 5, N)
        a[:len(extremes)] = np.roll(extremes, k)
        arrays.append(a.astype(dtype))
    arrays[3] = np.abs(arrays[3])  # Adam's v >= 0
    return arrays


CASES = {
    "sgd": (sgd_step, lambda t, g, s1, s2, x: (t, g, g[:0], x(0.1), x(0.0), False)),
    "momentum": (sgd_step, lambda t, g, s1, s2, x: (t, g, s1, x(0.1), x(0.9), False)),
    "nesterov": (sgd_step, lambda t, g, s1, s2, x: (t, g, s1, x(0.1), x(0.9), True)),
    "adam": (adam_step, lambda t, g, s1, s2, x: (t, g, s1, s2, g[:0], x(3e-4), x(0.1), x(0.001), x(1e-7))),
    "amsgrad": (adam_step, lambda t, g, s1, s2, x: (t, g, s1, s2, np.abs(s1[::-1]).copy(), x(3e-4), x(0.1),
                                                     x(0.001), x(1e-7))),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES)
def test_compiled_rule_equals_the_same_rule_run_by_numpy(case, dtype):
    rule, make = CASES[case]
    compiled, by_numpy = _arrays(dtype, np.random.default_rng(1)), _arrays(dtype, np.random.default_rng(1))
    args_c, args_n = make(*compiled, dtype), make(*by_numpy, dtype)
    with np.errstate(all="ignore"):
        for _ in range(3):
            rule(*args_c)
            rule.by_numpy(*args_n)
    for a, b in zip(args_c, args_n):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a.view(np.uint8), b.view(np.uint8))  # bits, NaN payloads and -0 too
    theta, _, state, *_ = args_c
    before = _arrays(dtype, np.random.default_rng(1))
    assert not np.array_equal(theta, before[0]) and (state.size == 0 or not np.array_equal(state, before[2]))
    assert not np.isfinite(args_c[0]).all()  # the extremes overflowed, identically in both


def test_float16_runs_the_rule_through_numpy():
    theta, g = np.ones(5, np.float16), np.full(5, 0.5, np.float16)
    sgd_step(theta, g, g[:0], np.float16(0.1), np.float16(0.0), False)
    np.testing.assert_array_equal(theta, np.float16(1) - np.float16(0.5) * np.float16(0.1))


def test_a_compiled_rule_refuses_arrays_it_would_overrun():
    theta = np.ones(10)
    with pytest.raises(ValueError, match=r"sgd_step takes flat arrays, got theta of shape \(2, 5\).*reshape\(-1\)"):
        sgd_step(theta.reshape(2, 5), theta.reshape(2, 5), theta[:0], 0.1, 0.0, False)
    with pytest.raises(IndexError):
        sgd_step(theta, np.ones(5), theta[:0], 0.1, 0.0, False)


@pytest.mark.parametrize("make", [lambda: optim.SGD(0.1, momentum=0.9), lambda: optim.Adam(0.1),
                                  lambda: optim.RMSprop(0.1)], ids=["momentum", "adam", "rmsprop"])
def test_a_parameter_that_is_not_contiguous_is_updated_in_place(make):
    """A transposed view is updated through a contiguous copy, written back: the same bits as a contiguous
    parameter, and nothing written when the step fails."""
    rng = np.random.default_rng(2)
    base = rng.standard_normal((300, 700)).astype(np.float32)
    view, plain = base.copy().T, base.T.copy()  # the same values; view is not contiguous
    grads = [rng.standard_normal((700, 300)).astype(np.float32) for _ in range(3)]
    opt_v, opt_p = make(), make()
    for g in grads:
        opt_v.step([view], [g])
        opt_p.step([plain], [g])
    assert not view.flags.c_contiguous
    np.testing.assert_array_equal(view, plain)
    for name, a in opt_p.state[0].items():  # the state the reader sees is the state the rule updates
        np.testing.assert_array_equal(opt_v.state[0][name], a)
    before = view.copy()
    g = grads[0].copy()
    g[-1, -1] = np.nan
    with pytest.raises(FloatingPointError, match="NaN"):
        opt_v.step([view], [g])
    np.testing.assert_array_equal(view, before)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("size", [1, 64, 65, 100_003])
def test_the_finiteness_check_finds_every_nan_and_inf(dtype, size):
    """``_all_finite``: exact for every position and kind of non-finite value, small arrays (Python sum) and
    large ones (the compiled bit test), contiguous or not, and not fooled by finite values whose sum overflows."""
    from nnopt.optim.base import _all_finite

    big = np.finfo(dtype).max
    a = np.full(size, big, dtype)  # all finite; their sum overflows every float type
    assert _all_finite((a,)) and _all_finite((a[::-1], a.reshape(1, -1)))
    for position in {0, size // 2, size - 1}:
        for bad in (np.inf, -np.inf, np.nan, -np.nan):
            b = a.copy()
            b[position] = bad
            assert not _all_finite((b,)), (position, bad)
            assert not _all_finite((a, b))
            assert not _all_finite((b[::-1],))  # not contiguous


@pytest.mark.parametrize("make", [lambda: optim.SGD(0.1, momentum=0.9), lambda: optim.Adam(0.1, amsgrad=True),
                                  lambda: optim.Adagrad(0.1), lambda: optim.Muon(0.1)],
                         ids=["momentum", "adam", "adagrad", "muon"])
@pytest.mark.parametrize("shape", [(), (3, 4)])
def test_the_state_has_the_parameters_shape(make, shape):
    """A 0-d or a transposed parameter: the state arrays have θ's shape, whatever the base class flattens."""
    theta = np.ones(shape) if shape == () else np.ones(shape[::-1]).T
    opt = make()
    opt.step([theta], [np.full(shape, 0.5)])
    assert opt.state[0] and all(a.shape == shape for a in opt.state[0].values())


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("size", [5, 4096, 100_003])
def test_the_rollback_copy_keeps_every_bit(dtype, size):
    """``_save``: small blocks by np.copyto, large ones by the compiled non-temporal copy: the same bits, NaN
    payloads, signed zeros and infinities included."""
    from nnopt.optim.base import _BITS, _save

    live = np.random.default_rng(4).standard_normal(size).astype(dtype)
    live[:4] = [np.nan, -0.0, np.inf, -np.inf]
    uint, _, inf = _BITS[live.itemsize]
    live.view(uint)[4] = uint(inf | 1)  # a NaN with another payload
    saved = np.full_like(live, 7)
    _save(saved, live)
    np.testing.assert_array_equal(saved.view(np.uint8), live.view(np.uint8))
