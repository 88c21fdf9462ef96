"""Run the same-named tf.keras optimizer on the same problem, for side-by-side checks with nnopt.

TensorFlow is imported on first use only (``import nnopt`` never pays for it). ``TF_CPP_MIN_LOG_LEVEL``
is set to 3 before the import so that no TensorFlow log line reaches a notebook's stderr.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from nnopt import optim, schedules

__all__ = ["keras", "to_keras", "apply_gradients", "trajectory"]

_NAMES = {optim.SGD: "SGD", optim.Adagrad: "Adagrad", optim.RMSprop: "RMSprop", optim.Adam: "Adam",
          optim.AdamW: "AdamW"}


def keras():
    """The ``keras`` module (imports TensorFlow quietly on first call)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras as _keras

    return _keras


@contextlib.contextmanager
def _floatx(dtype):
    """Keras stores the learning rate in ``floatx``; match the parameters' dtype so float64 runs are exact."""
    k = keras()
    old = k.backend.floatx()
    k.backend.set_floatx(np.dtype(dtype).name)
    try:
        yield
    finally:
        k.backend.set_floatx(old)


def _schedule(lr):
    k = keras().optimizers.schedules
    if not isinstance(lr, schedules.Schedule):
        return lr
    if isinstance(lr, schedules.ExponentialDecay):
        return k.ExponentialDecay(lr.initial_learning_rate, lr.decay_steps, lr.decay_rate, lr.staircase)
    if isinstance(lr, schedules.CosineDecay):
        return k.CosineDecay(lr.initial_learning_rate, lr.decay_steps, lr.alpha, warmup_target=lr.warmup_target,
                             warmup_steps=lr.warmup_steps)
    if isinstance(lr, schedules.PiecewiseConstantDecay):
        return k.PiecewiseConstantDecay(lr.boundaries, lr.values_)
    raise TypeError(f"{type(lr).__name__} has no Keras counterpart; use ExponentialDecay, CosineDecay or "
                    "PiecewiseConstantDecay")


def to_keras(optimizer: optim.Optimizer, dtype=np.float32):
    """A fresh Keras optimizer with the same name and hyper-parameters as an nnopt one."""
    name = _NAMES.get(type(optimizer))
    if name is None:
        raise TypeError(f"{type(optimizer).__name__} has no Keras counterpart; use one of "
                        f"{sorted(c.__name__ for c in _NAMES)}")
    config = optimizer.get_config()
    config["learning_rate"] = _schedule(config["learning_rate"])
    with _floatx(dtype):
        return getattr(keras().optimizers, name)(**config)


def apply_gradients(optimizer: optim.Optimizer, params: Sequence[np.ndarray],
                    grads: Iterable[Sequence[np.ndarray]]) -> list[list[np.ndarray]]:
    """Apply a sequence of gradient lists with the Keras twin of ``optimizer`` to copies of ``params``.

    Returns the parameters after every step: ``result[k][i]`` is parameter i after step k+1.
    """
    k = keras()
    dtype = params[0].dtype
    with _floatx(dtype):
        opt = to_keras(optimizer, dtype)
        variables = [k.Variable(np.array(p), dtype=p.dtype.name) for p in params]
        out = []
        for step_grads in grads:
            opt.apply_gradients(zip([k.ops.convert_to_tensor(g) for g in step_grads], variables))
            out.append([v.numpy() for v in variables])
    return out


def trajectory(optimizer: optim.Optimizer, objective, x0, steps: int,
               grad: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """Like :func:`nnopt.train.trajectory`, with the Keras twin of ``optimizer`` doing the steps."""
    k = keras()
    grad = grad or objective.grad
    x0 = np.array(x0, dtype=np.float64)
    with _floatx(x0.dtype):
        opt = to_keras(optimizer, x0.dtype)
        var = k.Variable(x0, dtype="float64")
        path = [x0.copy()]
        for _ in range(steps):
            g = np.asarray(grad(var.numpy()), dtype=np.float64)
            opt.apply_gradients([(k.ops.convert_to_tensor(g), var)])
            path.append(var.numpy().copy())
    return np.array(path)
