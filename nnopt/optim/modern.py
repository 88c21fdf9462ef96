"""Keras' optimizers beyond SGD, the Adagrad family and Adam: ``Ftrl``, ``Lion``, ``Lamb``, ``Adafactor``, ``Muon``,
``ScheduleFreeAdamW``.

Each follows its Keras class operation by operation. Three need a whole parameter at once (``elementwise =
False``): Lamb's trust ratio (norms of θ and of the step), Adafactor's row and column means and Muon's matrix
products.
"""

from __future__ import annotations

import re

import numpy as np

from nnopt._checks import check_number
from nnopt.optim.adam import AdamLike
from nnopt.optim.base import LearningRate, Optimizer

__all__ = ["Ftrl", "Lion", "Lamb", "Adafactor", "Muon", "ScheduleFreeAdamW"]


class Ftrl(Optimizer):
    r"""Follow the regularized leader (FTRL-Proximal), exactly as ``keras.optimizers.Ftrl`` (McMahan et al. 2013).

    With p = ``learning_rate_power`` (−½: :math:`n^{-p} = \sqrt n`), λ₁, λ₂, λ₂ₛ the three regularization
    strengths:

    .. math::
        n' = n + g^2, \qquad
        z \leftarrow z + g + 2\lambda_{2s}\theta - \frac{n'^{-p} - n^{-p}}{\alpha}\,\theta, \qquad n \leftarrow n', \\
        \theta \leftarrow \frac{\operatorname{clip}(z, -\lambda_1, \lambda_1) - z}
                               {n^{-p}/\alpha + 2\lambda_2 + \beta/\alpha}

    so θ is exactly 0 where :math:`|z| \le \lambda_1` (sparsity). The paper's rule (Algorithm 1) is this with
    p = −½, its λ₂ equal to 2λ₂ here, n starting at 0 (Keras: ``initial_accumulator_value``) and no shrinkage
    term λ₂ₛ (Keras' addition: an L2 penalty that acts through the gradient). The state is ``accumulator`` (n,
    the sum of squared gradients) and ``linear`` (z).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    learning_rate_power
        p <= 0: the per-coordinate rate is :math:`\alpha n^{p}` (default −0.5).
    initial_accumulator_value
        The starting value of n, >= 0 (default 0.1).
    l1_regularization_strength, l2_regularization_strength, l2_shrinkage_regularization_strength
        λ₁, λ₂, λ₂ₛ >= 0 (defaults 0).
    beta
        β >= 0, the paper's β (default 0).
    **kwargs
        ``weight_decay``, ``clipnorm``, ... : see :class:`~nnopt.optim.Optimizer`.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, l2_shrinkage_regularization_strength: float = 0.0,
                 beta: float = 0.0, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.learning_rate_power = check_number("learning_rate_power", learning_rate_power, le=0, example=-0.5)
        self.initial_accumulator_value = check_number("initial_accumulator_value", initial_accumulator_value,
                                                      ge=0, example=0.1)
        self.l1_regularization_strength = check_number("l1_regularization_strength", l1_regularization_strength,
                                                       ge=0, example=0.001)
        self.l2_regularization_strength = check_number("l2_regularization_strength", l2_regularization_strength,
                                                       ge=0, example=0.001)
        self.l2_shrinkage_regularization_strength = check_number(
            "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, ge=0, example=0.001)
        self.beta = check_number("beta", beta, ge=0, example=1.0)

    def initial_state(self, theta):
        return {"accumulator": np.full_like(theta, self.initial_accumulator_value), "linear": np.zeros_like(theta)}

    def update(self, theta, g, state, lr):
        n, z, p, lr = state["accumulator"], state["linear"], -self.learning_rate_power, theta.dtype.type(lr)
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)  # λ₂ + β/(2α)
        n_new = n + g * g  # n' = n + g²
        z += g + (2 * self.l2_shrinkage_regularization_strength) * theta - (n_new ** p - n ** p) / lr * theta
        quadratic = n_new ** p / lr + 2 * l2  # n'^{-p}/α + 2λ₂ + β/α
        theta[...] = (np.clip(z, -self.l1_regularization_strength, self.l1_regularization_strength) - z) / quadratic
        n[...] = n_new  # n ← n'


class Lion(Optimizer):
    r"""Lion ("evolved sign momentum"), exactly as ``keras.optimizers.Lion`` (Chen et al. 2023).

    .. math::
        \theta \leftarrow \theta - \alpha\, \operatorname{sign}\bigl(\beta_1 m + (1-\beta_1) g\bigr), \qquad
        m \leftarrow \beta_2 m + (1-\beta_2) g

    Every coordinate moves by exactly ±α (or 0), so Lion wants a learning rate 3–10× smaller than AdamW's.
    The paper's decoupled weight decay :math:`-\alpha\lambda\theta` is the base class' ``weight_decay``,
    applied before the step as in Keras (the same result: the sign does not depend on θ). The state is
    ``momentum`` (m, a moving average of the gradients).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    beta_1
        β₁ in (0, 1]: the weight of m in the sign (default 0.9; β₁ = 0 would be signSGD, which Keras refuses).
    beta_2
        β₂ in [0, 1]: the decay of m (default 0.99).
    **kwargs
        ``weight_decay``, ``clipnorm``, ... : see :class:`~nnopt.optim.Optimizer`.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number("beta_1", beta_1, gt=0, le=1, example=0.9)
        self.beta_2 = check_number("beta_2", beta_2, ge=0, le=1, example=0.99)

    def initial_state(self, theta):
        return {"momentum": np.zeros_like(theta)}

    def update(self, theta, g, state, lr):
        m, x = state["momentum"], theta.dtype.type
        b1, b2 = x(self.beta_1), x(self.beta_2)
        theta -= lr * np.sign(m * b1 + g * (1 - b1))  # θ ← θ − α sign(β₁m + (1−β₁)g)
        m[...] = m * b2 + g * (1 - b2)  # m ← β₂m + (1−β₂)g


class Lamb(AdamLike):
    r"""LAMB (layer-wise adaptive moments), exactly as ``keras.optimizers.Lamb`` (You et al. 2020).

    .. math::
        m \leftarrow m + (1-\beta_1)(g - m), \qquad v \leftarrow v + (1-\beta_2)(g^2 - v), \qquad
        r = \frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \hat\epsilon}, \\
        \theta \leftarrow \theta - \alpha \frac{\lVert\theta\rVert}{\lVert r\rVert}\, r

    Adam's step r rescaled, per parameter array, to the size of the array itself (the "trust ratio"; 1 where
    either norm is 0). The paper adds the weight decay λθ to r before the ratio and allows a scaling φ(‖θ‖);
    Keras takes φ = identity and applies ``weight_decay`` before the step, decoupled. The norms are over whole
    arrays, so the rule gets whole arrays (``elementwise = False``). The state is ``first_moment`` (m) and
    ``second_moment`` (v).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    beta_1, beta_2
        Decay rates of the two moving averages, in [0, 1) (defaults 0.9 and 0.999).
    epsilon
        :math:`\hat\epsilon > 0` (default 1e-7).
    **kwargs
        ``weight_decay``, ``clipnorm``, ... : see :class:`~nnopt.optim.Optimizer`.
    """

    elementwise = False  # norms of whole arrays

    def update(self, theta, g, state, lr):
        m, v = state["first_moment"], state["second_moment"]
        t, x = self.iterations + 1, theta.dtype.type
        m += (g - m) * (1 - self.beta_1)  # m ← m + (1−β₁)(g − m)
        v += (g * g - v) * (1 - self.beta_2)  # v ← v + (1−β₂)(g² − v)
        r = m / (1 - x(self.beta_1) ** x(t)) / (np.sqrt(v / (1 - x(self.beta_2) ** x(t))) + self.epsilon)  # Adam's
        theta_norm, r_norm = np.sqrt(np.sum(theta * theta)), np.sqrt(np.sum(r * r))  # ‖θ‖, ‖r‖
        ratio = theta_norm / r_norm if theta_norm > 0 and r_norm > 0 else x(1.0)  # the trust ratio
        theta -= ratio * lr * r  # θ ← θ − α (‖θ‖/‖r‖) r


def _rms(a: np.ndarray) -> np.floating:
    """The root mean square of all elements, :math:`\\sqrt{\\operatorname{mean}(a^2)}` (Keras' ``Adafactor._rms``)."""
    return np.sqrt(np.mean(a * a))


class Adafactor(Optimizer):
    r"""Adafactor, exactly as ``keras.optimizers.Adafactor`` (Shazeer & Stern 2018), with factored state.

    With :math:`G = g^2 + \epsilon_1` and :math:`\hat\beta_{2t} = 1 - t^{c}` (c = ``beta_2_decay``):

    .. math::
        \rho_t = \min(\alpha, 1/\sqrt t), \qquad \alpha_t = \max(\epsilon_2, \operatorname{RMS}(\theta))\,\rho_t, \\
        R \leftarrow \hat\beta_{2t} R + (1-\hat\beta_{2t}) \operatorname{mean}_{\text{columns}} G, \qquad
        C \leftarrow \hat\beta_{2t} C + (1-\hat\beta_{2t}) \operatorname{mean}_{\text{rows}} G, \qquad
        V = \frac{R}{\operatorname{mean} R}\, C^\top, \\
        U = g / \sqrt V, \qquad
        \theta \leftarrow \theta - \alpha_t \frac{U}{\max(1, \operatorname{RMS}(U)/d)}

    For arrays of two or more dimensions (the last two factored, as Keras) V is the outer product of a row
    statistic R and a column statistic C: the state is ``row_mean_square`` (R, shape ``θ.shape[:-1]``) and
    ``column_mean_square`` (C, ``θ.shape[:-2] + θ.shape[-1:]``), O(rows + columns) numbers per matrix. Keras
    also keeps V itself, full-size (the arithmetic is the same: nnopt builds V for the step and drops it). For
    vectors and scalars the state is ``mean_square`` (V, full-size, :math:`V \leftarrow \hat\beta_{2t} V +
    (1-\hat\beta_{2t}) G`).

    Relation to the paper: Keras has no first moment (the paper's β₁ = 0 setting) and takes
    :math:`\rho_t = \min(\alpha, 1/\sqrt t)` where the paper's relative step is :math:`\min(10^{-2}, 1/\sqrt t)`.
    ``relative_step`` is accepted for Keras' sake but changes nothing: Keras 3 applies
    :math:`\min(\alpha, 1/\sqrt t)` whether it is True or False. The means are over whole rows, columns and
    arrays, so the rule gets whole arrays (``elementwise = False``).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    beta_2_decay
        c <= 0 in :math:`\hat\beta_{2t} = 1 - t^{c}` (default −0.8).
    epsilon_1
        ε₁ > 0, added to g² (default 1e-30).
    epsilon_2
        ε₂ > 0, the smallest scale of a step (default 1e-3).
    clip_threshold
        d > 0: steps whose RMS exceeds d are scaled down to d (default 1.0).
    relative_step
        Accepted, no effect (see above; default True).
    **kwargs
        ``weight_decay``, ``clipnorm``, ... : see :class:`~nnopt.optim.Optimizer`.
    """

    elementwise = False  # row, column and whole-array means

    def __init__(self, learning_rate: LearningRate = 0.001, beta_2_decay: float = -0.8, epsilon_1: float = 1e-30,
                 epsilon_2: float = 1e-3, clip_threshold: float = 1.0, relative_step: bool = True,
                 **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_2_decay = check_number("beta_2_decay", beta_2_decay, le=0, example=-0.8)
        self.epsilon_1 = check_number("epsilon_1", epsilon_1, gt=0, example=1e-30)
        self.epsilon_2 = check_number("epsilon_2", epsilon_2, gt=0, example=1e-3)
        self.clip_threshold = check_number("clip_threshold", clip_threshold, gt=0, example=1.0)
        self.relative_step = bool(relative_step)

    def initial_state(self, theta):
        if theta.ndim < 2:
            return {"mean_square": np.zeros_like(theta)}
        return {"row_mean_square": np.zeros(theta.shape[:-1], theta.dtype),
                "column_mean_square": np.zeros(theta.shape[:-2] + theta.shape[-1:], theta.dtype)}

    def update(self, theta, g, state, lr):
        x = theta.dtype.type
        t = x(self.iterations + 1)
        rho_t = np.minimum(x(lr), 1 / np.sqrt(t))  # ρ_t = min(α, 1/√t)
        alpha_t = np.maximum(x(self.epsilon_2), _rms(theta)) * rho_t  # α_t = max(ε₂, RMS(θ)) ρ_t
        G = g * g + self.epsilon_1  # G = g² + ε₁
        beta_t = 1 - t ** self.beta_2_decay  # β̂₂ₜ = 1 − tᶜ
        if theta.ndim < 2:
            V = state["mean_square"]
            V[...] = beta_t * V + (1 - beta_t) * G  # V ← β̂V + (1−β̂)G
        else:
            R, C = state["row_mean_square"], state["column_mean_square"]
            R[...] = beta_t * R + (1 - beta_t) * np.mean(G, axis=-1)  # R ← β̂R + (1−β̂) mean over columns
            C[...] = beta_t * C + (1 - beta_t) * np.mean(G, axis=-2)  # C ← β̂C + (1−β̂) mean over rows
            V = np.expand_dims(R / np.mean(R, axis=-1, keepdims=True), -1) * np.expand_dims(C, -2)  # V = R Cᵀ/mean R
        U = g / np.sqrt(V)  # U = g / √V
        theta -= alpha_t * (U / np.maximum(x(1), _rms(U) / self.clip_threshold))  # clipped to RMS d


def _newton_schulz(G: np.ndarray, steps: int, a: float, b: float, c: float) -> np.ndarray:
    r"""An approximately orthogonal matrix with G's singular vectors: :math:`US'V^\top` for :math:`G = USV^\top`.

    Keras' ``Muon.zeropower_via_newtonschulz5``, in its order of operations: X = G/(‖G‖_F + 10⁻⁷) (a wide
    matrix: a tall one is transposed first and back at the end), then ``steps`` times
    :math:`A = XX^\top,\ X \leftarrow aX + (bA + cA^2)X`. The quintic :math:`p(s) = as + bs^3 + cs^5` applied to
    each singular value pushes every one of them from (0, 1] towards 1 (with Keras' a, b, c into roughly
    [0.7, 1.2]: it trades exactness for speed).
    """
    X = G.T if G.shape[0] > G.shape[1] else G
    X = X / (np.sqrt(np.sum(X * X)) + 1e-7)  # spectral norm <= Frobenius norm <= 1
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X  # X ← p(X) = aX + bAX + cA²X
    return X.T if G.shape[0] > G.shape[1] else X


class Muon(Optimizer):
    r"""Muon (momentum orthogonalized by Newton–Schulz), exactly as ``keras.optimizers.Muon`` (Jordan et al. 2024).

    For a matrix θ (n × k) with momentum μ:

    .. math::
        m \leftarrow \mu m + g, \qquad
        O = \operatorname{NS}(g + \mu m) \ \text{(Nesterov; else } \operatorname{NS}(m)\text{)}, \qquad
        \theta \leftarrow \theta - \alpha \sqrt{\max(n, k)}\; r\, O

    where NS is five (``ns_steps``) Newton–Schulz iterations (``_newton_schulz``): O has the singular
    vectors of the momentum and singular values near 1, so every direction of the matrix moves by about the
    same amount. The factor :math:`r\sqrt{\max(n, k)}` (r = ``rms_rate``, None: factor 1) is Moonlight's (Liu et
    al. 2025), which Keras uses in place of Jordan's :math:`\sqrt{\max(1, n/k)}`: it gives O the RMS of an AdamW
    step, so that AdamW's learning rate and weight decay carry over.

    **Which parameters get AdamW.** Keras updates a variable with AdamW (``adam_beta_1``, ``adam_beta_2``,
    ``epsilon``, learning rate α·``adam_lr_ratio``, decay ``adam_weight_decay``) when it is not 2-D, when
    ``exclude_embeddings`` and its path contains "embedding" (any case), or when a regular expression of
    ``exclude_layers`` matches (``re.search``) its path; every other variable gets the Muon step and decay
    ``weight_decay``. nnopt has no variable paths: **the dict key plays the path** (``{"embedding/embeddings":
    E, "output_dense/kernel": W, ...}``). With a list of parameters, or non-string keys, there are no names
    and only the 2-D rule applies. :meth:`uses_adamw` is the rule. Its state is ``first_moment`` and
    ``second_moment`` (AdamW), or ``momentum`` (m, Muon). Keras' Nesterov form, like Jordan's, is
    :math:`g + \mu m` with the new m. The matrix products need whole arrays (``elementwise = False``).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.001).
    adam_beta_1, adam_beta_2
        AdamW's decay rates, in [0, 1) (defaults 0.9 and 0.999).
    adam_weight_decay
        The decoupled weight decay of the AdamW parameters, >= 0 (default 0.004).
    epsilon
        AdamW's :math:`\hat\epsilon > 0` (default 1e-7).
    weight_decay
        The decoupled weight decay of the Muon parameters, >= 0 or None (default 0.004).
    exclude_layers
        Regular expressions (a list of strings): parameters whose key matches one get AdamW (default None).
    exclude_embeddings
        Parameters whose key contains "embedding" get AdamW (default True).
    muon_a, muon_b, muon_c
        The Newton–Schulz quintic's coefficients (defaults 3.4445, −4.7750, 2.0315, Jordan's).
    adam_lr_ratio
        AdamW's learning rate is α times this, > 0 (default 1).
    momentum
        μ in [0, 1) (default 0.95).
    ns_steps
        Newton–Schulz iterations, an integer >= 0 (default 5).
    nesterov
        Orthogonalize :math:`g + \mu m` instead of m (default True).
    rms_rate
        r > 0, or None for no rescaling (default 0.2).
    **kwargs
        ``clipnorm``, ``clipvalue``, ... : see :class:`~nnopt.optim.Optimizer`.
    """

    elementwise = False  # matrix products

    def __init__(self, learning_rate: LearningRate = 0.001, adam_beta_1: float = 0.9, adam_beta_2: float = 0.999,
                 adam_weight_decay: float | None = 0.004, epsilon: float = 1e-7, weight_decay: float | None = 0.004,
                 *, exclude_layers: list[str] | None = None, exclude_embeddings: bool = True,
                 muon_a: float = 3.4445, muon_b: float = -4.7750, muon_c: float = 2.0315, adam_lr_ratio: float = 1,
                 momentum: float = 0.95, ns_steps: int = 5, nesterov: bool = True, rms_rate: float | None = 0.2,
                 **kwargs) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)
        self.adam_beta_1 = check_number("adam_beta_1", adam_beta_1, ge=0, lt=1, example=0.9)
        self.adam_beta_2 = check_number("adam_beta_2", adam_beta_2, ge=0, lt=1, example=0.999)
        self.adam_weight_decay = check_number("adam_weight_decay", adam_weight_decay, ge=0, optional=True,
                                              example=0.004)
        self.epsilon = check_number("epsilon", epsilon, gt=0, example=1e-7)
        if exclude_layers is not None and (isinstance(exclude_layers, str) or not all(
                isinstance(p, str) for p in exclude_layers)):
            raise TypeError(f"exclude_layers must be a list of regular expressions (strings), got "
                            f"{exclude_layers!r}; pass e.g. exclude_layers=['output_dense']")
        self.exclude_layers = list(exclude_layers or [])
        for pattern in self.exclude_layers:
            re.compile(pattern)  # a bad pattern fails here, not at the first step
        self.exclude_embeddings = bool(exclude_embeddings)
        self.muon_a = check_number("muon_a", muon_a, example=3.4445)
        self.muon_b = check_number("muon_b", muon_b, example=-4.7750)
        self.muon_c = check_number("muon_c", muon_c, example=2.0315)
        self.adam_lr_ratio = check_number("adam_lr_ratio", adam_lr_ratio, gt=0, example=1.0)
        self.momentum = check_number("momentum", momentum, ge=0, lt=1, example=0.95)
        self.ns_steps = check_number("ns_steps", ns_steps, ge=0, integer=True, example=5)
        self.nesterov = bool(nesterov)
        self.rms_rate = check_number("rms_rate", rms_rate, gt=0, optional=True, example=0.2)
        self._adamw_ids: set[int] = set()  # while the state is built: the parameters (by id) that get AdamW

    def uses_adamw(self, key: object, shape: tuple[int, ...]) -> bool:
        """Keras' ``_should_use_adamw`` with the dict key as the variable's path (no name: the 2-D rule only)."""
        if len(shape) != 2:
            return True
        path = key if isinstance(key, str) else None
        if path is None:
            return False
        return (self.exclude_embeddings and "embedding" in path.lower()) or any(
            re.search(pattern, path) for pattern in self.exclude_layers)

    def _build(self, triples):
        # initial_state(theta) sees no key, and the choice needs it: note the AdamW parameters first
        self._adamw_ids = {id(theta) for key, theta, _ in triples if self.uses_adamw(key, theta.shape)}
        super()._build(triples)

    def initial_state(self, theta):
        names = ["first_moment", "second_moment"] if id(theta) in self._adamw_ids else ["momentum"]
        return {name: np.zeros_like(theta) for name in names}

    def _decay(self, theta, lr):
        """Done in :meth:`update`: the rate depends on the parameter's kind (Keras' ``Muon._apply_weight_decay``)."""

    def update(self, theta, g, state, lr):
        adamw, x = "second_moment" in state, theta.dtype.type  # (Keras: "the presence of the velocity")
        decay = self.adam_weight_decay if adamw else self.weight_decay
        if decay:
            theta -= theta * decay * lr  # θ ← θ − θλα, before the step
        if adamw:
            self._adamw_update(theta, g, state, x(lr) * self.adam_lr_ratio)
            return
        m = state["momentum"]
        m += g + m * (self.momentum - 1)  # m ← μm + g
        O = _newton_schulz(g + self.momentum * m if self.nesterov else m, self.ns_steps, self.muon_a,
                           self.muon_b, self.muon_c)  # O = NS(g + μm) or NS(m)
        step = lr * O if self.rms_rate is None else lr * O * np.sqrt(x(max(theta.shape))) * self.rms_rate
        theta -= step  # θ ← θ − α √max(n, k) r O

    def _adamw_update(self, theta, g, state, lr):
        """Keras' ``Muon._adamw_update_step``: Adam's rule (as :class:`~nnopt.optim.Adam`), with the adam_ arguments."""
        m, v = state["first_moment"], state["second_moment"]
        t, x = self.iterations + 1, theta.dtype.type
        alpha_t = lr * np.sqrt(1 - x(self.adam_beta_2) ** x(t)) / (1 - x(self.adam_beta_1) ** x(t))  # α_t
        m += (g - m) * (1 - self.adam_beta_1)  # m ← m + (1−β₁)(g − m)
        v += (g * g - v) * (1 - self.adam_beta_2)  # v ← v + (1−β₂)(g² − v)
        theta -= m * alpha_t / (np.sqrt(v) + self.epsilon)  # θ ← θ − α_t m / (√v + ε̂)


class ScheduleFreeAdamW(Optimizer):
    r"""Schedule-free AdamW, exactly as ``keras.optimizers.ScheduleFreeAdamW`` (Defazio et al. 2024).

    Three sequences: z (plain Adam-preconditioned steps), x (the running average of z: the point to evaluate
    and keep) and y, between them, where the gradient is taken — y is what the parameters θ hold. With
    :math:`\alpha_t = \alpha \min(1, t/T_w)` (warm-up over ``warmup_steps`` :math:`T_w`) and :math:`c = 1/t`:

    .. math::
        v \leftarrow v + (1-\beta_2)(g^2 - v), \qquad
        z \leftarrow z - \frac{\alpha_t\, g}{\sqrt{v/(1-\beta_2^t)} + \epsilon}, \\
        x = \frac{\theta - (1-\beta_1) z}{\beta_1}, \qquad
        \theta \leftarrow (1-\beta_1) z + \beta_1 \bigl((1-c)\,x + c\, z\bigr)

    z starts at θ. No learning-rate schedule is needed: the averaging does its work.

    Relation to the paper and to Keras: the paper weights the average by :math:`\alpha_t^2` (Keras: uniform,
    c = 1/t) and recovers x from the *previous* z, :math:`x = (y - (1-\beta_1) z_{t-1})/\beta_1`. Keras keeps
    z (its "momentum") and reads it after updating it (``momentum.value`` is the variable, not a copy, on the
    TensorFlow backend), so x is computed from the new z, as written above; nnopt does the same, to stay equal
    to Keras. Keras does not keep x, and neither does nnopt: :meth:`averaged_params` computes x from θ and z as
    above, for evaluation. The state is ``second_moment`` (v) and ``base_sequence`` (z).

    Parameters
    ----------
    learning_rate
        α: a number > 0 or a schedule (default 0.0025).
    beta_1
        β₁ in (0, 1]: the interpolation between z and x (default 0.9).
    beta_2
        β₂ in [0, 1): decay of v (default 0.999).
    epsilon
        ε > 0 (default 1e-8).
    warmup_steps
        :math:`T_w`, an integer >= 0 (default 0: no warm-up).
    **kwargs
        ``weight_decay``, ``clipnorm``, ... : see :class:`~nnopt.optim.Optimizer`.
    """

    def __init__(self, learning_rate: LearningRate = 0.0025, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, warmup_steps: int = 0, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number("beta_1", beta_1, gt=0, le=1, example=0.9)
        self.beta_2 = check_number("beta_2", beta_2, ge=0, lt=1, example=0.999)
        self.epsilon = check_number("epsilon", epsilon, gt=0, example=1e-8)
        self.warmup_steps = check_number("warmup_steps", warmup_steps, ge=0, integer=True, example=100)

    def initial_state(self, theta):
        return {"second_moment": np.zeros_like(theta), "base_sequence": theta.copy()}

    def update(self, theta, g, state, lr):
        v, z, x = state["second_moment"], state["base_sequence"], theta.dtype.type
        t, b1, b2 = x(self.iterations + 1), x(self.beta_1), x(self.beta_2)
        if self.warmup_steps:
            lr = x(lr) * np.minimum(t / x(self.warmup_steps), 1.0)  # α_t = α min(t/T_w, 1)
        v += (g * g - v) * (1 - b2)  # v ← v + (1−β₂)(g² − v)
        z -= lr * g / (np.sqrt(v / (1 - b2 ** t)) + x(self.epsilon))  # z ← z − α_t g / (√(v/(1−β₂ᵗ)) + ε)
        c = 1.0 / t  # the weight of the new z in the average
        average = (theta - (1 - b1) * z) / b1  # x = (θ − (1−β₁)z) / β₁
        theta[...] = (1 - b1) * z + b1 * ((1 - c) * average + c * z)  # θ ← (1−β₁)z + β₁((1−c)x + cz)

    def averaged_params(self, params):
        """x, the averaged point the paper evaluates, for each parameter: (θ − (1−β₁)z)/β₁ (new arrays)."""
        items = params.items() if isinstance(params, dict) else enumerate(params)
        xs = {key: (theta - (1 - theta.dtype.type(self.beta_1)) * self.state[key]["base_sequence"])
              / theta.dtype.type(self.beta_1) for key, theta in items}
        return xs if isinstance(params, dict) else [xs[i] for i in range(len(xs))]
