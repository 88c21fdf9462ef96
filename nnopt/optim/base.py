"""The base class of every optimizer: all the bookkeeping in one place, so that each rule reads as its formula.

A subclass says what state it keeps and how one step changes it::

    class Momentum(Optimizer):
        def initial_state(self, theta):
            return {"velocity": np.zeros_like(theta)}

        def update(self, theta, g, state, lr):
            v = state["velocity"]
            v[...] = 0.9 * v - lr * g  # v ← βv − αg
            theta += v  # θ ← θ + v

and :meth:`Optimizer.step` does the rest: it checks the arguments, evaluates the learning-rate schedule, clips
the gradients, applies weight decay, hands ``update`` cache-sized pieces of large arrays, checks that nothing
overflowed, and undoes the whole step if anything went wrong.
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import types
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import llvmlite.ir
import numba
import numba.core.cgutils
import numba.extending
import numpy as np

from nnopt._checks import check_number

__all__ = ["Optimizer", "LearningRate", "Params", "kernel"]


LearningRate = float | Callable[[int], float]
Params = Sequence[np.ndarray] | Mapping[str, np.ndarray]


class Optimizer:
    """Shared bookkeeping of all optimizers, with the semantics of Keras 3's ``BaseOptimizer``.

    One :meth:`step` does, in Keras' order: clip the gradients (``clipvalue``, ``clipnorm`` or
    ``global_clipnorm``), decay the weights
    (:math:`\\theta \\leftarrow \\theta - \\alpha\\lambda_{\\mathrm{wd}}\\theta`, with α the scheduled learning
    rate), apply the subclass' :meth:`update` rule, and count the step in ``iterations``.

    Parameters
    ----------
    learning_rate
        A number > 0, or a schedule: any callable ``f(iterations) -> float`` (see :mod:`nnopt.schedules`).
        Assignable after construction, as in Keras (``opt.learning_rate = 0.01``).
    weight_decay
        Decoupled weight decay :math:`\\lambda_{\\mathrm{wd}}` (None: off).
    clipnorm, clipvalue, global_clipnorm
        Gradient clipping as in Keras (None: off): each gradient to norm ``clipnorm``, each component to
        ``[-clipvalue, clipvalue]``, or all gradients together to norm ``global_clipnorm``. At most one of them.
    use_ema, ema_momentum, ema_overwrite_frequency
        Keep an exponential moving average of the parameters (Polyak averaging), in ``average``: after
        every step :math:`\\bar\\theta_\\gamma \\leftarrow \\gamma\\bar\\theta_\\gamma + (1-\\gamma)\\theta` with
        γ = ``ema_momentum`` (:math:`\\bar\\theta_\\gamma = \\theta` after the first step). Every
        ``ema_overwrite_frequency`` steps the parameters are replaced by their average (None: never;
        :meth:`finalize_variable_values` does it at the end).
    loss_scale_factor
        The gradients are divided by it first (they came from a loss multiplied by it). None: off.
    gradient_accumulation_steps
        n >= 2: only every n-th call of :meth:`step` updates the parameters, with the mean of the n gradients
        since the last update; the other calls only add their gradient to ``accumulated``.
        ``iterations`` counts the updates. None: every call updates.

    Attributes
    ----------
    state
        ``state[key][name]``: the arrays the rule keeps for the parameter ``params[key]`` (e.g. ``"velocity"``),
        created by :meth:`initial_state` at the first step.
    average
        With ``use_ema``, ``average[key]``: the moving average of the parameter ``params[key]``.
    accumulated
        With ``gradient_accumulation_steps``, ``accumulated[key]``: the gradients summed since the last update.
    """

    #: The size in bytes of the pieces of a large array handed to :meth:`update` at once (32,768 float32
    #: elements). The temporaries of a plain NumPy expression on a piece stay in the CPU cache, and the memory
    #: allocator reuses them from piece to piece instead of asking the system for fresh pages (larger
    #: temporaries, 256 KiB and up, made a step several times slower in our measurements). A rule compiled with
    #: ``kernel`` has no temporaries and takes whole blocks: ``chunk_bytes = 1 << 20``, ``pieces_per_block = 1``.
    chunk_bytes: int = 1 << 17
    #: A block of this many pieces (1 MiB per array) is saved, checked and given to a thread as a unit.
    pieces_per_block: int = 8
    #: True when :meth:`update` acts element by element, so it may be given pieces of the arrays.
    elementwise: bool = True
    #: The number of threads that update the pieces of a large step side by side; None means one per available
    #: CPU core. The result is bit-identical for any number, since each element goes through the same operations.
    threads: int | None = None

    def __init__(self, learning_rate: LearningRate = 0.01, *, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: int | None = None, loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None) -> None:
        self._calls = 0  # calls of step(); `iterations` counts the updates (fewer with gradient accumulation)
        self.gradient_accumulation_steps = check_number("gradient_accumulation_steps", gradient_accumulation_steps,
                                                        ge=2, integer=True, optional=True, example=4)
        self._schedule = None
        self.learning_rate = learning_rate
        self.use_ema = bool(use_ema)
        self.ema_momentum = check_number("ema_momentum", ema_momentum, ge=0, le=1, example=0.99)
        self.ema_overwrite_frequency = check_number("ema_overwrite_frequency", ema_overwrite_frequency, ge=1,
                                                    integer=True, optional=True, example=100)
        self.loss_scale_factor = check_number("loss_scale_factor", loss_scale_factor, gt=0, optional=True,
                                              example=128.0)
        self.weight_decay = check_number("weight_decay", weight_decay, ge=0, optional=True, example=0.004)
        self.clipnorm = check_number("clipnorm", clipnorm, gt=0, optional=True, example=1.0)
        self.clipvalue = check_number("clipvalue", clipvalue, gt=0, optional=True, example=0.5)
        self.global_clipnorm = check_number("global_clipnorm", global_clipnorm, gt=0, optional=True, example=1.0)
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("pass at most one of clipnorm, clipvalue, global_clipnorm")
        self.state: dict[object, dict[str, np.ndarray]] = {}
        self.average: dict[object, np.ndarray] = {}  # use_ema: the moving average of each parameter
        self.accumulated: dict[object, np.ndarray] = {}  # gradient_accumulation_steps: the gradients summed
        self._specs: dict[object, tuple[tuple[int, ...], np.dtype]] | None = None  # key -> (shape, dtype)
        self._saved: dict[object, list[np.ndarray]] = {}  # key -> copies of θ and its state, to undo a step
        self._flat: dict[object, tuple[dict, list]] = {}  # key -> flat views of its state and saved copies

    # ---- what a subclass defines ---------------------------------------------------------------------------
    def initial_state(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """The state arrays of one parameter before the first step (none by default)."""
        return {}

    def update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], lr: float) -> None:
        """The algorithm: update ``theta`` and the arrays in ``state`` in place from the gradient ``g``.

        ``lr`` is the learning rate of this step. Large arrays arrive in pieces (views of at most
        ``chunk_bytes`` bytes); ``self.iterations`` is the number of steps before this one.
        """
        raise NotImplementedError(f"{type(self).__name__} must define update(self, theta, g, state, lr)")

    # ---- learning rate -------------------------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step (a schedule is evaluated at ``iterations``)."""
        if self._schedule is None:
            return self._learning_rate
        value = self._schedule(self.iterations)
        try:
            return check_number("learning_rate", value, gt=0, example=0.01)
        except (TypeError, ValueError):
            raise ValueError(f"the learning_rate schedule returned {value!r} at iteration {self.iterations}; a "
                             f"schedule must return a finite number > 0") from None

    @learning_rate.setter
    def learning_rate(self, value: LearningRate) -> None:
        if callable(value):
            before = self._schedule, getattr(self, "_learning_rate", None)
            self._schedule, self._learning_rate = value, value
            try:
                self.learning_rate  # noqa: B018 - evaluates and checks the schedule's next value
            except ValueError:
                self._schedule, self._learning_rate = before
                raise
        elif self._schedule is not None:
            raise TypeError("this optimizer was created with a learning-rate schedule, so its learning rate "
                            "cannot be set to a number (as in Keras); create it with a float learning_rate")
        else:
            self._learning_rate = check_number("learning_rate", value, gt=0, example=0.01)

    # ---- the step ------------------------------------------------------------------------------------------
    def step(self, params: Params, grads: Params) -> None:
        """Update ``params`` in place from ``grads``: lists (or dicts) of same-shape float arrays.

        Mind the order: **parameters first**. Keras' ``optimizer.apply(grads, variables)`` and optax'
        ``update(grads, state, params)`` take the gradients first; ``step(grads, params)`` would update the
        gradients.

        A step that raises changes nothing: every parameter, every state array and ``iterations`` are
        bit-identical to what they were before it.

        Raises
        ------
        TypeError, ValueError, KeyError
            For arguments of the wrong kind, shape or dtype (the message names the argument and the fix).
        FloatingPointError
            For a gradient with NaN or inf, or a step that would overflow a parameter or the optimizer's state.
        """
        first = self._specs is None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # overflow is checked and reported
            pairs = self._validate(params, grads)
            try:
                grads = [g for _, _, g in pairs]
                if self.loss_scale_factor is not None:
                    grads = [g / self.loss_scale_factor for g in grads]
                n = self.gradient_accumulation_steps
                if n is None or (self._calls + 1) % n == 0:
                    if n is not None:  # the mean of the n gradients (Keras: (g + sum) / n)
                        grads = self._finite_accumulation(
                            [(g + self.accumulated[key]) / n for (key, _, _), g in zip(pairs, grads)])
                    self._apply(pairs, self._clip(grads), self.learning_rate)
                    if n is not None:
                        for a in self.accumulated.values():
                            a[...] = 0
                else:  # only accumulate (Keras: sum ← g + sum)
                    total = self._finite_accumulation(
                        [g + self.accumulated[key] for (key, _, _), g in zip(pairs, grads)])
                    for (key, _, _), a in zip(pairs, total):
                        self.accumulated[key][...] = a
                if self.use_ema:
                    self._update_average(pairs)
            except BaseException:
                if first:  # forget the state built for this step
                    self.state, self.average, self.accumulated, self._specs = {}, {}, {}, None
                    self._saved, self._flat = {}, {}
                raise
        self._calls += 1

    @property
    def iterations(self) -> int:
        """The number of updates applied so far; with gradient accumulation, the calls of ``step`` divided by n."""
        return self._calls // (self.gradient_accumulation_steps or 1)

    def _finite_accumulation(self, arrays: list[np.ndarray]) -> list[np.ndarray]:
        if not _all_finite(arrays):
            raise FloatingPointError(f"the accumulated gradient overflowed at step {self.iterations + 1} of "
                                     f"{type(self).__name__}; the step was not applied. Clip the gradients or scale "
                                     f"the loss down")
        return arrays

    def _update_average(self, pairs: list) -> None:
        """Keras' moving average of the weights, after the update (cannot overflow: a convex combination)."""
        for key, theta, _ in pairs:
            gamma = theta.dtype.type(self.ema_momentum if self.iterations else 0.0)  # the first average is θ
            avg = self.average[key]
            avg[...] = gamma * avg + (1 - gamma) * theta  # θ̄_γ ← γθ̄_γ + (1−γ)θ
        if self.ema_overwrite_frequency and (self.iterations + 1) % self.ema_overwrite_frequency == 0:
            self.finalize_variable_values([theta for _, theta, _ in pairs])

    def finalize_variable_values(self, params: Params) -> None:
        """With ``use_ema``: replace the parameters by their moving averages (Keras does this after ``fit``)."""
        if self.use_ema:
            for key, theta in (params.items() if isinstance(params, Mapping) else enumerate(params)):
                theta[...] = self.average[key]

    def _apply(self, pairs: list[tuple[object, np.ndarray, np.ndarray]], grads: list[np.ndarray],
               lr: float) -> None:
        """Decay and update every block; if any block fails, restore every block touched, then raise.

        An elementwise rule gets flat, contiguous arrays: a parameter that is not contiguous (e.g. a transposed
        view) is updated in a contiguous copy, written back once the whole step has succeeded.
        """
        jobs, write_back = [], []
        for (key, theta, _), g in zip(pairs, grads):
            if self.elementwise and not (theta.flags.c_contiguous and g.flags.c_contiguous):
                if not theta.flags.c_contiguous:
                    write_back.append((theta, theta.copy()))
                    theta = write_back[-1][1]
                g = np.ascontiguousarray(g)
            jobs += self._blocks(key, theta, g)
        workers = min(self.threads or _cores(), len(jobs) // 4) if len(jobs) >= 8 else 1
        if workers <= 1:
            results = [self._run(jobs, lr)]
        else:  # contiguous shares of the blocks, one per thread; NumPy and the kernels release the GIL
            shares = [jobs[i * len(jobs) // workers:(i + 1) * len(jobs) // workers] for i in range(workers)]
            results = list(_pool().map(self._run_in_thread, shares, [lr] * workers))
        errors = [error for _, error in results if error is not None]
        if errors:
            for touched, _ in results:
                for live, saved in touched:
                    for a, b in zip(live, saved):
                        np.copyto(a, b)
            raise errors[0]
        for theta, updated in write_back:
            np.copyto(theta, updated)

    def _run(self, jobs: list, lr: float) -> tuple[list, BaseException | None]:
        """Save, decay, update and check each block in turn; stop at the first failure and return it.

        A block is saved and checked as a whole (one copy and one read per array) and handed to the rule in
        pieces of ``chunk_bytes``, whose temporaries stay in the cache. The gradient is checked with the result:
        a NaN or inf in g makes the block fail (and be restored) even where the rule would not spread it.
        """
        touched = []  # (live arrays, their saved copies) of each block updated so far
        try:
            for key, theta_b, g_b, state_b, saved_b, n in jobs:
                live = [theta_b, *state_b.values()]
                for a, b in zip(live, saved_b):
                    _save(b, a)
                touched.append((live, saved_b))
                for i in range(0, theta_b.size, n) if n < theta_b.size else (None,):
                    theta, g, state = (theta_b, g_b, state_b) if i is None else (
                        theta_b[i:i + n], g_b[i:i + n], {name: a[i:i + n] for name, a in state_b.items()})
                    if self.weight_decay:
                        self._decay(theta, lr)
                    self.update(theta, g, state, lr)
                if not _all_finite((g_b, *live)):  # one check of the block's g, θ and state, still in the cache
                    bad_gradient = not _all_finite((g_b,))
                    return touched, _bad_gradient(key) if bad_gradient else self._overflow_error(
                        key, theta_b, state_b, lr)
        except BaseException as error:  # e.g. an error inside a rule: undone like an overflow
            return touched, error
        return touched, None

    def _decay(self, theta: np.ndarray, lr: float) -> None:
        """Decoupled weight decay, before the rule, as Keras: θ ← θ − αλ_wd θ (α: this step's learning rate)."""
        theta -= theta * self.weight_decay * lr

    def _run_in_thread(self, jobs: list, lr: float) -> tuple[list, BaseException | None]:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # NumPy's error state is per thread
            return self._run(jobs, lr)

    def _blocks(self, key: object, theta: np.ndarray, g: np.ndarray) -> list[tuple]:
        """The jobs of one parameter, (key, θ, g, state, saved, piece size): the whole arrays (a rule that is not
        elementwise), or flat views, in blocks of ``pieces_per_block`` pieces of ``chunk_bytes`` each."""
        if not self.elementwise:
            return [(key, theta, g, self.state[key], self._saved[key], theta.size)]
        state, saved = self._flat[key]
        theta, g, n = theta.reshape(-1), g.reshape(-1), max(1, self.chunk_bytes // theta.itemsize)
        if theta.size <= n:
            return [(key, theta, g, state, saved, n)]
        m = n * self.pieces_per_block
        return [(key, theta[i:i + m], g[i:i + m], {name: a[i:i + m] for name, a in state.items()},
                 [a[i:i + m] for a in saved], n) for i in range(0, theta.size, m)]

    def _overflow_error(self, key: object, theta: np.ndarray, state: dict[str, np.ndarray],
                        lr: float) -> FloatingPointError:
        where = (f"at step {self.iterations + 1} of {type(self).__name__}; the step was not applied (params and "
                 f"optimizer state are unchanged)")
        for name, a in state.items():  # the state first: an overflowed state is the cause of a NaN θ
            if not np.isfinite(a).all():
                return FloatingPointError(
                    f"the optimizer state {name!r} of {_label('params', key)} overflowed {where}: the gradients "
                    f"are too large for {a.dtype}; clip them (clipnorm=...) or scale the loss down")
        if not np.isfinite(theta).all():
            return FloatingPointError(f"{_label('params', key)} became inf or NaN {where}: the run diverges; "
                                      f"lower learning_rate (now {lr:g})")
        return FloatingPointError(f"a sum over {_label('params', key)} overflowed {where}")  # pragma: no cover

    # ---- checks of the arguments ---------------------------------------------------------------------------
    def _validate(self, params: Params, grads: Params) -> list[tuple[object, np.ndarray, np.ndarray]]:
        """(key, θ, g) triples in the order of the first step; raises before anything is changed."""
        as_dict = _is_dict(params, "params")
        if as_dict != _is_dict(grads, "grads"):
            raise TypeError("params and grads must both be lists or both be dicts with the same keys")
        if as_dict:
            missing = [k for k in params if k not in grads]
            if missing:
                raise KeyError(f"grads has no entry for {missing}; pass one gradient per parameter")
            extra = [k for k in grads if k not in params]
            if extra:
                raise KeyError(f"grads has entries {extra} that are not in params; drop them")
            keys = list(params) if self._specs is None else list(self._specs)
            if self._specs is not None and set(keys) != set(params):
                raise ValueError(f"params has keys {sorted(map(str, params))} but this optimizer was built for "
                                 f"{sorted(map(str, keys))}; create a new optimizer for a new set of parameters")
            triples = [(k, params[k], grads[k]) for k in keys]
        else:
            if len(params) != len(grads):
                raise ValueError(f"params has {len(params)} arrays but grads has {len(grads)}; pass one "
                                 f"gradient per parameter")
            triples = list(zip(range(len(params)), params, grads))
        if not triples:
            raise ValueError("params is empty; pass the list (or dict) of parameter arrays to update")
        seen: dict[int, object] = {}
        # a NaN gradient must be named before global clipping or accumulation spread it over other arrays
        mixes = self.global_clipnorm is not None or self.gradient_accumulation_steps is not None
        for i, (key, theta, g) in enumerate(triples):
            if isinstance(g, np.generic):  # e.g. np.sum(...) as the gradient of a 0-d parameter
                triples[i] = (key, theta, np.asarray(g))
            _check_pair(key, theta, triples[i][2])
            if mixes and not _all_finite((triples[i][2],)):  # else each block checks its own, while in cache
                raise _bad_gradient(key)
            if id(theta) in seen:
                raise ValueError(f"{_label('params', key)} is the same array as {_label('params', seen[id(theta)])}"
                                 f"; pass each parameter once")
            seen[id(theta)] = key
        if self._specs is None:
            self._build(triples)
        else:
            self._check_same_parameters(triples)
        return triples

    def _check_same_parameters(self, triples: list[tuple[object, np.ndarray, np.ndarray]]) -> None:
        if len(triples) != len(self._specs):
            raise ValueError(f"params has {len(triples)} arrays but this optimizer was built for "
                             f"{len(self._specs)}; create a new optimizer for a new set of parameters")
        for key, theta, _ in triples:
            shape, dtype = self._specs[key]
            if theta.shape != shape:
                raise ValueError(f"{_label('params', key)} has shape {theta.shape} but this optimizer was built "
                                 f"for shape {shape}; create a new optimizer for a new set of parameters")
            if theta.dtype != dtype:
                raise TypeError(f"{_label('params', key)} is {theta.dtype} but this optimizer's state is {dtype}; "
                                f"keep the dtype of the first step, or create a new optimizer")

    def _build(self, triples: list[tuple[object, np.ndarray, np.ndarray]]) -> None:
        self._specs = {key: (theta.shape, theta.dtype) for key, theta, _ in triples}
        for key, theta, _ in triples:
            # C-ordered (zeros_like would keep a transposed θ's order), so that the flat views below are views
            state = self.initial_state(theta if theta.flags.c_contiguous else theta.copy())
            self.state[key] = {name: a if a.flags.c_contiguous else a.copy() for name, a in state.items()}
            self._saved[key] = [np.empty(a.shape, a.dtype) for a in (theta, *self.state[key].values())]
            self._flat[key] = ({name: a.reshape(-1) for name, a in self.state[key].items()},
                               [a.reshape(-1) for a in self._saved[key]])
            if self.use_ema:
                self.average[key] = np.zeros_like(theta)
            if self.gradient_accumulation_steps:
                self.accumulated[key] = np.zeros_like(theta)

    # ---- clipping ------------------------------------------------------------------------------------------
    def _clip(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        """Keras' clipping, in the gradients' dtype (new arrays; the caller's gradients are not changed)."""
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:  # g·c / max(‖g‖, c), each gradient on its own
            return [g * self.clipnorm / np.maximum(np.sqrt(np.sum(np.square(g))), self.clipnorm) for g in grads]
        if self.global_clipnorm is not None:  # g·c·min(1/‖(g₁, …, gₙ)‖, 1/c), all gradients together
            norm = np.sqrt(np.sum([np.sum(np.square(g)) for g in grads]))
            scale = self.global_clipnorm * np.minimum(1 / norm, 1 / self.global_clipnorm)  # ‖g‖ = 0: 1/0 = inf
            return [g * scale for g in grads]
        return grads

    # ---- description ---------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, object]:
        """The hyper-parameters, by the names of the constructor's arguments (Keras' names)."""
        names = dict.fromkeys(name for cls in (type(self), Optimizer)
                              for name in inspect.signature(cls.__init__).parameters
                              if name not in ("self", "kwargs", "args"))
        config = {name: getattr(self, name) for name in names if name != "learning_rate"}
        return {"learning_rate": self._learning_rate, **config}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


# ------------------------------------------------------------------------------------------------------------


@functools.cache
def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_cores(), thread_name_prefix="nnopt")


def _label(what: str, key: object) -> str:
    return f"{what}[{key!r}]"


def _is_dict(tree: Params, what: str) -> bool:
    """True for a dict of arrays, False for a list or tuple of them; a clear error for anything else."""
    if type(tree) is dict or (not isinstance(tree, (list, tuple)) and isinstance(tree, Mapping)):
        return True
    if type(tree) in (list, tuple) or (isinstance(tree, Sequence) and not isinstance(tree, (str, bytes))):
        return False
    if isinstance(tree, np.ndarray):
        raise TypeError(f"{what} must be a list or dict of arrays, got a single array; wrap it: [{what[:-1]}]")
    raise TypeError(f"{what} must be a list or dict of NumPy arrays, got {type(tree).__name__}")


def _check_pair(key: object, theta: np.ndarray, g: np.ndarray) -> None:
    if isinstance(theta, np.ndarray) and theta.dtype.kind == "f" and theta.flags.writeable and isinstance(
            g, np.ndarray) and g.shape == theta.shape and g.dtype == theta.dtype:
        return  # the usual case, without formatting the messages below
    pname, gname = _label("params", key), _label("grads", key)
    if not isinstance(theta, np.ndarray):
        raise TypeError(f"{pname} must be a NumPy array, got {type(theta).__name__}; use np.asarray(...)")
    if theta.dtype.kind != "f":
        raise TypeError(f"{pname} has dtype {theta.dtype}; parameters must be floating point to be updated in "
                        f"place: use .astype(np.float32) or .astype(np.float64)")
    if not theta.flags.writeable:
        raise ValueError(f"{pname} is read-only; pass a writeable copy (np.array(...))")
    if g is None:
        raise ValueError(f"{gname} is None (missing gradient); compute a gradient for every parameter")
    if not isinstance(g, np.ndarray):
        raise TypeError(f"{gname} must be a NumPy array, got {type(g).__name__}; use np.asarray(...)")
    if g.shape != theta.shape:
        raise ValueError(f"{gname} has shape {g.shape} but {pname} has shape {theta.shape}; they must match")
    if g.dtype != theta.dtype:
        raise TypeError(f"{gname} has dtype {g.dtype} but {pname} has dtype {theta.dtype}; cast with "
                        f".astype({theta.dtype})")


def _bad_gradient(key: object) -> FloatingPointError:
    return FloatingPointError(f"{_label('grads', key)} contains NaN or inf; the step was not applied. Check the "
                              f"loss for overflow or lower the learning rate")


def _all_finite(arrays) -> bool:
    """True when every element of every array is finite, in one read pass.

    Small arrays are summed as Python floats, quicker than any NumPy call: NaN and inf propagate into a sum, so
    a finite sum proves every element finite (a sum of finite elements can overflow: then an exact look
    decides). Large contiguous ones are read once by :func:`_finite_bits`.
    """
    total = 0.0
    for a in arrays:
        if a.size <= 64:
            total += sum(a.tolist() if a.ndim == 1 else a.ravel().tolist())
        elif a.flags.c_contiguous:
            uint, magnitude, inf = _BITS[a.itemsize]
            if not _finite_bits(a.reshape(-1).view(uint), uint(magnitude), uint(inf)):
                return False
        elif not np.isfinite(a).all():
            return False
    return math.isfinite(total) or all(bool(np.isfinite(a).all()) for a in arrays)


#: itemsize -> (unsigned integer of that size, the bits of |x|, the bits of inf) of IEEE float16/32/64
_BITS = {2: (np.uint16, 0x7FFF, 0x7C00), 4: (np.uint32, 0x7FFF_FFFF, 0x7F80_0000),
         8: (np.uint64, 0x7FFF_FFFF_FFFF_FFFF, 0x7FF0_0000_0000_0000)}


@numba.njit(nogil=True, cache=True)
def _finite_bits(bits, magnitude, inf):
    """Whether the floats whose bit patterns are ``bits`` are all finite: the largest |x| (the bits without the
    sign) is below inf's, and NaN's are above it. Integer arithmetic, so the loop is vectorized."""
    largest = bits.dtype.type(0)
    for i in range(bits.size):
        largest = max(largest, bits[i] & magnitude)
    return largest < inf


def _save(saved: np.ndarray, live: np.ndarray) -> None:
    """``saved[...] = live``, the copy that lets a failed step be undone. A large contiguous block is copied by
    :func:`_stream_copy`: its stores bypass the cache, since the copy is read again only if the step fails (an
    ordinary store first reads the cache line it writes: one more pass over memory; measured, SGD's step ~12 %
    faster on 2·10⁷ float32)."""
    if live.size >= 4096 and saved.shape == live.shape and live.flags.c_contiguous and saved.flags.c_contiguous:
        uint = _BITS[live.itemsize][0]  # the bits, whatever the float type (Numba has no float16)
        _stream_copy(saved.reshape(-1).view(uint), live.reshape(-1).view(uint))
    else:
        np.copyto(saved, live)


@numba.extending.intrinsic
def _store_nontemporal(typingctx, array, index, value):
    """``array[index] = value`` with LLVM's ``!nontemporal`` hint (x86: MOVNT*, a store that bypasses the cache)."""
    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        data = context.make_array(array_type)(context, builder, args[0])
        pointer = numba.core.cgutils.get_item_pointer(context, builder, array_type, data, [args[1]],
                                                      wraparound=False)
        store = builder.store(args[2], pointer)
        store.set_metadata("nontemporal", builder.module.add_metadata([llvmlite.ir.Constant(
            llvmlite.ir.IntType(32), 1)]))

    return numba.types.void(array, index, value), codegen


@numba.extending.intrinsic
def _store_fence(typingctx):
    """A full fence: the non-temporal stores before it are visible to every thread after it."""
    def codegen(context, builder, signature, args):
        builder.fence("seq_cst")

    return numba.types.void(), codegen


@numba.njit(nogil=True, cache=True)
def _stream_copy(saved, live):
    """``saved[:] = live`` for flat arrays of the same size, through non-temporal stores, then a fence."""
    for i in range(live.size):
        _store_nontemporal(saved, i, live[i])
    _store_fence()


# ---- rules compiled element by element ------------------------------------------------------------------------
def kernel(rule: Callable) -> Callable:
    """Compile a rule written element by element, ``rule(theta, *args)`` with a loop
    ``for i in range(theta.size): ...``, to machine code with Numba.

    The loop reads each array once and writes it once, with no temporaries, and runs without Python's GIL, so
    the pieces of a large step run side by side in threads. The arithmetic is IEEE, operation by operation as
    written: no fused multiply-add and no reordering (``fastmath`` is off), so the results are bit-identical to
    the same NumPy expressions; x/0 gives inf or NaN as in NumPy (``error_model="numpy"``) for the step's overflow
    check to report. Scalars must be passed in the arrays' dtype (``theta.dtype.type(...)``), and arrays flat
    (1-D) of θ's size, or empty for a slot the rule does not use; an index past the end of an array raises
    IndexError (``boundscheck``, which costs nothing measurable here).

    float16, which Numba lacks, runs the same function through NumPy: its loop runs once, with ``i = ...``, so
    that each line is one NumPy expression over the whole arrays — the same operations in the same order.
    """
    compiled = numba.njit(nogil=True, error_model="numpy", boundscheck=True, cache=True)(rule)

    @functools.cache
    def numpy_rule() -> Callable:  # made at its first use, when the rule's module is complete
        return types.FunctionType(rule.__code__, {**rule.__globals__, "range": lambda n: (...,)})

    @functools.wraps(rule)
    def run(theta: np.ndarray, *args) -> None:
        if theta.ndim == 1 and theta.dtype.char in "fd":  # float32, float64
            return compiled(theta, *args)
        if theta.ndim != 1:
            raise ValueError(f"{rule.__name__} takes flat arrays, got theta of shape {theta.shape}; pass "
                             f"theta.reshape(-1) (and the other arrays flat too)")
        return run.by_numpy(theta, *args)

    def by_numpy(*args) -> None:
        """The same rule run by NumPy, on whole arrays (what float16 gets): its loop runs once, with i = ...."""
        numpy_rule()(*args)

    run.by_numpy = by_numpy
    return run
