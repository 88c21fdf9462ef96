"""Losses as ``loss(out, y) -> (value, d value / d out)``, averaged over the samples of the batch.

The classification losses take *logits* (the network's linear outputs) and apply sigmoid/softmax inside,
in the numerically stable log-sum-exp form, so that no probability of exactly 0 or 1 ever reaches a log.
"""

from __future__ import annotations

import numpy as np

from nnopt.nn import sigmoid, softmax

__all__ = ["mse", "binary_cross_entropy", "softmax_cross_entropy", "accuracy", "LOSSES"]


def _check(out: np.ndarray, y: np.ndarray, name: str) -> None:
    if out.shape[0] != y.shape[0]:
        raise ValueError(f"{name}: out has {out.shape[0]} samples but y has {y.shape[0]}; pass matching batches")


def mse(out: np.ndarray, y: np.ndarray):
    r"""Mean squared error :math:`J = \frac1n \sum_i \|\hat y_i - y_i\|^2`; gradient :math:`\frac2n(\hat y - y)`."""
    y = np.asarray(y, dtype=out.dtype).reshape(out.shape)
    _check(out, y, "mse")
    r = out - y
    n = out.shape[0]
    return float(np.sum(r**2) / n), 2 * r / n


def binary_cross_entropy(logits: np.ndarray, y: np.ndarray):
    r"""Binary cross-entropy on logits z with labels y ∈ {0, 1}:

    .. math:: J = \frac1n\sum_i \left[\log(1+e^{z_i}) - y_i z_i\right], \qquad \frac{\partial J}{\partial z_i} =
              \frac{\sigma(z_i) - y_i}{n}
    """
    y = np.asarray(y, dtype=logits.dtype).reshape(logits.shape)
    _check(logits, y, "binary_cross_entropy")
    n = logits.shape[0]
    value = np.sum(np.logaddexp(0, logits) - y * logits) / n
    return float(value), (sigmoid(logits) - y) / n


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray):
    r"""Softmax cross-entropy on logits (n, K) with integer labels y (n,) or one-hot (n, K):

    .. math:: J = \frac1n\sum_i \left[\log\sum_k e^{z_{ik}} - z_{i y_i}\right], \qquad
              \frac{\partial J}{\partial z} = \frac{\mathrm{softmax}(z) - \text{onehot}(y)}{n}
    """
    y = np.asarray(y)
    _check(logits, y, "softmax_cross_entropy")
    n, K = logits.shape
    onehot = y.astype(logits.dtype) if y.ndim == 2 else np.eye(K, dtype=logits.dtype)[y.astype(int)]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=1))
    value = np.sum(log_z - np.sum(onehot * shifted, axis=1)) / n
    return float(value), (softmax(logits) - onehot) / n


def accuracy(out: np.ndarray, y: np.ndarray) -> float:
    """Fraction of correct predictions: argmax for (n, K) logits, sign for (n, 1) binary logits."""
    y = np.asarray(y)
    if out.ndim == 2 and out.shape[1] > 1:
        pred = out.argmax(axis=1)
        y = y.argmax(axis=1) if y.ndim == 2 else y
    else:
        pred = (out.reshape(-1) > 0).astype(int)
        y = y.reshape(-1)
    return float(np.mean(pred == y))


LOSSES = {"mse": mse, "binary_cross_entropy": binary_cross_entropy, "softmax_cross_entropy": softmax_cross_entropy}
