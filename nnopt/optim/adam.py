"""The Adam family: moving averages of the gradient and of its square, with bias correction (Keras')."""

from __future__ import annotations

import numpy as np

from nnopt._checks import check_number
from nnopt.optim.base import LearningRate, Optimizer, kernel

__all__ = ["Adam", "AdamW", "Nadam", "Adamax"]


class Adam(Optimizer):
    r"""Adam, exactly as ``keras.optimizers.Adam`` (the "ε-hat" form of Kingma & Ba, sec. 2).

    .. math::
        m \leftarrow m + (1-\beta_1)(g - m), \qquad v \leftarrow v + (1-\beta_2)(g^2 - v), \\
        \alpha_t = \alpha \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}, \qquad
        \theta \leftarrow \theta - \frac{\alpha_t\, m}{\sqrt{v} + \hat\epsilon}

    :math:`\hat\epsilon` is a constant, added to the *uncorrected* :math:`\sqrt v`; the bias corrections act through
    :math:`\alpha_t`. This equals Algorithm 1 of the paper (:class:`~nnopt.optim.PaperAdam`) whose ε varies with the
    step as :math:`\epsilon_t = \hat\epsilon/\sqrt{1-\beta_2^t}`. With ``amsgrad``, the running maximum of the
    uncorrected second moment, :math:`v_{\max} \leftarrow \max(v_{\max}, v)` (slot ``max_second_moment``),
    replaces v in the step.

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    beta_1, beta_2
        Decay rates of the two moving averages, in [0, 1) (defaults 0.9 and 0.999).
    epsilon
        :math:`\hat\epsilon > 0`, added to :math:`\sqrt v` (default 1e-7, as Keras; the paper's ε is 1e-8).
    amsgrad
        Divide by the largest v seen so far (Reddi et al. 2018) (default False).
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``: see :class:`~nnopt.optim.Optimizer`.
    """

    chunk_bytes, pieces_per_block = 1 << 20, 1  # a compiled rule (kernel) has no temporaries

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number("beta_1", beta_1, ge=0, lt=1, example=0.9)
        self.beta_2 = check_number("beta_2", beta_2, ge=0, lt=1, example=0.999)
        self.epsilon = check_number("epsilon", epsilon, gt=0, example=1e-7)
        self.amsgrad = bool(amsgrad)

    def initial_state(self, theta):
        names = ["first_moment", "second_moment"] + ["max_second_moment"] * self.amsgrad
        return {name: np.zeros_like(theta) for name in names}

    def update(self, theta, g, state, lr):
        b1, b2, t, x = self.beta_1, self.beta_2, self.iterations + 1, theta.dtype.type
        alpha_t = lr * np.sqrt(1 - x(b2) ** x(t)) / (1 - x(b1) ** x(t))  # Keras computes α_t in the parameters' dtype
        adam_step(theta, g, state["first_moment"], state["second_moment"], state.get("max_second_moment", g[:0]),
                  alpha_t, x(1 - b1), x(1 - b2), x(self.epsilon))


@kernel
def adam_step(theta, g, m, v, v_max, alpha_t, one_minus_beta_1, one_minus_beta_2, epsilon):
    """Adam's step, element by element; ``v_max`` is empty without AMSGrad."""
    for i in range(theta.size):
        m[i] += one_minus_beta_1 * (g[i] - m[i])  # m ← m + (1−β₁)(g − m)
        v[i] += one_minus_beta_2 * (g[i] * g[i] - v[i])  # v ← v + (1−β₂)(g² − v)
        if v_max.size == 0:
            theta[i] -= m[i] * alpha_t / (np.sqrt(v[i]) + epsilon)  # θ ← θ − α_t m / (√v + ε̂)
        else:  # AMSGrad: the largest v so far, in place of v
            v_max[i] = np.maximum(v_max[i], v[i])  # v_max ← max(v_max, v)
            theta[i] -= m[i] * alpha_t / (np.sqrt(v_max[i]) + epsilon)  # θ ← θ − α_t m / (√v_max + ε̂)


class AdamW(Adam):
    r"""Adam with decoupled weight decay, exactly as ``keras.optimizers.AdamW``.

    Before each Adam step: :math:`\theta \leftarrow \theta - \alpha\lambda_{\mathrm{wd}}\theta`, with α the
    (scheduled) learning rate, not Adam's bias-corrected :math:`\alpha_t` (Keras scales the decay by the learning
    rate; Loshchilov & Hutter decay by :math:`\eta_t\lambda_{\mathrm{wd}}\theta` with a separate schedule
    multiplier :math:`\eta_t`). The decay is done by :class:`~nnopt.optim.Optimizer`.

    Parameters
    ----------
    weight_decay
        :math:`\lambda_{\mathrm{wd}} \ge 0` (default 0.004, as Keras).
    learning_rate, beta_1, beta_2, epsilon, amsgrad, **kwargs
        As for :class:`Adam`.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, **kwargs) -> None:
        if weight_decay is None:
            raise ValueError("AdamW needs weight_decay (a number >= 0, e.g. weight_decay=0.004); for no decay use Adam")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)


class AdamLike(Optimizer):
    """The arguments Keras' Nadam, Adamax and Lamb share with Adam (``learning_rate``, ``beta_1``, ``beta_2``,
    ``epsilon``; same defaults), checked once; the state is ``first_moment`` and ``second_moment`` unless a rule
    says otherwise."""

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number("beta_1", beta_1, ge=0, lt=1, example=0.9)
        self.beta_2 = check_number("beta_2", beta_2, ge=0, lt=1, example=0.999)
        self.epsilon = check_number("epsilon", epsilon, gt=0, example=1e-7)

    def initial_state(self, theta):
        return {"first_moment": np.zeros_like(theta), "second_moment": np.zeros_like(theta)}


class Nadam(AdamLike):
    r"""Adam with Nesterov momentum, exactly as ``keras.optimizers.Nadam`` (Dozat 2016).

    .. math::
        u_t = \beta_1\bigl(1 - \tfrac12\, 0.96^{t}\bigr), \qquad \Pi_t = \prod_{s=1}^{t} u_s, \\
        m \leftarrow m + (1-\beta_1)(g - m), \qquad v \leftarrow v + (1-\beta_2)(g^2 - v), \\
        \hat m = \frac{u_{t+1}\, m}{1 - \Pi_t u_{t+1}} + \frac{(1-u_t)\, g}{1 - \Pi_t}, \qquad
        \hat v = \frac{v}{1-\beta_2^t}, \qquad
        \theta \leftarrow \theta - \frac{\alpha\, \hat m}{\sqrt{\hat v} + \hat\epsilon}

    The momentum schedule :math:`u_t` ("warming up" β₁ with 0.96ᵗ) is Dozat's; Keras keeps the product
    :math:`\Pi_t` as one variable for all parameters, multiplied once per step in the first parameter's dtype
    (nnopt multiplies it in the same order, in each parameter's dtype: the same unless the parameters mix
    float32 and float64). The state is ``first_moment`` (m) and ``second_moment`` (v).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    beta_1, beta_2
        Decay rates of the two moving averages, in [0, 1) (defaults 0.9 and 0.999).
    epsilon
        :math:`\hat\epsilon > 0`, added to :math:`\sqrt{\hat v}` (default 1e-7).
    **kwargs
        ``weight_decay``, ``clipnorm``, ... : see :class:`~nnopt.optim.Optimizer`.
    """

    def update(self, theta, g, state, lr):
        m, v = state["first_moment"], state["second_moment"]
        t, x = self.iterations + 1, theta.dtype.type  # Keras computes the scalars in the parameters' dtype
        b1, b2 = x(self.beta_1), x(self.beta_2)
        u_t = b1 * (1 - 0.5 * x(0.96) ** x(t))  # u_t = β₁(1 − ½·0.96ᵗ)
        u_next = b1 * (1 - 0.5 * x(0.96) ** x(t + 1))  # u_{t+1}
        u_product = self._u_product(t, x)  # Π_t = u_1 ⋯ u_t
        m += (g - m) * (1 - b1)  # m ← m + (1−β₁)(g − m)
        v += (g * g - v) * (1 - b2)  # v ← v + (1−β₂)(g² − v)
        m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)  # m̂
        v_hat = v / (1 - b2 ** x(t))  # v̂ = v / (1−β₂ᵗ)
        theta -= m_hat * lr / (np.sqrt(v_hat) + self.epsilon)  # θ ← θ − α m̂ / (√v̂ + ε̂)

    def _u_product(self, t: int, x: type) -> np.floating:
        """Π_t in the dtype ``x``, multiplied step by step in Keras' order ((Π·β₁)·(1 − ½·0.96ˢ)), remembered."""
        memo = self.__dict__.setdefault("_u_products", {})  # dtype -> (t, Π_t), the last one computed
        known, product = memo.get(x, (0, x(1.0)))
        if known > t:  # pragma: no cover - only if iterations went back; start again
            known, product = 0, x(1.0)
        for s in range(known + 1, t + 1):
            product = product * x(self.beta_1) * (1 - 0.5 * x(0.96) ** x(s))
        memo[x] = (t, product)  # one assignment: safe when pieces are updated in threads
        return product


class Adamax(AdamLike):
    r"""Adam with the infinity norm, exactly as ``keras.optimizers.Adamax`` (Kingma & Ba 2015, sec. 7.1).

    .. math::
        m \leftarrow m + (1-\beta_1)(g - m), \qquad u \leftarrow \max(\beta_2 u, |g|), \qquad
        \theta \leftarrow \theta - \frac{\alpha\, m}{(1-\beta_1^t)(u + \hat\epsilon)}

    The paper has no ε̂ (it divides by u); Keras adds ε̂ so that a never-seen coordinate (u = 0) gets no NaN.
    The state is ``first_moment`` (m) and ``infinity_norm`` (u).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    beta_1, beta_2
        Decay rates of m and u, in [0, 1) (defaults 0.9 and 0.999).
    epsilon
        :math:`\hat\epsilon > 0`, added to u (default 1e-7).
    **kwargs
        ``weight_decay``, ``clipnorm``, ... : see :class:`~nnopt.optim.Optimizer`.
    """

    def initial_state(self, theta):
        return {"first_moment": np.zeros_like(theta), "infinity_norm": np.zeros_like(theta)}

    def update(self, theta, g, state, lr):
        m, u = state["first_moment"], state["infinity_norm"]
        t, x = self.iterations + 1, theta.dtype.type
        m += (g - m) * (1 - self.beta_1)  # m ← m + (1−β₁)(g − m)
        u[...] = np.maximum(self.beta_2 * u, np.abs(g))  # u ← max(β₂u, |g|)
        theta -= lr * m / ((1 - x(self.beta_1) ** x(t)) * (u + self.epsilon))  # θ ← θ − αm / ((1−β₁ᵗ)(u + ε̂))
