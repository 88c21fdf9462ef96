r"""Backtracking (Armijo) line search for gradient descent, when the smoothness constant L is unknown.

Armijo's sufficient-decrease condition accepts a step α along :math:`-g` when the actual decrease is at least a
fraction c₁ of the decrease :math:`\alpha\|g\|^2` that the first-order model predicts,

.. math:: J(\theta - \alpha g) \le J(\theta) - c_1\,\alpha \|g\|^2 ;

backtracking tries :math:`\alpha_0, \alpha_0 \omega, \alpha_0 \omega^2, \dots` (shrink factor ω) and takes the first
that satisfies it (Nocedal & Wright, *Numerical Optimization*, §3.1, Algorithm 3.1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from nnopt._checks import check_number

__all__ = ["Step", "backtracking", "Run", "descend"]


class Step(NamedTuple):
    r"""An accepted step of :func:`backtracking`.

    Parameters
    ----------
    alpha
        The accepted step size α.
    loss
        The loss :math:`J(\theta - \alpha g)` at the new point.
    evaluations
        The number of loss evaluations the search spent (trial points only; :math:`J(\theta)` is passed in).
    """

    alpha: float
    loss: float
    evaluations: int


def backtracking(loss: Callable[[np.ndarray], float], theta: np.ndarray, g: np.ndarray, loss_theta: float,
                 alpha0: float = 1.0, c: float = 1e-4, shrink: float = 0.5, max_shrinks: int = 50) -> Step:
    r"""The first :math:`\alpha = \alpha_0 \omega^i` (i = 0, 1, …) with
    :math:`J(\theta - \alpha g) \le J(\theta) - c_1\,\alpha\|g\|^2` (Armijo's condition).

    A trial point whose loss is not finite (an overflow far out) counts as a failure and is shrunk too.

    Parameters
    ----------
    loss
        J, a function of the parameters returning a number.
    theta
        The current parameters θ (not modified).
    g
        The gradient :math:`\nabla J(\theta)`; the search is along :math:`-g`.
    loss_theta
        :math:`J(\theta)`, already known to the caller (it must be finite).
    alpha0
        The first trial step, > 0.
    c
        c₁, the fraction of the predicted decrease that must be achieved, in (0, 1); 1e-4 is customary.
    shrink
        The factor ω by which a rejected step is multiplied, in (0, 1).
    max_shrinks
        How many times the step may be shrunk before the search gives up (``RuntimeError``).

    Returns
    -------
    Step
        ``(alpha, loss, evaluations)``.
    """
    alpha = check_number("alpha0", alpha0, example=1.0, gt=0)
    c = check_number("c", c, example=1e-4, gt=0, lt=1)
    shrink = check_number("shrink", shrink, example=0.5, gt=0, lt=1)
    max_shrinks = check_number("max_shrinks", max_shrinks, example=50, ge=0, integer=True)
    loss_theta = float(loss_theta)
    if not math.isfinite(loss_theta):
        raise ValueError(f"loss_theta, the loss at theta, must be finite, got {loss_theta!r}; start from a point "
                         "where the loss is finite (e.g. a smaller initialisation)")
    theta, g = np.asarray(theta, dtype=np.float64), np.asarray(g, dtype=np.float64)
    if g.shape != theta.shape:
        raise ValueError(f"g must have the shape of theta {theta.shape}, got {g.shape}")
    g_sq = float(g.ravel() @ g.ravel())
    for evaluations in range(1, max_shrinks + 2):
        trial = float(loss(theta - alpha * g))
        if trial <= loss_theta - c * alpha * g_sq:  # False for NaN: a non-finite trial is shrunk
            return Step(alpha, trial, evaluations)
        alpha *= shrink
    raise RuntimeError(f"no step satisfied Armijo's condition after {max_shrinks} shrinks (last alpha = {alpha:.3g});"
                       " check that g is the gradient of loss at theta, or raise max_shrinks")


class Run(NamedTuple):
    """The result of :func:`descend`.

    Parameters
    ----------
    path
        The iterates, one row per step, the start first: shape (steps + 1, d).
    alphas
        The accepted step sizes, one per step.
    gradient_evaluations
        The number of gradient evaluations spent (steps + 1).
    loss_evaluations
        The number of loss evaluations spent (the start and every trial point).
    """

    path: np.ndarray
    alphas: list[float]
    gradient_evaluations: int
    loss_evaluations: int


def descend(loss: Callable[[np.ndarray], float], grad: Callable[[np.ndarray], np.ndarray], theta0: np.ndarray,
            tol: float, max_steps: int = 100_000, alpha0: float = 1.0, grow: float = 2.0, c: float = 1e-4,
            shrink: float = 0.5) -> Run:
    r"""Gradient descent with a backtracking line search, until :math:`\|g_t\| \le \text{tol}`.

    Each search starts from ``grow`` times the step accepted at the previous iteration (``alpha0`` at the
    first), so the step can grow again where the curvature falls.

    Parameters
    ----------
    loss, grad
        J and its gradient, functions of the parameters.
    theta0
        The initial parameters (not modified).
    tol
        Stop when the gradient norm is at most ``tol`` (> 0).
    max_steps
        Stop after this many steps at the latest.
    alpha0
        The first trial step of the first search, > 0.
    grow
        The factor (>= 1) applied to the last accepted step to start the next search.
    c, shrink
        Armijo's fraction and the shrink factor, as in :func:`backtracking`.
    """
    tol = check_number("tol", tol, example=1e-6, gt=0)
    max_steps = check_number("max_steps", max_steps, example=10_000, ge=0, integer=True)
    grow = check_number("grow", grow, example=2.0, ge=1)
    alpha0 = check_number("alpha0", alpha0, example=1.0, gt=0)
    check_number("c", c, example=1e-4, gt=0, lt=1)
    check_number("shrink", shrink, example=0.5, gt=0, lt=1)
    theta = np.array(theta0, dtype=np.float64)
    path = [theta]
    J, g = float(loss(theta)), grad(theta)
    alphas, loss_evaluations, alpha = [], 1, alpha0
    while np.linalg.norm(g) > tol and len(alphas) < max_steps:
        step = backtracking(loss, theta, g, J, alpha0=alpha, c=c, shrink=shrink)
        theta = theta - step.alpha * g
        path.append(theta)
        J, g = step.loss, grad(theta)
        alphas.append(step.alpha)
        loss_evaluations += step.evaluations
        alpha = grow * step.alpha
    return Run(np.array(path), alphas, len(alphas) + 1, loss_evaluations)
