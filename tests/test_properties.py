"""Property tests (hypothesis) for invariants of the optimizers."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnopt import objectives, optim

FLOATS = st.floats(-1e3, 1e3, allow_nan=False, width=32)
DTYPES = st.sampled_from([np.float32, np.float64])
ALL = [
    lambda: optim.SGD(0.01), lambda: optim.SGD(0.01, momentum=0.9, nesterov=True), lambda: optim.Adagrad(),
    lambda: optim.RMSprop(centered=True, momentum=0.3), lambda: optim.Adam(amsgrad=True), lambda: optim.AdamW(),
    lambda: optim.EMAMomentum(), lambda: optim.StackedEMAMomentum(), lambda: optim.PaperAdam(),
]
settings.register_profile("ci", max_examples=60, deadline=None)
settings.load_profile("ci")


def shaped(dtype):
    return st.integers(1, 40).flatmap(lambda n: arrays(dtype, n, elements=FLOATS))


@given(dtype=DTYPES, data=st.data(), which=st.integers(0, len(ALL) - 1))
def test_dtype_and_shape_are_kept(dtype, data, which):
    theta = data.draw(shaped(dtype))
    g = data.draw(arrays(dtype, theta.shape, elements=FLOATS))
    opt = ALL[which]()
    ref = theta  # updated in place: the very same object
    for _ in range(3):
        opt.step([theta], [g])
    assert ref is theta and theta.dtype == dtype
    assert all(s.dtype == dtype and s.shape == theta.shape for s in opt.state[0].values())


@given(theta=shaped(np.float64), steps=st.integers(1, 5))
def test_zero_gradient_leaves_plain_sgd_unchanged(theta, steps):
    before = theta.copy()
    opt = optim.SGD(0.1)
    for _ in range(steps):
        opt.step([theta], [np.zeros_like(theta)])
    np.testing.assert_array_equal(theta, before)


@given(theta=shaped(np.float64), which=st.integers(0, 3))
def test_zero_gradient_from_rest_moves_nothing(theta, which):
    """Momentum and adaptive methods start at rest: zero gradients never move θ (no weight decay)."""
    before = theta.copy()
    opt = [optim.SGD(0.1, momentum=0.9), optim.RMSprop(), optim.Adam(), optim.Adagrad()][which]
    for _ in range(3):
        opt.step([theta], [np.zeros_like(theta)])
    np.testing.assert_array_equal(theta, before)


@given(kappa=st.floats(1, 1e3), fraction=st.floats(0.01, 0.99), angle=st.floats(0, 3.1),
       x0=arrays(np.float64, 2, elements=st.floats(-10, 10)))
def test_gd_never_increases_a_convex_quadratic_below_2_over_L(kappa, fraction, angle, x0):
    f = objectives.Quadratic.with_condition_number(kappa, angle=angle, minimum=[0.5, -1.0])
    x, opt = x0.copy(), optim.SGD(fraction * 2 / f.L)
    losses = [f.value(x)]
    for _ in range(30):
        opt.step([x], [f.grad(x)])
        losses.append(f.value(x))
    assert np.all(np.diff(losses) <= 1e-12 * (1 + abs(losses[0])))


@given(g=arrays(np.float64, 8, elements=st.floats(-1e4, 1e4)), lr=st.floats(1e-4, 1.0))
def test_adam_first_step_is_bounded_by_learning_rate(g, lr):
    """|Δθ| ≤ α on step 1 (|m̂/√v̂| = 1 where g ≠ 0, and ε only shrinks it)."""
    theta = np.zeros(8)
    optim.Adam(lr).step([theta], [g])
    assert np.all(np.abs(theta) <= lr * (1 + 1e-12))


@given(g=arrays(np.float64, 8, elements=st.floats(-1e4, 1e4).filter(lambda x: x == 0 or abs(x) > 1e-6)),
       scale=st.floats(1e-3, 1e3))
def test_adam_is_invariant_to_gradient_scale(g, scale):
    """Adam's step (with ε → 0) does not change when all gradients are multiplied by c > 0."""
    a, b = np.zeros(8), np.zeros(8)
    opt_a, opt_b = optim.PaperAdam(0.1, epsilon=1e-300), optim.PaperAdam(0.1, epsilon=1e-300)
    for k in range(3):
        opt_a.step([a], [g * (-1) ** k])
        opt_b.step([b], [g * scale * (-1) ** k])
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@given(theta=shaped(np.float64), c=st.floats(0.01, 10), lr=st.floats(0.01, 2))
def test_clipnorm_makes_the_sgd_step_exactly_lr_times_c(theta, c, lr):
    """A gradient longer than c is scaled to norm c (not below it): the SGD step has length exactly α·c."""
    g = np.full_like(theta, 100.0)
    before = theta.copy()
    optim.SGD(lr, clipnorm=c).step([theta], [g])
    np.testing.assert_allclose(np.linalg.norm(theta - before), lr * c, rtol=1e-6)


@given(n=st.integers(1, 3 * optim.Optimizer.chunk_bytes // 4 + 17), which=st.integers(0, len(ALL) - 1),
       dtype=DTYPES)
@settings(max_examples=12)
def test_update_in_pieces_equals_update_in_one_piece(n, which, dtype):
    """Large arrays are handed to the rule in cache-sized pieces; every element, the last partial piece
    included, ends bit-identical to updating the whole array at once."""
    rng = np.random.default_rng(n)
    theta, g = rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)
    whole = theta.copy()
    pieces, one_piece = ALL[which](), ALL[which]()
    one_piece.chunk_bytes = 8 * n
    for k in range(3):
        pieces.step([theta], [g * (k + 1)])
        one_piece.step([whole], [g * (k + 1)])
    np.testing.assert_array_equal(theta, whole)
    for name in pieces.state[0]:
        np.testing.assert_array_equal(pieces.state[0][name], one_piece.state[0][name])


@given(n=st.integers(1, 20_000), which=st.integers(0, len(ALL) - 1), threads=st.integers(1, 4))
@settings(max_examples=12)
def test_update_in_threads_equals_update_in_one_piece(n, which, threads):
    """Small pieces updated by several threads: every element bit-identical to the single-piece update."""
    rng = np.random.default_rng(n)
    theta, g = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    whole = theta.copy()
    threaded, one_piece = ALL[which](), ALL[which]()
    threaded.chunk_bytes, threaded.threads, one_piece.chunk_bytes = 4 * 97, threads, 8 * n
    for k in range(3):
        threaded.step([theta], [g * (k + 1)])
        one_piece.step([whole], [g * (k + 1)])
    np.testing.assert_array_equal(theta, whole)


@given(w=st.floats(-10, 10), g=st.floats(-10, 10))
def test_scalar_parameter_takes_a_numpy_scalar_gradient(w, g):
    """A 0-d parameter (e.g. the slope of a 1-D regression) accepts np.sum(...)'s NumPy scalar as gradient."""
    theta = np.array(w)
    optim.SGD(0.5).step([theta], [np.float64(g)])
    assert theta.shape == () and theta == np.float64(w) - 0.5 * np.float64(g)
