"""nnopt's optimizers against tf.keras' (Keras 3, TensorFlow backend, eager), step for step.

What is proven, and how it can fail:

- **Defaults.** For every class in ``nnopt.optim.__all__`` whose name is also a Keras optimizer (all 14 that Keras
  ships: SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Nadam, Adamax, Ftrl, Lion, Lamb, Adafactor, Muon,
  ScheduleFreeAdamW; a new one is picked up by name), every argument both signatures have must have the
  same default as ``inspect.signature(keras.optimizers.X)`` — one test case per (optimizer, argument). The Keras
  arguments nnopt does not have are listed once, in ``KNOWN_MISSING``; adding one to nnopt (or Keras adding a new
  one) fails ``test_arguments_are_keras_arguments`` until the list is updated.
- **Twins from literal keyword arguments.** Each configuration in ``CONFIGS`` is a dict of keyword arguments given
  unchanged to ``nnopt.optim.X(**kw)`` and to ``keras.optimizers.X(**kw)`` (a schedule is built from its literal
  arguments on each side), and every optimizer also runs with no arguments at all (``X()`` against
  ``keras.optimizers.X()``), so a wrong default changes the trajectory. Nothing is copied from one side to the other.
- **Sizes.** Each configuration runs on small parameters (shapes (7, 5), (13,); 120 steps) and, in float32, on
  parameters larger than the pieces nnopt updates at once (``chunk_bytes``: 32,768 float32 elements, and 262,144
  for the compiled rules of SGD and Adam): (600000,), (300, 2100) and (7, 5), 20 steps, so every piece, including
  the last, partial one, is compared after every step.
- **Exactness.** The gradients mix tiny (1e-8), huge (1e4), zero and sign-flipping components and all-zero steps.
  In float32, 18 of the first 22 configurations and the default runs of SGD, Adagrad, RMSprop, Adam, AdamW are
  bit-identical to Keras (``np.array_equal``
  after every step). Four are not, each with a tolerance on max|nnopt − Keras| relative to the parameter's scale
  max|θ_Keras|, about ten times the measured worst case (reasons next to each configuration in ``CONFIGS``):

  ======================== ========================== =============================================================
  configuration            float32 (measured, tol)    why
  ======================== ========================== =============================================================
  adam_clipnorm            0.91 ε, 8 ε                ‖g‖²: TensorFlow's (Eigen's vectorized) sum order ≠ NumPy's
  sgd_global_clipnorm      0.37 ε, 4 ε                the same sum order (large parameters: bit-identical)
  adam_cosine_schedule     0.79 ε, 8 ε                Keras evaluates the schedule in float32, nnopt in float64
  sgd_exponential_schedule 0.40 ε, 4 ε                same (bit-identical for the first 40 steps)
  ======================== ========================== =============================================================

  (ε = float32's 2⁻²³ ≈ 1.19e-7.) Keras' other nine optimizers add 11 configurations and nine default runs:
  Nadam, Adamax, Adadelta, Lion, ScheduleFreeAdamW and ftrl_power_zero are bit-identical in float32 and float64
  (nadam_weight_decay in float64: 0.022 float32-ε, Keras' float32-rounded 0.96). Measured worst cases in float32
  (tolerance ≈ 10×; reasons next to the configurations): Ftrl 3.3–8.2 ε (TensorFlow's pow), Lamb 0.37–1.2 ε
  (pow(x, 2) and the norms' sum order), Adafactor 0.30–0.91 ε (the means' sum order), Muon 0.19–0.43 ε (the
  matrix products' sum order).
- **Float64.** Keras casts Python-float hyper-parameters through float32 (``ops.cast(0.9, "float64")`` is
  0.8999999761581421), so the float64 twins get float32-representable hyper-parameters, the Keras defaults included.
  Then 14 of 18 are bit-identical; adam_clipnorm (0.15 ε₆₄, tol 2 ε₆₄) and sgd_global_clipnorm (0.74 ε₆₄, tol 8 ε₆₄)
  differ by the sum order, and both schedules by Keras' float32 learning rate (0.043 and 0.15 float32-ε, tol 0.5
  and 2 float32-ε). A separate test shows that with ``momentum=0.9`` the float64 difference is that rounding alone.

``nnopt.keras_bridge.to_keras`` (for users) is tested once, separately, and is not used by the proof.
"""

import functools
import inspect
from dataclasses import dataclass

import numpy as np
import pytest

from nnopt import optim, schedules

kb = pytest.importorskip("nnopt.keras_bridge")
pytest.importorskip("keras")
keras = kb.keras()  # imports TensorFlow quietly

EPS32 = float(np.finfo(np.float32).eps)  # 2**-23
EPS64 = float(np.finfo(np.float64).eps)  # 2**-52

SMALL = dict(shapes=[(7, 5), (13,)], steps=120)
# larger than the pieces nnopt updates at once, 32,768 float32 (NumPy rules) and 262,144 (compiled rules, SGD and
# Adam): 600000 = 18 pieces + 10,176 or 2 + 75,712; 630000 = 19 + 7,408 or 2 + 105,712
LARGE = dict(shapes=[(600_000,), (300, 2100), (7, 5)], steps=20)
SIZES = {"small": SMALL, "large": LARGE}
CHUNKS = {cls.chunk_bytes // 4 for cls in (optim.Optimizer, optim.SGD, optim.Adam)}  # float32 elements per piece
assert all(np.prod(s) > 2 * n and np.prod(s) % n for s in LARGE["shapes"][:2] for n in CHUNKS), CHUNKS  # partial last


# --------------------------------------------------------------------------------------------------
# defaults: nnopt's signatures against Keras'
# --------------------------------------------------------------------------------------------------
def _is_keras_named(name):
    obj = getattr(optim, name)
    return (isinstance(obj, type) and issubclass(obj, optim.Optimizer) and obj is not optim.Optimizer
            and hasattr(keras.optimizers, name))


# every nnopt optimizer with a Keras namesake (the base class, whose Keras namesake is abstract, excluded)
KERAS_NAMED = sorted(n for n in optim.__all__ if _is_keras_named(n))
assert {"SGD", "Adagrad", "RMSprop", "Adam", "AdamW"} <= set(KERAS_NAMED), KERAS_NAMED  # discovery sanity

# Keras arguments nnopt deliberately does not have (the same for every optimizer). The one place to update
# when nnopt gains one of them.
KNOWN_MISSING = {"name", "**kwargs"}  # a variable-name prefix, and Keras' own extras: nothing to compute


def _parameters(cls):
    """Name -> inspect.Parameter of what ``cls(...)`` accepts, following ``**kwargs`` up the MRO."""
    out = {}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        forwards = False
        for p in list(inspect.signature(init).parameters.values())[1:]:  # skip self
            if p.kind is p.VAR_KEYWORD:
                forwards = True
            elif p.kind is not p.VAR_POSITIONAL:
                out.setdefault(p.name, p)
        if not forwards:
            break
    return out


def _keras_parameters(name):
    sig = inspect.signature(getattr(keras.optimizers, name))
    return {("**" + p.name if p.kind is p.VAR_KEYWORD else p.name): p for p in sig.parameters.values()}


SHARED_ARGUMENTS = [(name, arg) for name in KERAS_NAMED
                    for arg in _keras_parameters(name) if arg in _parameters(getattr(optim, name))]


@pytest.mark.parametrize(("name", "argument"), SHARED_ARGUMENTS, ids=[f"{n}-{a}" for n, a in SHARED_ARGUMENTS])
def test_default_equals_keras(name, argument):
    ours = _parameters(getattr(optim, name))[argument].default
    theirs = _keras_parameters(name)[argument].default
    assert ours == theirs, f"{name}({argument}=...) defaults to {ours!r}, keras.optimizers.{name} to {theirs!r}"
    assert (type(ours) is bool) == (type(theirs) is bool) and (ours is None) == (theirs is None), (ours, theirs)


@pytest.mark.parametrize("name", KERAS_NAMED)
def test_arguments_are_keras_arguments(name):
    ours, theirs = set(_parameters(getattr(optim, name))), set(_keras_parameters(name))
    assert ours - theirs == set(), f"nnopt.optim.{name} has arguments keras.optimizers.{name} does not"
    assert theirs - ours == KNOWN_MISSING, f"update KNOWN_MISSING: nnopt.optim.{name} lacks {theirs - ours}"


# --------------------------------------------------------------------------------------------------
# twins from literal keyword arguments
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    optimizer: str  # the class name, the same in nnopt.optim and keras.optimizers
    kwargs: dict  # given unchanged to both; a learning-rate schedule as (schedule class name, its kwargs)
    tol32: float = 0.0  # max|nnopt − Keras| / max|θ_Keras| allowed in float32; 0: np.array_equal
    tol64: float = 0.0  # the same in float64 (with float32-representable hyper-parameters)


CONFIGS = {
    "sgd": Case("SGD", {"learning_rate": 0.01}),
    "sgd_momentum": Case("SGD", {"learning_rate": 0.01, "momentum": 0.9}),
    "sgd_nesterov": Case("SGD", {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True}),
    "adagrad": Case("Adagrad", {"learning_rate": 0.01}),
    "rmsprop": Case("RMSprop", {"learning_rate": 0.01}),
    "rmsprop_momentum": Case("RMSprop", {"learning_rate": 0.01, "momentum": 0.5}),
    "rmsprop_centered": Case("RMSprop", {"learning_rate": 0.01, "centered": True}),
    "rmsprop_centered_momentum": Case("RMSprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.5}),
    "adam": Case("Adam", {"learning_rate": 0.01}),
    "adam_amsgrad": Case("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    "adamw": Case("AdamW", {"learning_rate": 0.01, "weight_decay": 0.05}),
    "adamw_amsgrad": Case("AdamW", {"learning_rate": 0.01, "weight_decay": 0.05, "amsgrad": True}),
    "sgd_momentum_weight_decay": Case("SGD", {"learning_rate": 0.01, "momentum": 0.9, "weight_decay": 0.01}),
    "rmsprop_clipvalue": Case("RMSprop", {"learning_rate": 0.01, "clipvalue": 0.5}),
    # Keras' base-class options: moving average of the weights (overwriting them every 5 steps), gradient
    # accumulation (an update every 3rd call, with the mean gradient), loss scaling.
    "adam_ema_overwrite": Case("Adam", {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.9,
                                        "ema_overwrite_frequency": 5}),
    "sgd_momentum_accumulation": Case("SGD", {"learning_rate": 0.01, "momentum": 0.9,
                                              "gradient_accumulation_steps": 3}),
    "adamw_accumulation_ema": Case("AdamW", {"learning_rate": 0.01, "weight_decay": 0.05,
                                             "gradient_accumulation_steps": 2, "use_ema": True}),
    "rmsprop_loss_scale": Case("RMSprop", {"learning_rate": 0.01, "loss_scale_factor": 128.0}),
    # Same expression as Keras' _clip_by_norm (g·c / max(‖g‖, c), float32), but ‖g‖² = Σg² is summed in another
    # order: TensorFlow's reduce_sum (Eigen, vectorized, CPU-dependent) vs NumPy's pairwise sum; 15 of the 216
    # sums of this run differ in the last bit. Measured 0.15 ε (small), 0.91 ε (large); float64 0.15 ε₆₄.
    "adam_clipnorm": Case("Adam", {"learning_rate": 0.01, "clipnorm": 1.0}, tol32=8 * EPS32, tol64=2 * EPS64),
    # nnopt computes Keras' expression (per-array Σg², their sum, √, scale = c·min(1/‖g‖, 1/c), all in the
    # gradients' dtype), but each Σg² in NumPy's order, not TensorFlow's: the norm differs in the last bit at a
    # few steps. Measured 0.37 ε (small; first at step 18), 0 (large); float64 0.74 ε₆₄.
    "sgd_global_clipnorm": Case("SGD", {"learning_rate": 0.01, "momentum": 0.9, "global_clipnorm": 2.0},
                                tol32=4 * EPS32, tol64=8 * EPS64),
    # Keras evaluates the schedule in float32 tensors (cos of float32 included); nnopt in Python float64, rounded
    # to float32 where it meets the parameters: 47 of 120 rates differ by up to 4 ulp. Measured 0.74 ε (small),
    # 0.79 ε (large). In float64 Keras still computes the rate in float32: 0.043 float32-ε.
    "adam_cosine_schedule": Case(
        "Adam", {"learning_rate": ("CosineDecay", {"initial_learning_rate": 1e-2, "decay_steps": 80, "alpha": 0.1,
                                                    "warmup_target": 2e-2, "warmup_steps": 10})},
        tol32=8 * EPS32, tol64=0.5 * EPS32),
    # As above: Keras computes 0.05·0.7^⌊k/10⌋ in float32, nnopt in float64; 70 of 120 rates differ by up to
    # 2 ulp (the first at step 41: bit-identical before). Measured 0.40 ε (small), 0 (large: 20 steps);
    # float64 0.15 float32-ε.
    "sgd_exponential_schedule": Case(
        "SGD", {"learning_rate": ("ExponentialDecay", {"initial_learning_rate": 0.05, "decay_steps": 10,
                                                        "decay_rate": 0.7, "staircase": True}),
                "momentum": 0.9},
        tol32=4 * EPS32, tol64=2 * EPS32),
    # ---- Keras' other optimizers --------------------------------------------------------------------------
    # Bit-identical: Nadam, Adamax, Adadelta, Lion, ScheduleFreeAdamW, and Ftrl with learning_rate_power=0.
    # Nadam in float64: Keras' u_t uses ops.cast(0.96, float64), which rounds 0.96 through float32
    # (0.9599999785...), while its product Π_t uses ops.power(0.96, t), which does not; nnopt uses 0.96 in both.
    # Measured 0.022 float32-ε (nnopt given float32(0.96) in u_t: bit-identical, checked by hand).
    "nadam_weight_decay": Case("Nadam", {"learning_rate": 0.01, "weight_decay": 0.01}, tol64=0.2 * EPS32),
    "adamax": Case("Adamax", {"learning_rate": 0.01, "beta_2": 0.99}),
    "adadelta_paper": Case("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}),  # Zeiler's α = 1
    # Ftrl: Keras computes n^{-p} with ops.power, TensorFlow's pow (Eigen's, not correctly rounded: it differs from
    # NumPy's power and sqrt in the last bit for ~27% of float32 inputs, even for p = 0.5). With p = 0 (n⁰ = 1)
    # the rest of the rule is bit-identical. Measured 3.9 ε (small), 4.0 ε (large); float64 2.4 ε₆₄.
    "ftrl_regularized": Case("Ftrl", {"learning_rate": 0.05, "l1_regularization_strength": 0.01,
                                      "l2_regularization_strength": 0.01, "l2_shrinkage_regularization_strength": 0.01,
                                      "beta": 0.5}, tol32=40 * EPS32, tol64=24 * EPS64),
    "ftrl_power_zero": Case("Ftrl", {"learning_rate": 0.05, "learning_rate_power": 0.0,
                                     "l1_regularization_strength": 0.01, "beta": 0.5}),
    # the same pow; measured 8.2 ε (small), 3.5 ε (large); float64 4.1 ε₆₄
    "ftrl_power": Case("Ftrl", {"learning_rate": 0.05, "learning_rate_power": -0.7, "initial_accumulator_value": 0.5},
                       tol32=80 * EPS32, tol64=40 * EPS64),
    "lion_weight_decay": Case("Lion", {"learning_rate": 0.001, "beta_1": 0.95, "beta_2": 0.98, "weight_decay": 0.1}),
    # Lamb: Keras squares with ops.power(x, 2) (TensorFlow's pow: ≠ x·x in the last bit for ~27% of float32
    # inputs) and sums ‖θ‖², ‖r‖² in TensorFlow's order. Measured 1.2 ε (small), 0.91 ε (large); float64 0.73 ε₆₄.
    "lamb_weight_decay": Case("Lamb", {"learning_rate": 0.01, "weight_decay": 0.01}, tol32=12 * EPS32,
                              tol64=8 * EPS64),
    # Adafactor: the row, column and whole-array means are summed in TensorFlow's order (with tf.reduce_mean in
    # place of np.mean nnopt is bit-identical, checked by hand). relative_step=False changes nothing (see the
    # docstring). Measured 0.37 ε (small), 0.91 ε (large); float64 0.61 ε₆₄.
    "adafactor_options": Case("Adafactor", {"learning_rate": 0.01, "relative_step": False, "clip_threshold": 0.5,
                                            "beta_2_decay": -0.5, "epsilon_2": 0.01}, tol32=8 * EPS32, tol64=6 * EPS64),
    # Muon: the matrix products and the Frobenius norm of Newton–Schulz are summed in TensorFlow's order, not
    # OpenBLAS' (with TensorFlow's matmul and norm in _newton_schulz nnopt is bit-identical, checked by hand). The
    # vector (13,) gets the AdamW fallback, bit-identical. Measured 0.19 ε (small), 0.43 ε (large); float64 0.75 ε₆₄.
    "muon_options": Case("Muon", {"learning_rate": 0.01, "ns_steps": 3, "nesterov": False, "momentum": 0.9,
                                  "adam_lr_ratio": 0.1, "weight_decay": 0.01, "adam_weight_decay": 0.0,
                                  "rms_rate": None}, tol32=4 * EPS32, tol64=8 * EPS64),
    # Keras reads its z ("momentum") after updating it: nnopt does the same (see ScheduleFreeAdamW's docstring)
    "schedule_free_warmup": Case("ScheduleFreeAdamW", {"learning_rate": 0.01, "warmup_steps": 10,
                                                       "weight_decay": 0.01}),
}
# The all-defaults runs; where an optimizer's Keras arithmetic cannot be matched bit for bit, the reason is the
# one given with its configuration above. Measured (small, large): Ftrl 3.3 ε, 3.0 ε; Lamb 0.37 ε, 0.45 ε;
# Adafactor 0.30 ε, 0.45 ε; Muon 0.19 ε, 0.40 ε.
DEFAULT_TOLERANCES = {"Ftrl": 32 * EPS32, "Lamb": 4 * EPS32, "Adafactor": 4 * EPS32, "Muon": 4 * EPS32}
DEFAULT_CONFIGS = {f"default_{name}": Case(name, {}, tol32=DEFAULT_TOLERANCES.get(name, 0.0))
                   for name in KERAS_NAMED}  # X() against keras.optimizers.X()


@functools.lru_cache(maxsize=4)
def gradient_sequence(shapes, dtype, steps, seed=0):
    """Per step one gradient per parameter: tiny, huge, zero and sign-flipping components; every 10th all zero."""
    rng = np.random.default_rng(seed)
    seq = []
    for k in range(steps):
        grads = []
        for shape in shapes:
            g = rng.standard_normal(shape)
            kind = np.arange(g.size).reshape(shape) % 4
            g = np.where(kind == 0, g * 1e-8, g)  # tiny
            g = np.where(kind == 1, g * 1e4, g)  # huge
            g = np.where(kind == 2, 0.0, g)  # zero
            g = np.where(kind == 3, np.abs(g) * (-1) ** k, g)  # sign flipping every step
            if k % 10 == 9:
                g = np.zeros(shape)  # an all-zero step
            grads.append(g.astype(dtype))
        seq.append(grads)
    return seq


def initial_params(shapes, dtype, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


floatx = kb._floatx  # Keras keeps the learning rate in floatx: match the parameters' dtype


def build(module, schedule_module, name, kwargs):
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("learning_rate"), tuple):
        schedule, args = kwargs["learning_rate"]
        kwargs["learning_rate"] = getattr(schedule_module, schedule)(**args)
    return getattr(module, name)(**kwargs)


def lockstep(name, kwargs, dtype, size, ours_kwargs=None):
    """nnopt and Keras side by side from literal kwargs: yield (step, index, nnopt's θ, Keras' θ) after every step."""
    shapes, steps = SIZES[size]["shapes"], SIZES[size]["steps"]
    params = initial_params(shapes, dtype)
    ours = [p.copy() for p in params]
    opt = build(optim, schedules, name, kwargs if ours_kwargs is None else ours_kwargs)
    with floatx(dtype):
        twin = build(keras.optimizers, keras.optimizers.schedules, name, kwargs)
        variables = [keras.Variable(p.copy(), dtype=np.dtype(dtype).name) for p in params]
        for k, grads in enumerate(gradient_sequence(tuple(shapes), dtype, steps)):
            opt.step(ours, grads)
            twin.apply_gradients(zip([keras.ops.convert_to_tensor(g) for g in grads], variables))
            for i, (a, v) in enumerate(zip(ours, variables)):
                yield k + 1, i, a, v.numpy()
        assert opt.iterations == int(twin.iterations.numpy()) == steps // (kwargs.get("gradient_accumulation_steps")
                                                                           or 1)


def relative_difference(a, b):
    """max|a − b| relative to the parameter's scale max|b| (components cross zero: a pure rtol is meaningless)."""
    return float(np.max(np.abs(a.astype(np.float64) - b)) / max(np.max(np.abs(b)), 1e-30))


def assert_twins_agree(name, kwargs, dtype, size, tol, what):
    """Every parameter after every step: bit-identical when tol is 0, else within tol of the parameter's scale."""
    for k, i, a, b in lockstep(name, kwargs, dtype, size):
        assert a.dtype == b.dtype
        if tol == 0:
            if not np.array_equal(a, b):
                diff = np.abs(a.astype(np.float64) - b)
                where = np.unravel_index(np.argmax(diff), a.shape)
                pytest.fail(f"{what}: param {i} {a.shape} after step {k} is not bit-identical to Keras: "
                            f"{np.count_nonzero(diff)} elements differ, max {diff.max():.3g} at {where}")
        else:
            err = relative_difference(a, b)
            assert err <= tol, f"{what}: param {i} after step {k} differs by {err:.3g} (> {tol:.3g})"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("config", sorted(DEFAULT_CONFIGS) + sorted(CONFIGS))
def test_float32_equals_keras(config, size):
    case = {**DEFAULT_CONFIGS, **CONFIGS}[config]
    assert_twins_agree(case.optimizer, case.kwargs, np.float32, size, case.tol32, f"{config} float32 {size}")


def _f32(x):
    return float(np.float32(x))


def float32_representable(case):
    """The case's kwargs with every float (the Keras defaults included) rounded through float32."""
    defaults = {arg: p.default for arg, p in _keras_parameters(case.optimizer).items()
                if arg in _parameters(getattr(optim, case.optimizer))
                and isinstance(p.default, float)}
    kwargs = {k: _f32(v) for k, v in defaults.items()}
    for k, v in case.kwargs.items():
        if isinstance(v, tuple):  # a schedule
            v = (v[0], {a: _f32(x) if isinstance(x, float) else x for a, x in v[1].items()})
        kwargs[k] = _f32(v) if isinstance(v, float) else v
    return kwargs


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_float64_equals_keras_with_float32_representable_hyperparameters(config):
    # small parameters only: the chunking is by element count, the same for both dtypes, and proven in float32
    case = CONFIGS[config]
    assert_twins_agree(case.optimizer, float32_representable(case), np.float64, "small", case.tol64,
                       f"{config} float64")


def test_float64_difference_is_keras_rounding_momentum_through_float32():
    """With momentum=0.9 in float64, Keras uses float32(0.9); nnopt given that value reproduces Keras exactly."""
    kwargs = {"learning_rate": 2**-7, "momentum": 0.9}
    errs = [relative_difference(a, b) for _, _, a, b in lockstep("SGD", kwargs, np.float64, "small")]
    assert 1e-10 < max(errs) < 1e-5  # a real, small difference (measured 1.4e-6) ...
    rounded = {"learning_rate": 2**-7, "momentum": _f32(0.9)}
    for k, i, a, b in lockstep("SGD", kwargs, np.float64, "small", ours_kwargs=rounded):
        assert np.array_equal(a, b), (k, i)  # ... fully explained: bit-identical with float32(0.9)


def _named_keras_variables(params):
    """Keras variables whose paths are the dict's keys ("scope/name")."""
    out = {}
    for key, value in params.items():
        scope, name = key.split("/")
        with keras.name_scope(scope):
            out[key] = keras.Variable(value.copy(), name=name)
    return out


def test_muon_chooses_adamw_by_dict_key_as_keras_by_variable_path():
    """The dict key plays the variable path: the same parameters get AdamW, and every parameter follows Keras."""
    rng = np.random.default_rng(2)
    shapes = {"dense/kernel": (7, 5), "output_dense/kernel": (5, 3), "token_embedding/embeddings": (9, 4),
              "dense/bias": (5,)}
    params = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
    kwargs = {"learning_rate": 0.01, "exclude_layers": ["^output_"], "weight_decay": 0.01}
    ours, opt, twin = {k: p.copy() for k, p in params.items()}, optim.Muon(**kwargs), keras.optimizers.Muon(**kwargs)
    variables = _named_keras_variables(params)
    for _ in range(30):
        grads = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
        opt.step(ours, grads)
        twin.apply_gradients([(keras.ops.convert_to_tensor(grads[k]), v) for k, v in variables.items()])
        for key, v in variables.items():  # AdamW: bit-identical; Muon: the matrix products' order (muon_options)
            tol = 0.0 if opt.uses_adamw(key, v.shape) else 4 * EPS32
            assert relative_difference(ours[key], v.numpy()) <= tol, key
    adamw = {key for key in shapes if "second_moment" in opt.state[key]}
    keras_adamw = {key for key, v in variables.items() if twin._should_use_adamw(v)}
    assert adamw == keras_adamw == {"output_dense/kernel", "token_embedding/embeddings", "dense/bias"}


def test_schedule_free_averaged_params_are_keras_x():
    """Keras keeps y (the variables) and z; x = (y − (1−β₁)z)/β₁ from nnopt's state equals the same from Keras'."""
    kwargs = {"learning_rate": 0.01, "warmup_steps": 5}
    opt, twin = optim.ScheduleFreeAdamW(**kwargs), keras.optimizers.ScheduleFreeAdamW(**kwargs)
    ours = initial_params(SMALL["shapes"], np.float32)
    variables = [keras.Variable(p.copy()) for p in ours]
    for grads in gradient_sequence(tuple(SMALL["shapes"]), np.float32, 30):
        opt.step(ours, grads)
        twin.apply_gradients(zip([keras.ops.convert_to_tensor(g) for g in grads], variables))
    b1 = np.float32(twin.beta_1)
    for x, v, z in zip(opt.averaged_params(ours), variables, twin._momentums):
        np.testing.assert_array_equal(x, (v.numpy() - (1 - b1) * z.numpy()) / b1)


# --------------------------------------------------------------------------------------------------
# schedules on their own, and the bridge users call
# --------------------------------------------------------------------------------------------------
SCHEDULES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.5}),
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.5, "staircase": True}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 50, "alpha": 0.05}),
    ("CosineDecay", {"initial_learning_rate": 0.01, "decay_steps": 40, "warmup_target": 0.1, "warmup_steps": 10}),
    ("PiecewiseConstantDecay", {"boundaries": [10, 20], "values": [0.1, 0.05, 0.01]}),
]


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES, ids=[f"{n}{i}" for i, (n, _) in enumerate(SCHEDULES)])
def test_schedules_equal_keras(name, kwargs):
    ours = np.array([getattr(schedules, name)(**kwargs)(k) for k in range(80)])
    theirs = np.array([getattr(keras.optimizers.schedules, name)(**kwargs)(k) for k in range(80)])
    assert theirs.dtype == np.float32  # Keras evaluates schedules in float32, nnopt in float64: they agree to
    # float32 rounding of the peak rate (measured ≤ 0.82 ε·peak; in ulps of each value it is up to 114 where the
    # cosine nears 0 and float32's 1 + cos(πk/K) cancels)
    err = np.max(np.abs(ours - theirs.astype(np.float64))) / (EPS32 * ours.max())
    assert err <= 8, f"{name}: {err:.3g} ε·peak"


def test_bridge_trajectory_on_objective_equals_keras():
    """kb.to_keras / kb.trajectory (the bridge the chapters use) reproduce nnopt's path exactly."""
    from nnopt.objectives import Rosenbrock
    from nnopt.train import trajectory

    opt = lambda: optim.Adam(learning_rate=2**-6, beta_1=0.875, beta_2=0.9990234375, epsilon=2**-20)  # noqa: E731
    ours = trajectory(opt(), Rosenbrock(), [-1.5, 2.0], 150)
    theirs = kb.trajectory(opt(), Rosenbrock(), [-1.5, 2.0], 150)
    np.testing.assert_array_equal(ours, theirs)
