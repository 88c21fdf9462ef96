"""Bad input raises an error that names the argument and says how to fix it; nothing continues on NaN."""

import numpy as np
import pytest

from nnopt import data, nn, objectives, optim, schedules
from nnopt.train import DivergenceError, fit, trajectory


def P(*shape, dtype=np.float64):
    return np.ones(shape or (3,), dtype=dtype)


# (description, callable, exception type, regex the message must match: the argument ... and the fix)
CASES = [
    ("zero learning rate", lambda: optim.SGD(0.0), ValueError, r"learning_rate.*> 0.*learning_rate=0\.01"),
    ("negative learning rate", lambda: optim.Adam(-1e-3), ValueError, r"learning_rate.*> 0"),
    ("NaN learning rate", lambda: optim.RMSprop(float("nan")), ValueError, r"learning_rate.*finite"),
    ("inf learning rate", lambda: optim.Adagrad(float("inf")), ValueError, r"learning_rate.*finite"),
    ("string learning rate", lambda: optim.SGD("0.1"), TypeError, r"learning_rate.*pass e\.g\."),
    ("schedule returning 0", lambda: optim.SGD(lambda step: 0.0), ValueError, r"learning_rate schedule.*> 0"),
    ("momentum = 1", lambda: optim.SGD(0.1, momentum=1.0), ValueError, r"momentum.*>= 0 and < 1.*momentum=0\.9"),
    ("negative momentum", lambda: optim.SGD(0.1, momentum=-0.1), ValueError, r"momentum.*>= 0 and < 1"),
    ("beta_1 = 1", lambda: optim.Adam(beta_1=1.0), ValueError, r"beta_1.*>= 0 and < 1"),
    ("beta_2 > 1", lambda: optim.Adam(beta_2=1.5), ValueError, r"beta_2.*>= 0 and < 1"),
    ("rho NaN", lambda: optim.RMSprop(rho=float("nan")), ValueError, r"rho.*>= 0 and < 1"),
    ("epsilon = 0", lambda: optim.Adam(epsilon=0.0), ValueError, r"epsilon.*> 0"),
    ("negative epsilon", lambda: optim.Adagrad(epsilon=-1e-7), ValueError, r"epsilon.*> 0"),
    ("negative weight decay", lambda: optim.AdamW(weight_decay=-0.1), ValueError, r"weight_decay.*>= 0"),
    ("AdamW without decay", lambda: optim.AdamW(weight_decay=None), ValueError, r"weight_decay.*use Adam"),
    ("two clipping modes", lambda: optim.SGD(clipnorm=1.0, clipvalue=1.0), ValueError, r"at most one of clipnorm"),
    ("mismatched shapes", lambda: optim.SGD().step([P(3)], [P(4)]), ValueError,
     r"grads\[0\] has shape \(4,\) but params\[0\] has shape \(3,\).*must match"),
    ("mismatched lengths", lambda: optim.SGD().step([P(), P()], [P()]), ValueError,
     r"params has 2 arrays but grads has 1.*one gradient per parameter"),
    ("missing gradient (dict)", lambda: optim.Adam().step({"W": P(), "b": P()}, {"W": P()}), KeyError,
     r"grads has no entry for \['b'\]"),
    ("gradient is None", lambda: optim.Adam().step([P()], [None]), ValueError, r"grads\[0\] is None.*compute"),
    ("integer parameters", lambda: optim.SGD().step([np.ones(3, int)], [P()]), TypeError,
     r"params\[0\] has dtype int64.*astype\(np\.float32\)"),
    ("gradient dtype differs", lambda: optim.SGD().step([P()], [P(dtype=np.float32)]), TypeError,
     r"grads\[0\] has dtype float32 but params\[0\] has dtype float64.*astype"),
    ("NaN gradient", lambda: optim.Adam().step([P()], [np.array([1.0, np.nan, 0.0])]), FloatingPointError,
     r"grads\[0\] contains NaN or inf.*not applied"),
    ("inf gradient", lambda: optim.SGD().step({"w": P()}, {"w": np.array([np.inf, 0, 0])}), FloatingPointError,
     r"grads\['w'\] contains NaN or inf"),
    ("single array instead of list", lambda: optim.SGD().step(P(), P()), TypeError, r"list or dict of arrays.*wrap"),
    ("read-only parameter", lambda: optim.SGD().step([np.broadcast_to(P(), (3,))], [P()]), ValueError,
     r"params\[0\] is read-only.*writeable copy"),
    ("empty params", lambda: optim.SGD().step([], []), ValueError, r"params is empty"),
    ("list params, dict grads", lambda: optim.SGD().step([P()], {"w": P()}), TypeError, r"both be lists or both"),
    ("kappa < 1", lambda: objectives.Quadratic.with_condition_number(0.5), ValueError, r"kappa.*>= 1"),
    ("indefinite A", lambda: objectives.Quadratic(np.diag([1.0, -1.0])), ValueError, r"positive definite"),
    ("Reddi C <= 2", lambda: objectives.ReddiOnline(C=2.0), ValueError, r"C must be > 2"),
    ("bad MLP sizes", lambda: nn.MLP((4,)), ValueError, r"sizes must list at least two"),
    ("unknown activation", lambda: nn.MLP((2, 3), activation="swish"), ValueError, r"activation must be one of"),
    ("bad batch size", lambda: list(data.minibatches(P(4, 2), P(4), 0)), ValueError, r"batch_size.*positive"),
    ("X/y length mismatch", lambda: list(data.minibatches(P(4, 2), P(3), 2)), ValueError, r"X has 4.*y has 3"),
    ("wrong input width", lambda: nn.MLP((3, 2)).predict(P(5, 4)), ValueError, r"X must have shape \(n_samples, 3\)"),
    ("bad decay steps", lambda: schedules.ExponentialDecay(0.1, 0, 0.5), ValueError,
     r"decay_steps must be an integer > 0.*decay_steps="),
    ("negative delay", lambda: trajectory(optim.SGD(), objectives.Saddle(), [1.0, 1.0], 5, delay=-1), ValueError,
     r"delay must be a non-negative integer"),
    ("unknown loss", lambda: fit(nn.MLP((2, 1)), P(4, 2), P(4), "hinge", optim.SGD()), ValueError,
     r"loss must be one of"),
]


@pytest.mark.parametrize("what, call, exc, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_named(what, call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_nan_gradient_leaves_parameters_untouched():
    theta = np.array([1.0, 2.0])
    opt = optim.Adam(0.1)
    with pytest.raises(FloatingPointError):
        opt.step([theta], [np.array([0.5, np.nan])])
    np.testing.assert_array_equal(theta, [1.0, 2.0])
    assert opt.iterations == 0


def test_diverging_trajectory_is_reported_not_returned_as_nan():
    f = objectives.Quadratic.with_condition_number(10)
    with pytest.raises(FloatingPointError, match=r"params\[0\] became inf or NaN.*diverges; lower learning_rate"):
        trajectory(optim.SGD(1e3), f, [1.0, 1.0], 500)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's overflow warnings precede the error
def test_diverging_fit_raises_with_the_fix():
    X, y = data.linear_regression(64, seed=0)
    model = nn.MLP((1, 8, 1), activation="relu", seed=0)
    with pytest.raises((DivergenceError, FloatingPointError), match=r"lower learning_rate"):
        fit(model, X[:, None], y, "mse", optim.SGD(5.0), epochs=50, batch_size=16)


def test_optimizer_refuses_a_different_parameter_set():
    opt = optim.Adam()
    opt.step([P(3)], [P(3)])
    with pytest.raises(ValueError, match="create a new optimizer"):
        opt.step([P(4)], [P(4)])


def test_overflowing_optimizer_state_is_named():
    """float32 Adam with a 1e20 gradient: v = g² overflows while θ stays finite; that is reported, not hidden."""
    theta = np.ones(3, np.float32)
    with pytest.raises(FloatingPointError, match=r"state 'second_moment' of params\[0\] overflowed.*clipnorm"):
        optim.Adam(1e-3).step([theta], [np.full(3, 1e20, np.float32)])
