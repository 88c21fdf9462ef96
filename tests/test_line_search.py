"""Backtracking (Armijo) line search: the condition holds, the step shrinks when it must, bad input is refused."""

import numpy as np
import pytest

from nnopt.line_search import backtracking, descend
from nnopt.objectives import Quadratic, Rosenbrock


def armijo_holds(loss, theta, g, step, c):
    return loss(theta - step.alpha * g) <= loss(theta) - c * step.alpha * (g @ g)


@pytest.mark.parametrize("seed", range(20))
def test_accepted_step_satisfies_armijo_on_rosenbrock(seed):
    rosen = Rosenbrock()
    theta = np.random.default_rng(seed).uniform(-2, 2, 2)
    g = rosen.grad(theta)
    step = backtracking(lambda th: float(rosen.value(th)), theta, g, float(rosen.value(theta)), c=0.3)
    assert armijo_holds(lambda th: float(rosen.value(th)), theta, g, step, 0.3)
    assert step.loss == float(rosen.value(theta - step.alpha * g))
    # the step before the accepted one (twice as long) violated the condition, unless alpha0 was accepted
    if step.evaluations > 1:
        longer = step._replace(alpha=2 * step.alpha)
        assert not armijo_holds(lambda th: float(rosen.value(th)), theta, g, longer, 0.3)


def test_shrinks_exactly_as_often_as_needed_on_a_quadratic():
    # on J = L/2 theta^2 the condition with c = 1/2 holds iff alpha <= 1/L: from alpha0 = 1 and L = 10,
    # the halvings 1, 1/2, 1/4, 1/8 fail and 1/16 is accepted, after 5 loss evaluations
    q = Quadratic(np.array([[10.0]]))
    theta = np.array([1.0])
    step = backtracking(lambda th: float(q.value(th)), theta, q.grad(theta), float(q.value(theta)), alpha0=1.0, c=0.5)
    assert step.alpha == 1 / 16 and step.evaluations == 5


def test_alpha0_accepted_when_small_enough():
    q = Quadratic(np.array([[10.0]]))
    theta = np.array([1.0])
    step = backtracking(lambda th: float(q.value(th)), theta, q.grad(theta), float(q.value(theta)), alpha0=0.05)
    assert step.alpha == 0.05 and step.evaluations == 1


def test_non_finite_trial_loss_is_shrunk():
    # exp overflows far out: the search must treat inf as a failure, not stop or accept it
    loss = lambda th: float(np.exp(th[0] ** 2))  # noqa: E731
    theta = np.array([1.0])
    g = np.array([2 * np.e])
    with np.errstate(over="ignore"):
        step = backtracking(loss, theta, g, loss(theta), alpha0=1e3)
    assert np.isfinite(step.loss) and step.loss < loss(theta)


def test_descend_reaches_tolerance_and_every_step_satisfies_armijo():
    q = Quadratic.with_condition_number(100.0, angle=np.pi / 6)
    loss = lambda th: float(q.value(th))  # noqa: E731
    run = descend(loss, q.grad, np.array([-2.0, -0.5]), tol=1e-8)
    assert np.linalg.norm(q.grad(run.path[-1])) <= 1e-8
    for theta, theta_next, alpha in zip(run.path[:-1], run.path[1:], run.alphas):
        g = q.grad(theta)
        assert np.allclose(theta_next, theta - alpha * g, rtol=0, atol=1e-15)
        assert loss(theta_next) <= loss(theta) - 1e-4 * alpha * (g @ g)
    assert run.gradient_evaluations == len(run.alphas) + 1
    assert run.loss_evaluations > len(run.alphas)


def test_raises_when_no_step_is_accepted():
    # an ascent "gradient" (the wrong sign): no step along -g lowers the loss
    q = Quadratic(np.array([[1.0]]))
    theta = np.array([1.0])
    with pytest.raises(RuntimeError, match="no step satisfied Armijo.*check that g is the gradient"):
        backtracking(lambda th: float(q.value(th)), theta, -q.grad(theta), float(q.value(theta)), max_shrinks=10)


LOSS = lambda th: float(th @ th)  # noqa: E731
THETA, G = np.array([1.0, 2.0]), np.array([2.0, 4.0])


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"c": 0.0}, ValueError, r"c must be a finite number > 0 and < 1.*c=0\.0001"),
    ({"c": 1.0}, ValueError, r"c must be .*< 1"),
    ({"c": float("nan")}, ValueError, r"c must be"),
    ({"shrink": 1.0}, ValueError, r"shrink must be a finite number > 0 and < 1.*shrink=0\.5"),
    ({"shrink": 0.0}, ValueError, r"shrink must be"),
    ({"alpha0": -1.0}, ValueError, r"alpha0 must be a finite number > 0.*alpha0=1\.0"),
    ({"max_shrinks": 2.5}, TypeError, r"max_shrinks must be an integer"),
    ({"loss_theta": float("nan")}, ValueError, r"loss_theta, the loss at theta, must be finite"),
    ({"loss_theta": float("inf")}, ValueError, r"loss_theta, the loss at theta, must be finite"),
    ({"g": np.ones(3)}, ValueError, r"g must have the shape of theta \(2,\)"),
])
def test_bad_arguments_raise_clear_errors(kwargs, error, pattern):
    args = {"loss": LOSS, "theta": THETA, "g": G, "loss_theta": LOSS(THETA)} | kwargs
    with pytest.raises(error, match=pattern):
        backtracking(**args)


@pytest.mark.parametrize("kwargs, pattern", [
    ({"tol": 0.0}, r"tol must be a finite number > 0"),
    ({"grow": 0.5}, r"grow must be a finite number >= 1"),
    ({"c": 1.5}, r"c must be"),
])
def test_descend_bad_arguments(kwargs, pattern):
    args = {"tol": 1e-6} | kwargs
    with pytest.raises(ValueError, match=pattern):
        descend(LOSS, lambda th: 2 * th, THETA, **args)
