"""Optimizers: Keras 3 names, defaults and arithmetic, plus the textbook forms.

Every optimizer is a small subclass of :class:`Optimizer`. The base class does the bookkeeping once
(validation, per-parameter state, step count, learning-rate schedules, gradient clipping, weight decay,
chunking for large arrays); a subclass only states its slots and its ``update`` rule, written in place
with NumPy so that it stays close to the memory-bound limit.

Usage::

    opt = Adam(learning_rate=1e-3)
    opt.step(params, grads)      # lists or dicts of same-shape float arrays; params updated in place
    opt.state[0]["first_moment"] # the state is plain arrays, for plotting
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from nnopt.schedules import Schedule

LearningRate = float | Schedule | Callable[[int], float]
Params = Sequence[np.ndarray] | Mapping[str, np.ndarray]

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "EMAMomentum",
    "StackedEMAMomentum",
    "PaperAdam",
    "get",
]

_CHUNK = 1 << 16  # elements per chunk: temporaries of this size stay in the CPU cache


# --------------------------------------------------------------------------------------------------
# validation helpers: each error names the argument and the fix
# --------------------------------------------------------------------------------------------------
def _check_positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a positive real number, got {value!r}; pass e.g. {name}=0.01")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}; pass e.g. {name}=0.01")
    return float(value)


def _check_unit_interval(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number in [0, 1), got {value!r}; pass e.g. {name}=0.9")
    if not math.isfinite(value) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}; pass e.g. {name}=0.9")
    return float(value)


def _check_optional_positive(name: str, value: float | None) -> float | None:
    return None if value is None else _check_positive(name, value)


def _as_items(tree: Params, what: str) -> list[tuple[object, np.ndarray]]:
    """(key, array) pairs of a list/tuple or dict of arrays."""
    if isinstance(tree, np.ndarray):
        raise TypeError(f"{what} must be a list or dict of arrays, got a single array; wrap it: [{what[:-1]}]")
    if isinstance(tree, Mapping):
        return list(tree.items())
    if isinstance(tree, Sequence) and not isinstance(tree, (str, bytes)):
        return list(enumerate(tree))
    raise TypeError(f"{what} must be a list or dict of NumPy arrays, got {type(tree).__name__}")


def _label(what: str, key: object) -> str:
    return f"{what}[{key!r}]"


def _is_finite_array(a: np.ndarray) -> bool:
    """True when every element is finite; one read pass (a sum), exact check only on overflow."""
    total = np.add.reduce(a, axis=None)
    return bool(np.isfinite(total)) or bool(np.isfinite(a).all())


# --------------------------------------------------------------------------------------------------
# the base class
# --------------------------------------------------------------------------------------------------
class Optimizer:
    """Shared bookkeeping of all optimizers (Keras 3 ``BaseOptimizer`` semantics).

    One ``step`` does, in this order (as Keras does): clip the gradients (``clipvalue``, ``clipnorm``,
    ``global_clipnorm``), decay the weights
    (:math:`\\theta \\leftarrow \\theta - \\theta\\,\\lambda\\,\\alpha`, with α the scheduled learning rate, not
    Adam's bias-corrected step: Keras scales the decay by it), apply the subclass' ``update`` rule, and
    increment ``iterations``.

    Parameters
    ----------
    learning_rate
        A float > 0, or a schedule ``f(iterations) -> float`` (see :mod:`nnopt.schedules`).
    weight_decay
        Decoupled weight decay :math:`\\lambda` (None: off).
    clipnorm, clipvalue, global_clipnorm
        Gradient clipping, as in Keras (None: off). At most one of them.
    """

    slots: tuple[str, ...] = ()  # names of per-parameter state arrays, zero-initialised
    scratch: int = 1  # temporaries the update rule needs (cache-sized)

    def __init__(
        self,
        learning_rate: LearningRate = 0.01,
        *,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
    ) -> None:
        if callable(learning_rate):
            self._schedule = learning_rate
            self._check_lr(learning_rate(0))
        else:
            self._schedule = None
            learning_rate = _check_positive("learning_rate", learning_rate)
        self._learning_rate = learning_rate
        if weight_decay is not None:
            if not math.isfinite(weight_decay) or weight_decay < 0:
                raise ValueError(f"weight_decay must be a finite number >= 0, got {weight_decay!r}; e.g. 0.004")
            weight_decay = float(weight_decay)
        self.weight_decay = weight_decay
        self.clipnorm = _check_optional_positive("clipnorm", clipnorm)
        self.clipvalue = _check_optional_positive("clipvalue", clipvalue)
        self.global_clipnorm = _check_optional_positive("global_clipnorm", global_clipnorm)
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("pass at most one of clipnorm, clipvalue, global_clipnorm")
        self.iterations = 0
        self.state: dict[object, dict[str, np.ndarray]] = {}
        self._keys: list[object] | None = None
        self._buffers: dict[np.dtype, list[np.ndarray]] = {}

    # ---- learning rate ---------------------------------------------------------------------------
    @staticmethod
    def _check_lr(value: float) -> float:
        if not (isinstance(value, (int, float, np.floating)) and math.isfinite(value) and value > 0):
            raise ValueError(
                f"learning_rate schedule returned {value!r}; a schedule must return a finite number > 0"
            )
        return float(value)

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step (the schedule evaluated at ``iterations``)."""
        if self._schedule is None:
            return self._learning_rate
        return self._check_lr(self._schedule(self.iterations))

    # ---- the step --------------------------------------------------------------------------------
    def step(self, params: Params, grads: Params) -> None:
        """Update ``params`` in place from ``grads`` (same structure, shapes and float dtypes)."""
        pairs = self._validate(params, grads)
        grads_used = self._clip([g for _, _, g in pairs])
        lr = self.learning_rate
        for (key, theta, _), g in zip(pairs, grads_used):
            state, total = self.state[key], 0.0
            # overflow is not warned about here: it is detected below and raised as a clear error
            with np.errstate(over="ignore", invalid="ignore"):
                for theta_c, g_c, state_c, scratch in self._chunks(theta, g, state):
                    if self.weight_decay:
                        self._decay(theta_c, lr, scratch[0])
                    self.update(theta_c, g_c, state_c, lr, scratch)
                    # finiteness of θ and the state, summed while the chunk is in cache
                    total += float(np.add.reduce(theta_c, axis=None))
                    total += sum(float(np.add.reduce(a, axis=None)) for a in state_c.values())
            if not math.isfinite(total):
                self._raise_non_finite(key, theta, state, lr)
        self.iterations += 1

    def _raise_non_finite(self, key: object, theta: np.ndarray, state: dict[str, np.ndarray], lr: float) -> None:
        """Name what overflowed (a sum can overflow with all elements finite: then nothing is raised)."""
        where = f"at step {self.iterations + 1} of {type(self).__name__}"
        if not np.isfinite(theta).all():
            raise FloatingPointError(
                f"{_label('params', key)} became inf or NaN {where}: the run diverges; lower learning_rate "
                f"(now {lr:g})"
            )
        for slot, arr in state.items():
            if not np.isfinite(arr).all():
                raise FloatingPointError(
                    f"the optimizer state {slot!r} of {_label('params', key)} overflowed {where}: the gradients "
                    f"are too large for {arr.dtype}; clip them (clipnorm=...) or scale the loss down"
                )

    def update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], lr: float,
               scratch: list[np.ndarray]) -> None:
        """The algorithm: update ``theta`` and ``state`` in place. Subclasses implement it."""
        raise NotImplementedError

    # ---- bookkeeping -------------------------------------------------------------------------------
    def _validate(self, params: Params, grads: Params) -> list[tuple[object, np.ndarray, np.ndarray]]:
        p_items = _as_items(params, "params")
        g_items = _as_items(grads, "grads")
        if not p_items:
            raise ValueError("params is empty; pass the list (or dict) of parameter arrays to update")
        if isinstance(params, Mapping) != isinstance(grads, Mapping):
            raise TypeError("params and grads must both be lists or both be dicts with the same keys")
        if isinstance(params, Mapping):
            missing = [k for k in params if k not in grads]
            if missing:
                raise KeyError(f"grads has no entry for {missing}; pass one gradient per parameter")
            extra = [k for k in grads if k not in params]
            if extra:
                raise KeyError(f"grads has entries {extra} that are not in params; drop them")
            g_items = [(k, grads[k]) for k, _ in p_items]
        elif len(p_items) != len(g_items):
            raise ValueError(
                f"params has {len(p_items)} arrays but grads has {len(g_items)}; pass one gradient per parameter"
            )
        out = []
        for (key, theta), (_, g) in zip(p_items, g_items):
            if isinstance(g, np.generic):  # e.g. np.sum(...) for a 0-d parameter
                g = np.asarray(g)
            self._check_pair(key, theta, g)
            out.append((key, theta, g))
        keys = [k for k, _, _ in out]
        if self._keys is None:
            self._build(out)
        elif keys != self._keys or any(self.state[k][self.slots[0]].shape != t.shape for k, t, _ in out
                                       if self.slots):
            raise ValueError(
                "params differ from those this optimizer was built for (keys, order or shapes); "
                "create a new optimizer for a new set of parameters"
            )
        return out

    @staticmethod
    def _check_pair(key: object, theta: np.ndarray, g: np.ndarray) -> None:
        pname, gname = _label("params", key), _label("grads", key)
        if not isinstance(theta, np.ndarray):
            raise TypeError(f"{pname} must be a NumPy array, got {type(theta).__name__}; use np.asarray(...)")
        if not np.issubdtype(theta.dtype, np.floating):
            raise TypeError(
                f"{pname} has dtype {theta.dtype}; parameters must be floating point to be updated in place: "
                f"use .astype(np.float32) or .astype(np.float64)"
            )
        if not theta.flags.writeable:
            raise ValueError(f"{pname} is read-only; pass a writeable copy (np.array(...))")
        if g is None:
            raise ValueError(f"{gname} is None (missing gradient); compute a gradient for every parameter")
        if not isinstance(g, np.ndarray):
            raise TypeError(f"{gname} must be a NumPy array, got {type(g).__name__}; use np.asarray(...)")
        if g.shape != theta.shape:
            raise ValueError(f"{gname} has shape {g.shape} but {pname} has shape {theta.shape}; they must match")
        if g.dtype != theta.dtype:
            raise TypeError(
                f"{gname} has dtype {g.dtype} but {pname} has dtype {theta.dtype}; cast with "
                f".astype({theta.dtype})"
            )
        if not _is_finite_array(g):
            raise FloatingPointError(
                f"{gname} contains NaN or inf; the step was not applied. Check the loss for overflow or "
                f"lower the learning rate"
            )

    def _build(self, items: list[tuple[object, np.ndarray, np.ndarray]]) -> None:
        self._keys = [k for k, _, _ in items]
        for key, theta, _ in items:
            self.state[key] = {name: np.zeros_like(theta) for name in self.slots}

    def _chunks(self, theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]):
        """Yield (theta, g, state, scratch) over cache-sized pieces of flat views (or the whole array)."""
        bufs = self._buffers.get(theta.dtype)
        if bufs is None:
            bufs = self._buffers[theta.dtype] = [np.empty(_CHUNK, theta.dtype) for _ in range(self.scratch)]
        if theta.size <= _CHUNK:
            yield theta, g, state, [b[: theta.size].reshape(theta.shape) for b in bufs]
            return
        if not (theta.flags.c_contiguous and g.flags.c_contiguous):
            yield theta, g, state, [np.empty_like(theta) for _ in range(self.scratch)]
            return
        flat_t, flat_g = theta.reshape(-1), g.reshape(-1)
        flat_s = {name: arr.reshape(-1) for name, arr in state.items()}
        for start in range(0, theta.size, _CHUNK):
            part = slice(start, start + _CHUNK)
            n = flat_t[part].size
            yield flat_t[part], flat_g[part], {k: v[part] for k, v in flat_s.items()}, [b[:n] for b in bufs]

    def _decay(self, theta: np.ndarray, lr: float, tmp: np.ndarray) -> None:
        # Keras: variable.assign_sub(variable * weight_decay * learning_rate)
        np.multiply(theta, self.weight_decay, out=tmp)
        tmp *= lr
        theta -= tmp

    def _clip(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:
            # Keras: g * clipnorm / max(‖g‖, clipnorm)
            return [g * self.clipnorm / np.maximum(np.sqrt(np.sum(np.square(g))), self.clipnorm) for g in grads]
        if self.global_clipnorm is not None:
            norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
            return [g * (self.global_clipnorm / max(norm, self.global_clipnorm)) for g in grads]
        return grads

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({hyper})"

    def get_config(self) -> dict[str, object]:
        """The hyper-parameters, by their Keras names."""
        names = [n for n in vars(self) if not n.startswith("_") and n not in ("state", "iterations", "slots")]
        config = {"learning_rate": self._learning_rate}
        config.update({n: getattr(self, n) for n in names})
        return config


# --------------------------------------------------------------------------------------------------
# Keras 3 optimizers
# --------------------------------------------------------------------------------------------------
class SGD(Optimizer):
    r"""Gradient descent with optional (Nesterov) momentum, exactly as ``keras.optimizers.SGD``.

    .. math::
        v \leftarrow \beta v - \alpha g, \qquad
        \theta \leftarrow \theta + v \quad\text{or, Nesterov:}\quad \theta \leftarrow \theta + \beta v - \alpha g

    With ``momentum=0``: :math:`\theta \leftarrow \theta - \alpha g`.
    """

    scratch = 2

    def __init__(self, learning_rate: LearningRate = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum = _check_unit_interval("momentum", momentum)
        self.nesterov = bool(nesterov)
        self.slots = ("velocity",) if self.momentum else ()

    def update(self, theta, g, state, lr, scratch):
        step = scratch[0]
        np.multiply(g, lr, out=step)  # αg
        if not self.momentum:
            theta -= step  # θ ← θ − αg
            return
        v = state["velocity"]
        v *= self.momentum
        v -= step  # v ← βv − αg
        if self.nesterov:
            np.multiply(v, self.momentum, out=scratch[1])
            scratch[1] -= step
            theta += scratch[1]  # θ ← θ + βv − αg
        else:
            theta += v  # θ ← θ + v


class Adagrad(Optimizer):
    r"""Adagrad, exactly as ``keras.optimizers.Adagrad``.

    .. math::
        G \leftarrow G + g^2, \qquad \theta \leftarrow \theta - \frac{\alpha\, g}{\sqrt{G + \epsilon}}

    Keras starts the accumulator at ``initial_accumulator_value`` (0.1) and puts ε inside the root.
    """

    slots = ("accumulator",)
    scratch = 2

    def __init__(self, learning_rate: LearningRate = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        if not (math.isfinite(initial_accumulator_value) and initial_accumulator_value >= 0):
            raise ValueError(
                f"initial_accumulator_value must be a finite number >= 0, got {initial_accumulator_value!r}; "
                "e.g. 0.1"
            )
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = _check_positive("epsilon", epsilon)

    def _build(self, items):
        super()._build(items)
        for s in self.state.values():
            s["accumulator"] += self.initial_accumulator_value

    def update(self, theta, g, state, lr, scratch):
        G, (tmp, denom) = state["accumulator"], scratch
        np.square(g, out=tmp)
        G += tmp  # G ← G + g²
        np.add(G, self.epsilon, out=denom)
        np.sqrt(denom, out=denom)  # √(G + ε)
        np.multiply(g, lr, out=tmp)
        tmp /= denom
        theta -= tmp  # θ ← θ − α g / √(G + ε)


class RMSprop(Optimizer):
    r"""RMSprop, exactly as ``keras.optimizers.RMSprop``.

    .. math::
        s \leftarrow \rho s + (1-\rho) g^2, \qquad
        \Delta = \frac{\alpha\, g}{\sqrt{s - \bar g^2 + \epsilon}}, \qquad \theta \leftarrow \theta - \Delta

    where :math:`\bar g \leftarrow \rho \bar g + (1-\rho) g` is subtracted only when ``centered``, and with
    ``momentum`` :math:`\mu`: :math:`u \leftarrow \mu u + \Delta,\ \theta \leftarrow \theta - u`.
    """

    scratch = 2

    def __init__(self, learning_rate: LearningRate = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho = _check_unit_interval("rho", rho)
        self.momentum = _check_unit_interval("momentum", momentum)
        self.epsilon = _check_positive("epsilon", epsilon)
        self.centered = bool(centered)
        self.slots = ("velocity",) + (("momentum",) if self.momentum else ()) + (
            ("average_gradient",) if self.centered else ())

    def update(self, theta, g, state, lr, scratch):
        rho, s, tmp, denom = self.rho, state["velocity"], scratch[0], scratch[1]
        np.square(g, out=tmp)
        tmp *= 1 - rho
        s *= rho
        s += tmp  # s ← ρs + (1−ρ)g²
        if self.centered:
            g_bar = state["average_gradient"]
            np.multiply(g, 1 - rho, out=tmp)
            g_bar *= rho
            g_bar += tmp  # ḡ ← ρḡ + (1−ρ)g
            np.square(g_bar, out=tmp)
            np.subtract(s, tmp, out=denom)
            denom += self.epsilon  # s − ḡ² + ε
        else:
            np.add(s, self.epsilon, out=denom)  # s + ε
        np.sqrt(denom, out=denom)
        np.multiply(g, lr, out=tmp)
        tmp /= denom  # Δ = αg / √(…)
        if self.momentum:
            u = state["momentum"]
            u *= self.momentum
            u += tmp  # u ← μu + Δ
            theta -= u
        else:
            theta -= tmp


class Adam(Optimizer):
    r"""Adam, exactly as ``keras.optimizers.Adam`` (the "ε-hat" form of Kingma & Ba, sec. 2).

    .. math::
        m \leftarrow m + (1-\beta_1)(g - m), \qquad v \leftarrow v + (1-\beta_2)(g^2 - v), \\
        \alpha_t = \alpha \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}, \qquad
        \theta \leftarrow \theta - \frac{\alpha_t\, m}{\sqrt{v} + \hat\epsilon}

    This equals Algorithm 1 of the paper (:class:`PaperAdam`) with :math:`\epsilon = \hat\epsilon/\sqrt{1-\beta_2^t}`.
    With ``amsgrad``, :math:`\hat v \leftarrow \max(\hat v, v)` replaces :math:`v` in the step.
    """

    scratch = 2

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = _check_unit_interval("beta_1", beta_1)
        self.beta_2 = _check_unit_interval("beta_2", beta_2)
        self.epsilon = _check_positive("epsilon", epsilon)
        self.amsgrad = bool(amsgrad)
        self.slots = ("first_moment", "second_moment") + (("max_second_moment",) if self.amsgrad else ())

    def update(self, theta, g, state, lr, scratch):
        b1, b2, (tmp, denom) = self.beta_1, self.beta_2, scratch
        m, v = state["first_moment"], state["second_moment"]
        t, one = theta.dtype.type(self.iterations + 1), theta.dtype.type(1)
        alpha = lr * np.sqrt(one - theta.dtype.type(b2) ** t) / (one - theta.dtype.type(b1) ** t)
        np.subtract(g, m, out=tmp)
        tmp *= 1 - b1
        m += tmp  # m ← m + (1−β₁)(g − m)
        np.square(g, out=tmp)
        tmp -= v
        tmp *= 1 - b2
        v += tmp  # v ← v + (1−β₂)(g² − v)
        if self.amsgrad:
            v = np.maximum(state["max_second_moment"], v, out=state["max_second_moment"])  # v̂ ← max(v̂, v)
        np.sqrt(v, out=denom)
        denom += self.epsilon  # √v + ε̂
        np.multiply(m, alpha, out=tmp)
        tmp /= denom
        theta -= tmp  # θ ← θ − α_t m / (√v + ε̂)


class AdamW(Adam):
    r"""Adam with decoupled weight decay, exactly as ``keras.optimizers.AdamW``.

    Before each Adam step: :math:`\theta \leftarrow \theta - \alpha\,\lambda\,\theta`, with α the (scheduled)
    learning rate, not Adam's bias-corrected :math:`\alpha_t` (Keras scales the decay by the learning rate;
    Loshchilov & Hutter write it with a separate schedule multiplier).
    """

    def __init__(self, learning_rate: LearningRate = 0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, **kwargs) -> None:
        if weight_decay is None:
            raise ValueError("AdamW needs weight_decay (a number >= 0); for no decay use Adam")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)


# --------------------------------------------------------------------------------------------------
# textbook forms (where the books and papers write the algorithm differently from Keras)
# --------------------------------------------------------------------------------------------------
class EMAMomentum(Optimizer):
    r"""Momentum as an exponential moving average of the gradients (the textbook "EMA form").

    .. math::
        v \leftarrow \beta v + (1-\beta) g, \qquad \theta \leftarrow \theta - \alpha v

    Same trajectory as ``SGD(learning_rate=α(1−β), momentum=β)``, whose velocity is :math:`-\alpha v`.
    """

    slots = ("velocity",)

    def __init__(self, learning_rate: LearningRate = 0.01, beta: float = 0.9, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta = _check_unit_interval("beta", beta)

    def update(self, theta, g, state, lr, scratch):
        v, tmp = state["velocity"], scratch[0]
        v *= self.beta
        np.multiply(g, 1 - self.beta, out=tmp)
        v += tmp  # v ← βv + (1−β)g
        np.multiply(v, lr, out=tmp)
        theta -= tmp  # θ ← θ − αv


class StackedEMAMomentum(Optimizer):
    r"""The "momentum acceleration" of some texts: two moving averages of the gradient, stacked.

    .. math::
        s \leftarrow \beta s + (1-\beta) g, \qquad v \leftarrow \beta v + (1-\beta) s, \qquad
        \theta \leftarrow \theta - \alpha v

    A second low-pass filter on top of :class:`EMAMomentum`: smoother and more delayed, *not* Nesterov's
    accelerated method (the course measures the difference).
    """

    slots = ("smoothed_gradient", "velocity")

    def __init__(self, learning_rate: LearningRate = 0.01, beta: float = 0.9, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta = _check_unit_interval("beta", beta)

    def update(self, theta, g, state, lr, scratch):
        s, v, tmp = state["smoothed_gradient"], state["velocity"], scratch[0]
        s *= self.beta
        np.multiply(g, 1 - self.beta, out=tmp)
        s += tmp  # s ← βs + (1−β)g
        v *= self.beta
        np.multiply(s, 1 - self.beta, out=tmp)
        v += tmp  # v ← βv + (1−β)s
        np.multiply(v, lr, out=tmp)
        theta -= tmp  # θ ← θ − αv


class PaperAdam(Optimizer):
    r"""Adam exactly as Algorithm 1 of Kingma & Ba (2015): bias-corrected moments, ε outside the root.

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g, \qquad v \leftarrow \beta_2 v + (1-\beta_2) g^2, \\
        \hat m = \frac{m}{1-\beta_1^t}, \qquad \hat v = \frac{v}{1-\beta_2^t}, \qquad
        \theta \leftarrow \theta - \frac{\alpha\, \hat m}{\sqrt{\hat v} + \epsilon}

    Default ε = 1e-8 as in the paper. Equals :class:`Adam` with :math:`\hat\epsilon = \epsilon\sqrt{1-\beta_2^t}`.
    """

    slots = ("first_moment", "second_moment")
    scratch = 2

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = _check_unit_interval("beta_1", beta_1)
        self.beta_2 = _check_unit_interval("beta_2", beta_2)
        self.epsilon = _check_positive("epsilon", epsilon)

    def update(self, theta, g, state, lr, scratch):
        b1, b2, t, (m_hat, v_hat) = self.beta_1, self.beta_2, self.iterations + 1, scratch
        m, v = state["first_moment"], state["second_moment"]
        m *= b1
        m += (1 - b1) * g  # m ← β₁m + (1−β₁)g
        v *= b2
        v += (1 - b2) * np.square(g)  # v ← β₂v + (1−β₂)g²
        np.divide(m, 1 - b1**t, out=m_hat)  # m̂ = m / (1−β₁ᵗ)
        np.divide(v, 1 - b2**t, out=v_hat)  # v̂ = v / (1−β₂ᵗ)
        np.sqrt(v_hat, out=v_hat)
        v_hat += self.epsilon
        m_hat /= v_hat
        m_hat *= lr
        theta -= m_hat  # θ ← θ − α m̂ / (√v̂ + ε)


_BY_NAME = {cls.__name__.lower(): cls for cls in (SGD, Adagrad, RMSprop, Adam, AdamW, EMAMomentum,
                                                   StackedEMAMomentum, PaperAdam)}


def get(name: str, **kwargs) -> Optimizer:
    """An optimizer by (case-insensitive) name, e.g. ``get("adam", learning_rate=0.01)``."""
    try:
        return _BY_NAME[name.lower()](**kwargs)
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(_BY_NAME)}") from None
