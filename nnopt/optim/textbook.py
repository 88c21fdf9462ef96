"""The textbook forms: where books and papers write an algorithm differently from Keras.

Each is tested against its Keras twin: the mapping between the two is exact (see the docstrings).
"""

from __future__ import annotations

import numpy as np

from nnopt._checks import check_number
from nnopt.optim.base import LearningRate, Optimizer

__all__ = ["EMAMomentum", "StackedEMAMomentum", "PaperAdam"]


class EMAMomentum(Optimizer):
    r"""Momentum as an exponential moving average of the gradients (the textbook "EMA form").

    .. math::
        \bar g \leftarrow \beta \bar g + (1-\beta) g, \qquad \theta \leftarrow \theta - \alpha \bar g

    Same trajectory as ``SGD(learning_rate=α(1−β), momentum=β)``, whose velocity is :math:`-\alpha \bar g`.
    The state is ``average_gradient`` (:math:`\bar g`).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.01).
    beta
        β in [0, 1) (default 0.9).
    """

    def __init__(self, learning_rate: LearningRate = 0.01, beta: float = 0.9, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta = check_number("beta", beta, ge=0, lt=1, example=0.9)

    def initial_state(self, theta):
        return {"average_gradient": np.zeros_like(theta)}

    def update(self, theta, g, state, lr):
        g_bar = state["average_gradient"]
        g_bar[...] = self.beta * g_bar + (1 - self.beta) * g  # ḡ ← βḡ + (1−β)g
        theta -= lr * g_bar  # θ ← θ − αḡ


class StackedEMAMomentum(Optimizer):
    r"""The "momentum acceleration" of some texts: two moving averages of the gradient, stacked.

    .. math::
        \bar g \leftarrow \beta \bar g + (1-\beta) g, \qquad
        \bar{\bar g} \leftarrow \beta \bar{\bar g} + (1-\beta) \bar g, \qquad
        \theta \leftarrow \theta - \alpha \bar{\bar g}

    A second low-pass filter on top of :class:`EMAMomentum`: smoother and more delayed, *not* Nesterov's
    accelerated method (the course measures the difference). The state is ``average_gradient``
    (:math:`\bar g`) and ``average_of_average`` (:math:`\bar{\bar g}`).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.01).
    beta
        β in [0, 1), the same for both averages (default 0.9).
    """

    def __init__(self, learning_rate: LearningRate = 0.01, beta: float = 0.9, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta = check_number("beta", beta, ge=0, lt=1, example=0.9)

    def initial_state(self, theta):
        return {"average_gradient": np.zeros_like(theta), "average_of_average": np.zeros_like(theta)}

    def update(self, theta, g, state, lr):
        beta, g_bar, g_bar2 = self.beta, state["average_gradient"], state["average_of_average"]
        g_bar[...] = beta * g_bar + (1 - beta) * g  # ḡ ← βḡ + (1−β)g
        g_bar2[...] = beta * g_bar2 + (1 - beta) * g_bar  # ḡ̄ ← βḡ̄ + (1−β)ḡ
        theta -= lr * g_bar2  # θ ← θ − αḡ̄


class PaperAdam(Optimizer):
    r"""Adam exactly as Algorithm 1 of Kingma & Ba (2015): bias-corrected moments, ε outside the root.

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g, \qquad v \leftarrow \beta_2 v + (1-\beta_2) g^2, \\
        \hat m = \frac{m}{1-\beta_1^t}, \qquad \hat v = \frac{v}{1-\beta_2^t}, \qquad
        \theta \leftarrow \theta - \frac{\alpha\, \hat m}{\sqrt{\hat v} + \epsilon}

    Equals :class:`~nnopt.optim.Adam` whose constant :math:`\hat\epsilon` were replaced, at step t, by
    :math:`\epsilon\sqrt{1-\beta_2^t}`; with a constant :math:`\hat\epsilon = \epsilon` the two differ where
    :math:`\sqrt{v}` is comparable to ε.

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    beta_1, beta_2
        Decay rates in [0, 1) (defaults 0.9 and 0.999).
    epsilon
        ε > 0 (default 1e-8, as in the paper).
    """

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number("beta_1", beta_1, ge=0, lt=1, example=0.9)
        self.beta_2 = check_number("beta_2", beta_2, ge=0, lt=1, example=0.999)
        self.epsilon = check_number("epsilon", epsilon, gt=0, example=1e-8)

    def initial_state(self, theta):
        return {"first_moment": np.zeros_like(theta), "second_moment": np.zeros_like(theta)}

    def update(self, theta, g, state, lr):
        b1, b2, t, m, v = self.beta_1, self.beta_2, self.iterations + 1, state["first_moment"], state["second_moment"]
        m[...] = b1 * m + (1 - b1) * g  # m ← β₁m + (1−β₁)g
        v[...] = b2 * v + (1 - b2) * (g * g)  # v ← β₂v + (1−β₂)g²
        m_hat = m / (1 - b1**t)  # m̂ = m / (1−β₁ᵗ)
        v_hat = v / (1 - b2**t)  # v̂ = v / (1−β₂ᵗ)
        theta -= lr * m_hat / (np.sqrt(v_hat) + self.epsilon)  # θ ← θ − α m̂ / (√v̂ + ε)
