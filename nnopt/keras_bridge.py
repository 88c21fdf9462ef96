"""Run the same-named tf.keras optimizer on the same problem, for side-by-side checks with nnopt.

TensorFlow is imported on first use only (``import nnopt`` never pays for it). ``TF_CPP_MIN_LOG_LEVEL``
is set to 3 before the import so that no TensorFlow log line reaches a notebook's stderr. The bridge needs
Keras' TensorFlow backend (the default); any other ``KERAS_BACKEND`` is refused.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from nnopt import optim, schedules, train

__all__ = ["keras", "to_keras", "KerasStepper", "apply_gradients", "trajectory"]


def keras():
    """The ``keras`` module with the TensorFlow backend (imports TensorFlow quietly on first call)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras as _keras

    backend = _keras.backend.backend()
    if backend != "tensorflow":
        raise RuntimeError(f"nnopt.keras_bridge compares with TensorFlow, but Keras runs on the {backend!r} "
                           f"backend; unset KERAS_BACKEND (or set KERAS_BACKEND=tensorflow) before importing keras")
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
        return k.PiecewiseConstantDecay(lr.boundaries, lr.values)
    raise TypeError(f"{type(lr).__name__} has no Keras counterpart; use ExponentialDecay, CosineDecay or "
                    "PiecewiseConstantDecay")


def to_keras(optimizer: optim.Optimizer, dtype=np.float32):
    """A fresh Keras optimizer of the same name with the same hyper-parameters as an nnopt one."""
    name = type(optimizer).__name__
    keras_class = getattr(keras().optimizers, name, None)
    if name not in optim.__all__ or keras_class is None:
        raise TypeError(f"{name} has no Keras counterpart; Keras has "
                        f"{sorted(n for n in optim.__all__ if hasattr(keras().optimizers, n) and n != 'Optimizer')}")
    config = optimizer.get_config()
    config["learning_rate"] = _schedule(config["learning_rate"])
    with _floatx(dtype):
        return keras_class(**config)


class KerasStepper:
    """nnopt's ``step(params, grads)`` interface around the Keras twin of an nnopt optimizer.

    Each step copies the parameters into Keras variables, lets Keras apply the gradients, and writes the
    result back into ``params`` in place, so everything that drives an nnopt optimizer can drive Keras.
    """

    def __init__(self, optimizer: optim.Optimizer) -> None:
        self.optimizer, self._keras_opt, self._variables, self._dtype = optimizer, None, None, None

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        k = keras()
        if self._keras_opt is None:
            self._dtype = params[0].dtype
            with _floatx(self._dtype):
                self._keras_opt = to_keras(self.optimizer, self._dtype)
                self._variables = [k.Variable(np.array(p), dtype=p.dtype.name) for p in params]
        with _floatx(self._dtype):
            for var, p in zip(self._variables, params):
                var.assign(p)
            self._keras_opt.apply_gradients(zip([k.ops.convert_to_tensor(g) for g in grads], self._variables))
        for var, p in zip(self._variables, params):
            p[...] = var.numpy()


def apply_gradients(optimizer: optim.Optimizer, params: Sequence[np.ndarray],
                    grads: Iterable[Sequence[np.ndarray]]) -> list[list[np.ndarray]]:
    """Apply a sequence of gradient lists with the Keras twin of ``optimizer`` to copies of ``params``.

    Returns the parameters after every step: ``result[k][i]`` is parameter i after step k+1.
    """
    stepper, current, out = KerasStepper(optimizer), [np.array(p) for p in params], []
    for step_grads in grads:
        stepper.step(current, step_grads)
        out.append([p.copy() for p in current])
    return out


def trajectory(optimizer: optim.Optimizer, objective, x0, steps: int,
               grad: Callable[[np.ndarray], np.ndarray] | None = None, **kwargs) -> np.ndarray:
    """:func:`nnopt.train.trajectory` with the Keras twin of ``optimizer`` doing the steps."""
    return train.trajectory(KerasStepper(optimizer), objective, x0, steps, grad=grad, **kwargs)
