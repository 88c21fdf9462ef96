"""Data sets for the course (all offline and seeded) and a shuffling minibatch iterator."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["linear_regression", "moons", "digits", "train_test_split", "minibatches"]


def linear_regression(n: int = 100, w: float = 2.0, b: float = 1.0, noise: float = 0.5, seed: int = 0,
                      x_range: tuple[float, float] = (-3.0, 3.0)):
    r"""Samples of :math:`y = w x + b + \varepsilon`, :math:`\varepsilon \sim \mathcal N(0, \text{noise}^2)`.

    Returns ``x`` of shape (n,) and ``y`` of shape (n,).
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(*x_range, size=n)
    return x, w * x + b + noise * rng.standard_normal(n)


def moons(n: int = 400, noise: float = 0.15, seed: int = 0):
    """Two interleaving half circles: ``X`` (n, 2), labels ``y`` (n,) in {0, 1}."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n - n0)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    X += noise * rng.standard_normal(X.shape)
    y = np.r_[np.zeros(n0, int), np.ones(n - n0, int)]
    order = rng.permutation(n)
    return X[order], y[order]


def train_test_split(X: np.ndarray, y: np.ndarray, test_size: float = 0.25, seed: int = 0):
    """A seeded random split: ``X_train, X_test, y_train, y_test``."""
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = int(round(test_size * len(X)))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def digits(test_size: float = 0.25, seed: int = 0, dtype: type = np.float64):
    """scikit-learn's 8×8 handwritten digits (1,797 images, shipped with scikit-learn, no download).

    Pixels scaled to [0, 1]. Returns ``X_train, X_test, y_train, y_test`` (X: (n, 64), y: integer labels).
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    X = (data.data / 16.0).astype(dtype)
    return train_test_split(X, data.target, test_size, seed)


def minibatches(X: np.ndarray, y: np.ndarray, batch_size: int, rng: np.random.Generator | None = None,
                shuffle: bool = True) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch of minibatches ``(X_batch, y_batch)``, reshuffled on every call when ``shuffle``.

    The last batch is smaller when ``batch_size`` does not divide the number of samples.
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X has {n} samples but y has {len(y)}; they must match")
    if not (isinstance(batch_size, (int, np.integer)) and 1 <= batch_size):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if shuffle:
        order = (rng if rng is not None else np.random.default_rng()).permutation(n)
    else:
        order = np.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]
