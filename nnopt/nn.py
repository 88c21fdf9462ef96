"""A small multilayer perceptron in NumPy: neurons, layers, forward pass and backpropagation.

A *neuron* computes :math:`a = \\varphi(x w + b)` for an input row x: a weighted sum, a bias, an activation φ.
A *layer* is many neurons side by side, :math:`A = \\varphi(XW + b)` for a batch X (one row per sample). The
network is D layers in sequence, :math:`z_i = a_{i-1} W_i + b_i`, :math:`a_i = \\varphi(z_i)` for i = 1, …, D
(:math:`a_0 = x`); its parameters are a dict of named arrays ``W1, b1, W2, b2, ...`` so that optimizers and plots
can address them by name. The last layer is linear (:math:`a_D = z_D`): its outputs are logits (the losses apply
sigmoid / softmax themselves, in a numerically stable way).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["sigmoid", "softmax", "ACTIVATIONS", "MLP"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    r""":math:`\sigma(z) = 1/(1+e^{-z})`, computed without overflow for large :math:`|z|`."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softmax(z: np.ndarray) -> np.ndarray:
    r""":math:`\mathrm{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}` over the last axis (max subtracted first)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# name -> (activation, derivative expressed with the input z and the output a)
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "sigmoid": (sigmoid, lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a**2),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype)),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
}


class MLP:
    """A fully connected network ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    Parameters
    ----------
    sizes
        Layer widths, input first, e.g. ``(64, 32, 10)``.
    activation
        Hidden activation: ``"relu"``, ``"tanh"``, ``"sigmoid"`` or ``"linear"``. The output layer is linear.
    init
        ``"he"`` (:math:`\\mathcal N(0, 2/n_{in})`, for ReLU) or ``"xavier"``
        (:math:`\\mathcal N(0, 2/(n_{in}+n_{out}))`, for tanh/sigmoid); default: He for ReLU, else Xavier.
    seed
        Seed of the initialisation (``np.random.default_rng``).
    dtype
        Floating dtype of the parameters.
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", init: str | None = None, seed: int = 0,
                 dtype: type = np.float64) -> None:
        if len(sizes) < 2 or any(int(n) != n or n < 1 for n in sizes):
            raise ValueError(f"sizes must list at least two positive layer widths, got {sizes!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        init = init or ("he" if activation == "relu" else "xavier")
        if init not in ("he", "xavier"):
            raise ValueError(f"init must be 'he' or 'xavier', got {init!r}")
        self.sizes, self.activation, self.init = tuple(int(n) for n in sizes), activation, init
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {}
        for i, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            var = 2 / n_in if init == "he" else 2 / (n_in + n_out)
            self.params[f"W{i}"] = (rng.standard_normal((n_in, n_out)) * np.sqrt(var)).astype(dtype)
            self.params[f"b{i}"] = np.zeros(n_out, dtype=dtype)

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def forward(self, X: np.ndarray, params: dict[str, np.ndarray] | None = None):
        """Outputs (logits) for a batch ``X`` of shape (n, sizes[0]), and the cache backward needs."""
        p = self.params if params is None else params
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n_samples, {self.sizes[0]}), got {X.shape}")
        act = ACTIVATIONS[self.activation][0]
        cache, a = [], X
        for i in range(1, self.n_layers + 1):
            z = a @ p[f"W{i}"] + p[f"b{i}"]
            cache.append((a, z))
            a = z if i == self.n_layers else act(z)
        return a, (cache, p)

    def backward(self, cache, d_out: np.ndarray) -> dict[str, np.ndarray]:
        r"""Backpropagation: gradients of the loss w.r.t. every parameter, from :math:`\partial L/\partial
        \text{out}`. Per layer: :math:`\delta = \partial L/\partial z`, :math:`\partial L/\partial W = a^\top \delta`,
        :math:`\partial L/\partial b = \sum_n \delta`, and :math:`\partial L/\partial a_{prev} = \delta W^\top`.
        """
        layers, p = cache
        act, dact = ACTIVATIONS[self.activation]
        grads: dict[str, np.ndarray] = {}
        delta = d_out
        for i in range(self.n_layers, 0, -1):
            a_prev, _ = layers[i - 1]
            grads[f"W{i}"] = a_prev.T @ delta
            grads[f"b{i}"] = delta.sum(axis=0)
            if i > 1:
                z_prev = layers[i - 2][1]
                delta = (delta @ p[f"W{i}"].T) * dact(z_prev, a_prev)  # a_prev = act(z_prev), kept by forward
        return {k: grads[k] for k in p}

    def loss_and_grad(self, X: np.ndarray, y: np.ndarray, loss: Callable, params=None):
        """``(loss value, gradient dict)`` for a batch, with ``loss(out, y) -> (value, d_out)``."""
        out, cache = self.forward(X, params)
        value, d_out = loss(out, y)
        return value, self.backward(cache, d_out)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The network's outputs (logits) for ``X``."""
        return self.forward(X)[0]

    def n_params(self) -> int:
        return sum(p.size for p in self.params.values())

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes}, activation={self.activation!r}, init={self.init!r})"
