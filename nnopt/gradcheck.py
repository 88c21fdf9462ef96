"""Gradient checking: central finite differences and the relative error."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "check_gradient", "check_model"]


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    r"""Central differences :math:`\partial_i f \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}` (error O(h²)).

    ``x`` (float64) is perturbed in place and restored, so ``f`` may close over it.
    """
    if not np.issubdtype(np.asarray(x).dtype, np.floating):
        raise TypeError(f"x must be a float array, got dtype {np.asarray(x).dtype}; use x.astype(float)")
    grad = np.zeros_like(x, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = f(x)
        flat[i] = old - h
        f_minus = f(x)
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-30) -> float:
    r""":math:`\|a - b\| / \max(\|a\| + \|b\|, \text{floor})` (Euclidean norms): scale-free, 0 when equal,
    1 when one of them is zero and the other is not."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), floor))


def check_gradient(f: Callable, grad: Callable, x: np.ndarray, h: float = 1e-6) -> float:
    """Relative error between the analytic ``grad(x)`` and central differences of ``f`` at ``x``."""
    x = np.array(x, dtype=np.float64)
    return relative_error(grad(x), numerical_gradient(f, x, h))


def check_model(model, X: np.ndarray, y: np.ndarray, loss: Callable, h: float = 1e-6) -> dict[str, float]:
    """Relative error of backpropagation against central differences, per parameter of an :class:`~nnopt.nn.MLP`."""
    _, grads = model.loss_and_grad(X, y, loss)
    errors = {}
    for name, p in model.params.items():
        numeric = numerical_gradient(lambda _: model.loss_and_grad(X, y, loss)[0], p, h)
        errors[name] = relative_error(grads[name], numeric)
    return errors
