"""Training loops: ``fit`` for models on data, ``trajectory`` for optimizers on 2-D test functions."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnopt.data import minibatches
from nnopt.losses import LOSSES, accuracy

__all__ = ["History", "DivergenceError", "fit", "trajectory"]


class DivergenceError(FloatingPointError):
    """The loss became inf or NaN: the run diverged."""


@dataclass
class History:
    """What a fit recorded.

    Parameters
    ----------
    step_loss
        The minibatch loss of every step.
    epoch_loss
        The mean minibatch loss of each epoch.
    train_metric, val_metric
        The metric on the whole training / validation set after each epoch.
    learning_rate
        The rate used at every step.
    """

    step_loss: list[float] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)


def _progress(iterable, enabled: bool, total: int):
    if not enabled:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is in requirements.txt
        raise ImportError("progress=True needs tqdm: pip install tqdm (or pass progress=False)") from None
    return tqdm(iterable, total=total, desc="epochs")


def fit(model, X: np.ndarray, y: np.ndarray, loss: str | Callable, optimizer, epochs: int = 10,
        batch_size: int = 32, seed: int = 0, shuffle: bool = True, validation_data=None,
        metric: Callable | None = accuracy, progress: bool = False) -> History:
    """Train ``model`` (an :class:`~nnopt.nn.MLP`) with ``optimizer`` on shuffled minibatches.

    Parameters
    ----------
    loss
        A name from :data:`nnopt.losses.LOSSES` or a function ``loss(out, y) -> (value, d_out)``.
    batch_size
        Samples per step; ``len(X)`` gives full-batch gradient descent, 1 gives single-sample SGD.
    seed
        Seed of the shuffling (each epoch draws a new permutation from it).
    validation_data
        ``(X_val, y_val)`` to evaluate ``metric`` on after each epoch.
    metric
        ``metric(out, y) -> float`` (default: accuracy); None records no metric.
    progress
        Show a tqdm progress bar over the epochs (keep False in notebooks whose outputs are tested).

    Raises
    ------
    DivergenceError
        As soon as a minibatch loss is inf or NaN (the step is not applied).
    """
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {sorted(LOSSES)} or a function, got {loss!r}")
        loss = LOSSES[loss]
    if not (isinstance(epochs, (int, np.integer)) and epochs >= 1):
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    rng = np.random.default_rng(seed)
    history = History()
    for epoch in _progress(range(epochs), progress, epochs):
        losses = []
        for Xb, yb in minibatches(X, y, batch_size, rng, shuffle):
            value, grads = model.loss_and_grad(Xb, yb, loss)
            if not math.isfinite(value):
                raise DivergenceError(
                    f"the loss became {value} at step {len(history.step_loss) + 1} (epoch {epoch + 1}) with "
                    f"learning_rate={optimizer.learning_rate:g}: the run diverges; lower learning_rate"
                )
            history.learning_rate.append(optimizer.learning_rate)
            optimizer.step(model.params, grads)
            history.step_loss.append(value)
            losses.append(value)
        history.epoch_loss.append(float(np.mean(losses)))
        if metric is not None:
            history.train_metric.append(metric(model.predict(X), y))
            if validation_data is not None:
                history.val_metric.append(metric(model.predict(validation_data[0]), validation_data[1]))
    return history


def trajectory(optimizer, objective, x0, steps: int, delay: int = 0,
               grad: Callable[..., np.ndarray] | None = None,
               project: Callable[[np.ndarray], object] | None = None) -> np.ndarray:
    """The iterates :math:`\\theta_0, \\dots, \\theta_{steps}` of ``optimizer`` on ``objective``, shape (steps+1, d).

    Parameters
    ----------
    delay
        Staleness τ: the gradient of step t is evaluated at :math:`\\theta_{t-\\tau}` (as in asynchronous
        training, where a worker's gradient arrives τ updates late). 0: ordinary training.
    grad
        Gradient function; default ``objective.grad``. For an online objective (one with ``online = True``,
        such as :class:`~nnopt.objectives.ReddiOnline`, whose loss changes with the step t = 1, 2, ...), it is
        called as ``grad(x, t)``.
    project
        Called on the iterate after every step to project it, in place, onto a feasible set, e.g.
        ``project=problem.project`` for :class:`~nnopt.objectives.ReddiOnline`'s interval [-1, 1].
    """
    if not (isinstance(steps, (int, np.integer)) and steps >= 0):
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if not (isinstance(delay, (int, np.integer)) and delay >= 0):
        raise ValueError(f"delay must be a non-negative integer (steps of staleness), got {delay!r}")
    x = np.array(x0, dtype=np.float64)
    if not np.isfinite(x).all():
        raise ValueError(f"x0 must be finite, got {x0!r}")
    online = getattr(objective, "online", False)
    grad = grad or objective.grad
    path = [x.copy()]
    past = deque([x.copy()], maxlen=delay + 1)
    for t in range(1, steps + 1):
        g = grad(past[0], t) if online else grad(past[0])
        optimizer.step([x], [np.asarray(g, dtype=x.dtype)])
        if project is not None:
            project(x)
        path.append(x.copy())
        past.append(x.copy())
    return np.array(path)
