"""Gradient descent, with optional (Nesterov) momentum: ``keras.optimizers.SGD``."""

from __future__ import annotations

import numpy as np

from nnopt._checks import check_number
from nnopt.optim.base import LearningRate, Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Gradient descent with optional (Nesterov) momentum, exactly as ``keras.optimizers.SGD``.

    .. math::
        v \leftarrow \beta v - \alpha g, \qquad
        \theta \leftarrow \theta + v \quad\text{or, Nesterov:}\quad \theta \leftarrow \theta + \beta v - \alpha g

    With ``momentum=0`` (no state): :math:`\theta \leftarrow \theta - \alpha g`.

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.01, as Keras).
    momentum
        β in [0, 1) (default 0: plain gradient descent).
    nesterov
        Use Nesterov's form of the update (default False).
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``: see :class:`Optimizer`.
    """

    def __init__(self, learning_rate: LearningRate = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum = check_number("momentum", momentum, ge=0, lt=1, example=0.9)
        self.nesterov = bool(nesterov)

    def initial_state(self, theta):
        return {"velocity": np.zeros_like(theta)} if self.momentum else {}

    def update(self, theta, g, state, lr):
        if not self.momentum:
            theta -= g * lr  # θ ← θ − αg
            return
        beta, v = self.momentum, state["velocity"]
        v *= beta
        v -= g * lr  # v ← βv − αg
        if self.nesterov:
            theta += v * beta - g * lr  # θ ← θ + βv − αg
        else:
            theta += v  # θ ← θ + v
