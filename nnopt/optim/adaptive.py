"""Per-coordinate step sizes from the history of squared gradients: ``Adagrad``, ``RMSprop``, ``Adadelta`` (Keras')."""

from __future__ import annotations

import numpy as np

from nnopt._checks import check_number
from nnopt.optim.base import LearningRate, Optimizer

__all__ = ["Adagrad", "RMSprop", "Adadelta"]


class Adagrad(Optimizer):
    r"""Adagrad, exactly as ``keras.optimizers.Adagrad``.

    .. math::
        G \leftarrow G + g^2, \qquad \theta \leftarrow \theta - \frac{\alpha\, g}{\sqrt{G + \epsilon}}

    Keras starts the accumulator G at ``initial_accumulator_value`` and puts ε inside the root.

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    initial_accumulator_value
        The starting value of G, >= 0 (default 0.1).
    epsilon
        ε > 0 (default 1e-7).
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``: see :class:`Optimizer`.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = check_number("initial_accumulator_value", initial_accumulator_value,
                                                      ge=0, example=0.1)
        self.epsilon = check_number("epsilon", epsilon, gt=0, example=1e-7)

    def initial_state(self, theta):
        return {"accumulator": np.full_like(theta, self.initial_accumulator_value)}

    def update(self, theta, g, state, lr):
        G = state["accumulator"]
        G += g * g  # G ← G + g²
        theta -= lr * g / np.sqrt(G + self.epsilon)  # θ ← θ − αg / √(G + ε)


class RMSprop(Optimizer):
    r"""RMSprop, exactly as ``keras.optimizers.RMSprop``.

    .. math::
        s \leftarrow \rho s + (1-\rho) g^2, \qquad
        \Delta = \frac{\alpha\, g}{\sqrt{s - \bar g^2 + \epsilon}}, \qquad \theta \leftarrow \theta - \Delta

    where the mean gradient :math:`\bar g \leftarrow \rho \bar g + (1-\rho) g` is subtracted only when
    ``centered``; with ``momentum`` β the step is smoothed: :math:`u \leftarrow \beta u + \Delta,\ \theta \leftarrow
    \theta - u`. The state is ``mean_square`` (s; Keras calls it a "velocity"), ``average_gradient`` (ḡ) and
    ``momentum`` (u).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    rho
        ρ in [0, 1): decay of the moving averages (default 0.9).
    momentum
        β in [0, 1) (default 0: no momentum).
    epsilon
        ε > 0, inside the root (default 1e-7).
    centered
        Divide by the estimated variance :math:`s - \bar g^2` instead of the mean square s (default False).
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``: see :class:`Optimizer`.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.centered = bool(centered)
        self.rho = check_number("rho", rho, ge=0, lt=1, example=0.9)
        self.momentum = check_number("momentum", momentum, ge=0, lt=1, example=0.9)
        self.epsilon = check_number("epsilon", epsilon, gt=0, example=1e-7)

    def initial_state(self, theta):
        names = ["mean_square"] + ["momentum"] * bool(self.momentum) + ["average_gradient"] * self.centered
        return {name: np.zeros_like(theta) for name in names}

    def update(self, theta, g, state, lr):
        rho, s = self.rho, state["mean_square"]
        s *= rho
        s += (1 - rho) * (g * g)  # s ← ρs + (1−ρ)g²
        if self.centered:
            g_bar = state["average_gradient"]
            g_bar[...] = rho * g_bar + (1 - rho) * g  # ḡ ← ρḡ + (1−ρ)g
            step = lr * g / np.sqrt(s - g_bar * g_bar + self.epsilon)  # Δ = αg / √(s − ḡ² + ε)
        else:
            step = lr * g / np.sqrt(s + self.epsilon)  # Δ = αg / √(s + ε)
        if self.momentum:
            u = state["momentum"]
            u[...] = self.momentum * u + step  # u ← βu + Δ
            step = u
        theta -= step  # θ ← θ − Δ (or − u)


class Adadelta(Optimizer):
    r"""Adadelta, exactly as ``keras.optimizers.Adadelta`` (Zeiler 2012).

    .. math::
        s \leftarrow \rho s + (1-\rho) g^2, \qquad
        \Delta = \frac{\sqrt{d + \epsilon}}{\sqrt{s + \epsilon}}\, g, \qquad
        d \leftarrow \rho d + (1-\rho) \Delta^2, \qquad \theta \leftarrow \theta - \alpha \Delta

    The ratio of the two root mean squares (of past updates, d, and of gradients, s) gives each coordinate its
    own step in the units of θ. Zeiler's rule has no learning rate (α = 1); Keras multiplies by α (default
    0.001; use ``learning_rate=1.0`` for the paper's rule). The state is ``mean_square`` (s) and
    ``mean_square_update`` (d).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    rho
        ρ in [0, 1): decay of both moving averages (default 0.95).
    epsilon
        ε > 0, inside both roots (default 1e-7).
    **kwargs
        ``weight_decay``, ``clipnorm``, ... : see :class:`Optimizer`.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho = check_number("rho", rho, ge=0, lt=1, example=0.95)
        self.epsilon = check_number("epsilon", epsilon, gt=0, example=1e-7)

    def initial_state(self, theta):
        return {"mean_square": np.zeros_like(theta), "mean_square_update": np.zeros_like(theta)}

    def update(self, theta, g, state, lr):
        rho, s, d = self.rho, state["mean_square"], state["mean_square_update"]
        s[...] = rho * s + (1 - rho) * (g * g)  # s ← ρs + (1−ρ)g²
        delta = np.sqrt(d + self.epsilon) * g / np.sqrt(s + self.epsilon)  # Δ = √(d + ε) g / √(s + ε)
        d[...] = rho * d + (1 - rho) * (delta * delta)  # d ← ρd + (1−ρ)Δ²
        theta -= lr * delta  # θ ← θ − αΔ
