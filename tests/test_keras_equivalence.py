"""nnopt's optimizers against tf.keras' (Keras 3), step for step.

Gradient sequences mix tiny (1e-8), huge (1e4), zero and sign-flipping components. In float32 nnopt performs
Keras' arithmetic operation by operation, so the trajectories are required to be equal to rtol 1e-5 (they are
in fact bit-identical). In float64, Keras casts Python-float hyper-parameters through float32
(``ops.cast(0.9, "float64") == 0.8999999761581421``); with float32-representable hyper-parameters the two agree to
1e-12, and with e.g. momentum=0.9 the difference is explained by that rounding alone.
"""

import numpy as np
import pytest

from nnopt import optim, schedules

kb = pytest.importorskip("nnopt.keras_bridge")

STEPS = 120
SHAPES = [(7, 5), (13,)]


def gradient_sequence(dtype, steps=STEPS, seed=0):
    """Per step one gradient per parameter: tiny, huge, zero and sign-flipping components."""
    rng = np.random.default_rng(seed)
    seq = []
    for k in range(steps):
        grads = []
        for shape in SHAPES:
            g = rng.standard_normal(shape)
            kind = np.arange(g.size).reshape(shape) % 4
            g = np.where(kind == 0, g * 1e-8, g)  # tiny
            g = np.where(kind == 1, g * 1e4, g)  # huge
            g = np.where(kind == 2, 0.0, g)  # zero
            g = np.where(kind == 3, np.abs(g) * (-1) ** k, g)  # sign flipping every step
            if k % 10 == 9:
                g = np.zeros(shape)  # an all-zero step
            grads.append(g.astype(dtype))
        seq.append(grads)
    return seq


def initial_params(dtype, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


CONFIGS = {
    "sgd": lambda **h: optim.SGD(**h),
    "sgd_momentum": lambda **h: optim.SGD(momentum=0.9, **h),
    "sgd_nesterov": lambda **h: optim.SGD(momentum=0.9, nesterov=True, **h),
    "adagrad": lambda **h: optim.Adagrad(**h),
    "rmsprop": lambda **h: optim.RMSprop(**h),
    "rmsprop_momentum": lambda **h: optim.RMSprop(momentum=0.5, **h),
    "rmsprop_centered": lambda **h: optim.RMSprop(centered=True, **h),
    "rmsprop_centered_momentum": lambda **h: optim.RMSprop(centered=True, momentum=0.5, **h),
    "adam": lambda **h: optim.Adam(**h),
    "adam_amsgrad": lambda **h: optim.Adam(amsgrad=True, **h),
    "adamw": lambda **h: optim.AdamW(weight_decay=0.05, **h),
    "adamw_amsgrad": lambda **h: optim.AdamW(weight_decay=0.05, amsgrad=True, **h),
    "sgd_momentum_weight_decay": lambda **h: optim.SGD(momentum=0.9, weight_decay=0.01, **h),
    "rmsprop_clipvalue": lambda **h: optim.RMSprop(clipvalue=0.5, **h),
    "adam_clipnorm": lambda **h: optim.Adam(clipnorm=1.0, **h),
    "sgd_global_clipnorm": lambda **h: optim.SGD(momentum=0.9, global_clipnorm=2.0, **h),
    "adam_cosine_schedule": lambda **h: optim.Adam(
        learning_rate=schedules.CosineDecay(1e-2, 80, alpha=0.1, warmup_target=2e-2, warmup_steps=10)),
    "sgd_exponential_schedule": lambda **h: optim.SGD(
        learning_rate=schedules.ExponentialDecay(0.05, 10, 0.7, staircase=True), momentum=0.9),
}


def run_both(make, dtype, **hyper):
    params = initial_params(dtype)
    grads = gradient_sequence(dtype)
    keras_path = kb.apply_gradients(make(**hyper), params, grads)
    opt = make(**hyper)
    ours = [p.copy() for p in params]
    path = []
    for g in grads:
        opt.step(ours, g)
        path.append([p.copy() for p in ours])
    return path, keras_path


def assert_paths_equal(path, keras_path, rtol, what):
    for k, (a_step, b_step) in enumerate(zip(path, keras_path)):
        for a, b in zip(a_step, b_step):
            assert a.dtype == b.dtype
            # relative to each parameter's scale (components cross zero, where a pure rtol is meaningless)
            scale = max(np.max(np.abs(b)), 1e-30)
            err = np.max(np.abs(a - b)) / scale
            assert err <= rtol, f"{what}: step {k + 1} differs from Keras by {err:.3g} (> {rtol})"


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_float32_equals_keras(name):
    hyper = {} if "schedule" in name else {"learning_rate": 0.01}
    path, keras_path = run_both(CONFIGS[name], np.float32, **hyper)
    assert len(path) == STEPS >= 100
    assert_paths_equal(path, keras_path, 1e-5, name)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_float64_equals_keras_with_float32_representable_hyperparameters(name):
    # 2**-7 is exact in float32; the defaults of beta/rho/epsilon are not, so pass representable ones
    if "schedule" in name:
        pytest.skip("schedules compute in float32 inside Keras; covered in float32")
    f32 = lambda x: float(np.float32(x))  # noqa: E731
    make = CONFIGS[name]
    opt = make(learning_rate=2**-7)
    hyper = {"learning_rate": 2**-7}
    for key in ("beta_1", "beta_2", "rho", "epsilon", "initial_accumulator_value"):
        if hasattr(opt, key):
            hyper[key] = f32(getattr(opt, key))

    def make_exact(**h):
        o = make(**h)
        for key in ("momentum", "weight_decay"):
            if getattr(o, key, None):
                setattr(o, key, f32(getattr(o, key)))
        return o

    path, keras_path = run_both(make_exact, np.float64, **hyper)
    assert_paths_equal(path, keras_path, 1e-12, name)


def test_float64_difference_is_keras_rounding_momentum_through_float32():
    """With momentum=0.9 in float64, Keras uses float32(0.9); nnopt with that value reproduces Keras exactly."""
    make = CONFIGS["sgd_momentum"]
    path, keras_path = run_both(make, np.float64, learning_rate=2**-7)
    errs = [np.max(np.abs(a[0] - b[0])) / np.max(np.abs(b[0])) for a, b in zip(path, keras_path)]
    assert 1e-10 < max(errs) < 1e-5  # a real, small difference ...

    def rounded(**h):
        return optim.SGD(momentum=float(np.float32(0.9)), **h)

    path, keras_path = run_both(rounded, np.float64, learning_rate=2**-7)
    assert_paths_equal(path, keras_path, 1e-12, "sgd momentum=float32(0.9)")  # ... fully explained


def test_keras_twin_has_same_hyperparameters():
    opt = optim.AdamW(learning_rate=0.003, weight_decay=0.02, beta_1=0.8, beta_2=0.99, epsilon=1e-6, amsgrad=True)
    twin = kb.to_keras(opt)
    config = twin.get_config()
    for key in ("weight_decay", "beta_1", "beta_2", "epsilon", "amsgrad"):
        assert config[key] == pytest.approx(getattr(opt, key)), key
    assert type(twin).__name__ == "AdamW"
    assert float(twin.learning_rate.numpy()) == pytest.approx(0.003)


@pytest.mark.parametrize("schedule", [
    schedules.ExponentialDecay(0.1, 7, 0.5),
    schedules.ExponentialDecay(0.1, 7, 0.5, staircase=True),
    schedules.CosineDecay(0.1, 50, alpha=0.05),
    schedules.CosineDecay(0.01, 40, warmup_target=0.1, warmup_steps=10),
    schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.05, 0.01]),
])
def test_schedules_equal_keras(schedule):
    keras_schedule = kb._schedule(schedule)
    ours = schedule.rates(80)
    theirs = np.array([float(keras_schedule(k)) for k in range(80)])
    # Keras evaluates schedules in float32: agreement to float32 precision of the peak rate
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7 * ours.max())


def test_trajectory_on_objective_equals_keras():
    from nnopt.objectives import Rosenbrock
    from nnopt.train import trajectory

    opt = lambda: optim.Adam(learning_rate=2**-6, beta_1=0.875, beta_2=0.9990234375, epsilon=2**-20)  # noqa: E731
    ours = trajectory(opt(), Rosenbrock(), [-1.5, 2.0], 150)
    theirs = kb.trajectory(opt(), Rosenbrock(), [-1.5, 2.0], 150)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
