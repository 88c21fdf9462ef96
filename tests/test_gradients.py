"""Every analytic gradient (and Hessian) in nnopt passes a central-difference check in float64."""

import numpy as np
import pytest

from nnopt import gradcheck, losses, nn, objectives

TOL = 1e-6
POINTS = [np.array([0.3, -0.7]), np.array([-1.2, 1.0]), np.array([2.0, 0.4])]
OBJECTIVES = {
    "quadratic": objectives.Quadratic.with_condition_number(50, angle=0.6, minimum=[1.0, -2.0]),
    "quadratic_5d": objectives.Quadratic.with_condition_number(10, dim=5),
    "rosenbrock": objectives.Rosenbrock(),
    "beale": objectives.Beale(),
    "saddle": objectives.Saddle(),
}


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
@pytest.mark.parametrize("k", range(len(POINTS)))
def test_objective_gradient(name, k):
    f = OBJECTIVES[name]
    x = np.resize(POINTS[k], f.dim)
    assert gradcheck.check_gradient(f.value, f.grad, x) < TOL


@pytest.mark.parametrize("name", ["quadratic", "rosenbrock", "saddle"])
def test_objective_hessian(name):
    f = OBJECTIVES[name]
    x = POINTS[0]
    numeric = np.array([gradcheck.numerical_gradient(lambda z, i=i: f.grad(z)[i], x.copy()) for i in range(2)])
    assert gradcheck.relative_error(f.hessian(x), numeric) < TOL


def test_objective_minima_are_stationary():
    for f in OBJECTIVES.values():
        assert np.allclose(f.grad(f.minimum), 0, atol=1e-10)
        assert np.isclose(f.value(f.minimum), f.f_min)


def test_reddi_gradient_is_the_loss_slope():
    f = objectives.ReddiOnline(C=3.0)
    for t in range(1, 7):
        x = np.array([0.2])
        numeric = gradcheck.numerical_gradient(lambda z, t=t: float(f.value(z, t)[0]), x)
        assert np.allclose(f.grad(x, t), numeric)


@pytest.mark.parametrize("act", sorted(nn.ACTIVATIONS))
def test_activation_derivatives(act):
    fn, d = nn.ACTIVATIONS[act]
    z = np.linspace(-3, 3, 13) + 0.05  # avoid ReLU's kink at 0
    numeric = np.array([gradcheck.numerical_gradient(lambda v: float(fn(v)[0]), np.array([zi]))[0] for zi in z])
    assert gradcheck.relative_error(d(z, fn(z)), numeric) < TOL


def _batch(seed=0, n=9, d=4):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng


@pytest.mark.parametrize("loss, target", [
    ("mse", lambda rng, n, k: rng.standard_normal((n, k))),
    ("binary_cross_entropy", lambda rng, n, k: rng.integers(0, 2, (n, 1))),
    ("softmax_cross_entropy", lambda rng, n, k: rng.integers(0, k, n)),
])
def test_loss_gradients(loss, target):
    rng = np.random.default_rng(3)
    k = 1 if loss == "binary_cross_entropy" else 4
    out = rng.standard_normal((9, k)) * 3
    y = target(rng, 9, k)
    fn = losses.LOSSES[loss]
    assert gradcheck.check_gradient(lambda o: fn(o, y)[0], lambda o: fn(o, y)[1], out) < TOL


def test_softmax_cross_entropy_one_hot_equals_integer_labels():
    rng = np.random.default_rng(0)
    z, y = rng.standard_normal((6, 3)), rng.integers(0, 3, 6)
    a, ga = losses.softmax_cross_entropy(z, y)
    b, gb = losses.softmax_cross_entropy(z, np.eye(3)[y])
    assert a == pytest.approx(b) and np.allclose(ga, gb)


def test_cross_entropies_are_stable_for_huge_logits():
    z = np.array([[1000.0], [-1000.0]])
    value, grad = losses.binary_cross_entropy(z, np.array([0, 1]))
    assert np.isfinite(value) and value == pytest.approx(1000.0) and np.isfinite(grad).all()
    value, grad = losses.softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert value == pytest.approx(2000.0) and np.isfinite(grad).all()


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
@pytest.mark.parametrize("loss", ["mse", "softmax_cross_entropy", "binary_cross_entropy"])
def test_mlp_backprop_matches_finite_differences(activation, loss):
    X, rng = _batch()
    k = {"mse": 2, "softmax_cross_entropy": 3, "binary_cross_entropy": 1}[loss]
    y = {"mse": rng.standard_normal((9, 2)), "softmax_cross_entropy": rng.integers(0, 3, 9),
         "binary_cross_entropy": rng.integers(0, 2, (9, 1))}[loss]
    model = nn.MLP((4, 6, 5, k), activation=activation, seed=1)
    for p in model.params.values():  # non-zero biases, so their gradients are exercised too
        p += 0.1 * rng.standard_normal(p.shape)
    errors = gradcheck.check_model(model, X, y, losses.LOSSES[loss])
    assert set(errors) == set(model.params)
    assert max(errors.values()) < TOL, errors


def test_relative_error_is_scale_free():
    a = np.array([1.0, 2.0])
    assert gradcheck.relative_error(a, a) == 0
    assert gradcheck.relative_error(1e-9 * a, 1e-9 * a * (1 + 1e-3)) == pytest.approx(5e-4, rel=1e-3)
    assert gradcheck.relative_error(a, 0 * a) == 1.0
