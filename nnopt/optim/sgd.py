"""Gradient descent, with optional (Nesterov) momentum: ``keras.optimizers.SGD``."""

from __future__ import annotations

import numpy as np

from nnopt._checks import check_number
from nnopt.optim.base import LearningRate, Optimizer, kernel

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

    chunk_bytes, pieces_per_block = 1 << 20, 1  # a compiled rule (kernel) has no temporaries

    def __init__(self, learning_rate: LearningRate = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum = check_number("momentum", momentum, ge=0, lt=1, example=0.9)
        self.nesterov = bool(nesterov)

    def initial_state(self, theta):
        return {"velocity": np.zeros_like(theta)} if self.momentum else {}

    def update(self, theta, g, state, lr):
        x = theta.dtype.type  # Keras computes in the parameters' dtype
        sgd_step(theta, g, state.get("velocity", g[:0]), x(lr), x(self.momentum), self.nesterov)


@kernel
def sgd_step(theta, g, v, alpha, beta, nesterov):
    """SGD's step, element by element; ``v`` (the velocity) is empty without momentum."""
    for i in range(theta.size):
        if v.size == 0:
            theta[i] -= g[i] * alpha  # θ ← θ − αg
        else:
            v[i] = v[i] * beta - g[i] * alpha  # v ← βv − αg
            if nesterov:
                theta[i] += v[i] * beta - g[i] * alpha  # θ ← θ + βv − αg
            else:
                theta[i] += v[i]  # θ ← θ + v
