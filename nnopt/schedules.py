"""Learning-rate schedules: ``schedule(step) -> learning rate``, step counted from 0 (Keras' convention).

Each is a small callable object; the optimizers evaluate it at ``optimizer.iterations`` before every step.
Names and arithmetic follow ``keras.optimizers.schedules`` where Keras has the same schedule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nnopt._checks import check_number

__all__ = ["Schedule", "Constant", "ExponentialDecay", "StepDecay", "PiecewiseConstantDecay", "CosineDecay",
           "LinearWarmup"]


class Schedule:
    """Base class: a learning rate as a function of the step number (0, 1, 2, ...)."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def rates(self, steps: int) -> np.ndarray:
        """The learning rates of steps ``0 .. steps-1``, for plotting."""
        steps = check_number("steps", steps, ge=0, integer=True, example=100)
        return np.array([self(k) for k in range(steps)])

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    r""":math:`\alpha_t = \alpha_0`.

    Parameters
    ----------
    learning_rate
        :math:`\alpha_0 > 0`.
    """

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = check_number("learning_rate", learning_rate, gt=0, example=0.01)

    def __call__(self, step: int) -> float:
        return self.learning_rate


class ExponentialDecay(Schedule):
    r""":math:`\alpha_t = \alpha_0\, r^{t/K}` (``staircase``: :math:`r^{\lfloor t/K \rfloor}`), as in Keras.

    Parameters
    ----------
    initial_learning_rate
        :math:`\alpha_0 > 0`.
    decay_steps
        K, an integer > 0: the rate is multiplied by r every K steps.
    decay_rate
        r > 0.
    staircase
        Decay in steps (integer t/K) instead of continuously (default False).
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False) -> None:
        self.initial_learning_rate = check_number("initial_learning_rate", initial_learning_rate, gt=0,
                                                  example=0.1)
        self.decay_steps = check_number("decay_steps", decay_steps, gt=0, integer=True, example=1000)
        self.decay_rate = check_number("decay_rate", decay_rate, gt=0, example=0.5)
        self.staircase = bool(staircase)

    def __call__(self, step: int) -> float:
        p = step / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(p) if self.staircase else p)


class StepDecay(ExponentialDecay):
    r"""Step decay: multiply by ``drop`` every ``every`` steps.

    :math:`\alpha_t = \alpha_0\, r^{\lfloor t/K \rfloor}` (``ExponentialDecay`` with ``staircase=True``).

    Parameters
    ----------
    initial_learning_rate
        :math:`\alpha_0 > 0`.
    every
        K, an integer > 0.
    drop
        r > 0 (default 0.5: halve the rate every K steps).
    """

    def __init__(self, initial_learning_rate: float, every: int, drop: float = 0.5) -> None:
        every = check_number("every", every, gt=0, integer=True, example=100)
        drop = check_number("drop", drop, gt=0, example=0.5)
        super().__init__(initial_learning_rate, every, drop, staircase=True)


class PiecewiseConstantDecay(Schedule):
    """``values[i]`` while ``step <= boundaries[i]`` (Keras' convention), ``values[-1]`` after the last.

    Parameters
    ----------
    boundaries
        Increasing step numbers (integers >= 0).
    values
        The learning rates, one more than ``boundaries``, each > 0.
    """

    def __init__(self, boundaries: Sequence[int], values: Sequence[float]) -> None:
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"values needs len(boundaries) + 1 = {len(boundaries) + 1} entries, got {len(values)}")
        if list(boundaries) != sorted(boundaries):
            raise ValueError(f"boundaries must be increasing, got {list(boundaries)}")
        self.boundaries = [check_number(f"boundaries[{i}]", b, ge=0, integer=True, example=1000)
                           for i, b in enumerate(boundaries)]
        self.values = [check_number(f"values[{i}]", v, gt=0, example=0.01) for i, v in enumerate(values)]

    def __call__(self, step: int) -> float:
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]


class CosineDecay(Schedule):
    r"""Cosine decay, optionally after a linear warm-up, as ``keras.optimizers.schedules.CosineDecay``.

    .. math:: \alpha_t = (\alpha_0 - \alpha_{\min})\tfrac12\left(1+\cos\tfrac{\pi \min(t,K)}{K}\right) + \alpha_{\min},
        \qquad \alpha_{\min} = \texttt{alpha}\cdot\alpha_0

    With ``warmup_target`` and ``warmup_steps`` :math:`t_w`: linear from ``initial_learning_rate`` to
    ``warmup_target`` over :math:`t_w` steps, then the cosine from ``warmup_target``.

    Parameters
    ----------
    initial_learning_rate
        :math:`\alpha_0 > 0`.
    decay_steps
        K, an integer > 0: the length of the cosine.
    alpha
        In [0, 1]: the final rate :math:`\alpha_{\min}` as a fraction of the peak (default 0).
    warmup_target
        The peak rate after the warm-up (default None: no warm-up).
    warmup_steps
        :math:`t_w`, an integer >= 0 (default 0).
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 warmup_target: float | None = None, warmup_steps: int = 0) -> None:
        self.initial_learning_rate = check_number("initial_learning_rate", initial_learning_rate, gt=0,
                                                  example=0.1)
        self.decay_steps = check_number("decay_steps", decay_steps, gt=0, integer=True, example=1000)
        self.alpha = check_number("alpha", alpha, ge=0, le=1, example=0.0)  # the final fraction of the rate
        self.warmup_target = check_number("warmup_target", warmup_target, gt=0, optional=True, example=0.1)
        self.warmup_steps = check_number("warmup_steps", warmup_steps, ge=0, integer=True, example=100)

    def __call__(self, step: int) -> float:
        peak = self.initial_learning_rate
        if self.warmup_target is not None:
            if step < self.warmup_steps:
                fraction = step / self.warmup_steps
                return (self.warmup_target - peak) * fraction + peak
            peak, step = self.warmup_target, step - self.warmup_steps
        fraction = min(step, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1 + math.cos(math.pi * fraction))
        return peak * ((1 - self.alpha) * cosine + self.alpha)


class LinearWarmup(Schedule):
    r"""Linear warm-up in front of any schedule α′: :math:`\alpha_t = \frac{t+1}{t_w}\,\alpha'_0` for t < t_w, then
    :math:`\alpha'_{t - t_w}`.

    Parameters
    ----------
    schedule
        The schedule α′ after the warm-up: a callable ``schedule(step)`` or a constant rate.
    warmup_steps
        :math:`t_w`, an integer > 0.
    """

    def __init__(self, schedule: Schedule | float, warmup_steps: int) -> None:
        self.schedule = schedule if callable(schedule) else Constant(schedule)
        self.warmup_steps = check_number("warmup_steps", warmup_steps, gt=0, integer=True, example=100)

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return self.schedule(0) * (step + 1) / self.warmup_steps
        return self.schedule(step - self.warmup_steps)
