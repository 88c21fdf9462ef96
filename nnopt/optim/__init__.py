"""Optimizers: Keras 3 names, defaults and arithmetic, plus the textbook forms.

Every optimizer is a small subclass of :class:`Optimizer` (``base.py``), which does the bookkeeping once
(validation, state, step count, schedules, clipping, weight decay, cache-sized pieces, overflow checks, undoing
a failed step). A subclass states its state (``initial_state``) and its rule (``update``), the formula in a
few lines of NumPy. SGD and Adam write their rule element by element (``sgd_step``, ``adam_step``), compiled to
machine code by Numba (``kernel`` in ``base.py``), with the same bits. One file per family:

- ``sgd.py``: :class:`SGD` (with momentum and Nesterov)
- ``adaptive.py``: :class:`Adagrad`, :class:`RMSprop`, :class:`Adadelta`
- ``adam.py``: :class:`Adam`, :class:`AdamW`, :class:`Nadam`, :class:`Adamax`
- ``modern.py``: :class:`Ftrl`, :class:`Lion`, :class:`Lamb`, :class:`Adafactor`, :class:`Muon`,
  :class:`ScheduleFreeAdamW`
- ``textbook.py``: :class:`EMAMomentum`, :class:`StackedEMAMomentum`, :class:`PaperAdam`

Usage, with ``params`` and ``grads`` lists (or dicts) of same-shape float arrays::

    opt = Adam(learning_rate=1e-3)
    opt.step(params, grads)         # params updated in place
    opt.state[0]["first_moment"]    # plain arrays, for plots
"""

from nnopt.optim.adam import Adam, Adamax, AdamW, Nadam
from nnopt.optim.adaptive import Adadelta, Adagrad, RMSprop
from nnopt.optim.base import LearningRate, Optimizer, Params
from nnopt.optim.modern import Adafactor, Ftrl, Lamb, Lion, Muon, ScheduleFreeAdamW
from nnopt.optim.sgd import SGD
from nnopt.optim.textbook import EMAMomentum, PaperAdam, StackedEMAMomentum

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Nadam", "Adamax", "Ftrl", "Lion",
           "Lamb", "Adafactor", "Muon", "ScheduleFreeAdamW", "EMAMomentum", "StackedEMAMomentum", "PaperAdam",
           "LearningRate", "Params"]
