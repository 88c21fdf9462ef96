"""Every numeric constructor argument of every optimizer and schedule is checked by one validator:
a wrong type or range raises an error that names the argument and shows the fix; NumPy numbers are accepted."""

import inspect
import math

import numpy as np
import pytest

from nnopt import optim, schedules

# the required arguments of the schedules, to build them
REQUIRED = {
    "ExponentialDecay": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    "StepDecay": {"initial_learning_rate": 0.1, "every": 10},
    "PiecewiseConstantDecay": {"boundaries": [10], "values": [0.1, 0.01]},
    "CosineDecay": {"initial_learning_rate": 0.1, "decay_steps": 10},
    "Constant": {"learning_rate": 0.1},
    "LinearWarmup": {"schedule": 0.1, "warmup_steps": 5},
}
CLASSES = [getattr(optim, n) for n in optim.__all__ if inspect.isclass(getattr(optim, n))
           and issubclass(getattr(optim, n), optim.Optimizer) and n != "Optimizer"]
CLASSES += [getattr(schedules, n) for n in schedules.__all__ if n != "Schedule"]
BASE_ARGS = {"weight_decay": 0.004, "clipnorm": 1.0, "clipvalue": 0.5, "global_clipnorm": 1.0, "ema_momentum": 0.99,
             "ema_overwrite_frequency": 100, "loss_scale_factor": 128.0, "gradient_accumulation_steps": 4}


def numeric_arguments():
    """(class, argument, a valid value, integer?) for every numeric argument, found from the signatures."""
    out = []
    for cls in CLASSES:
        params = dict(inspect.signature(cls).parameters)
        if issubclass(cls, optim.Optimizer):
            params.pop("kwargs", None)
            extra = {n: v for n, v in BASE_ARGS.items() if n not in params}
        else:
            extra = {}
        values = {**{n: p.default for n, p in params.items()}, **REQUIRED.get(cls.__name__, {}), **extra}
        for name, value in values.items():
            if isinstance(value, bool) or name in ("schedule", "boundaries", "values", "exclude_layers"):
                continue
            if value is None:
                value = BASE_ARGS.get(name, 0.1)
            if isinstance(value, (int, float)):
                integer = isinstance(value, int) and name not in ("learning_rate", "adam_lr_ratio")  # any number > 0
                out.append((cls, name, value, integer))
    return out


ARGS = numeric_arguments()
# Arguments whose valid range contains the -1 tried below: the value out of range to try instead (None: any finite
# number is valid). Keras: learning_rate_power <= 0, beta_2_decay <= 0, the Newton–Schulz coefficients any number.
NEGATIVE_IS_VALID = {"learning_rate_power": 0.5, "beta_2_decay": 0.5, "muon_a": None, "muon_b": None, "muon_c": None}
NONE_IS_OFF = {"warmup_target", "rms_rate", "adam_weight_decay"}  # besides the base class' (as in Keras)


def build(cls, **kwargs):
    base = dict(REQUIRED.get(cls.__name__, {}))
    base.update(kwargs)
    return cls(**base)


def test_the_table_covers_every_optimizer_and_schedule():
    covered = {cls for cls, *_ in ARGS} | {schedules.PiecewiseConstantDecay}  # lists: tested below
    assert covered == set(CLASSES), set(CLASSES) - covered


@pytest.mark.parametrize("boundaries, values, message", [
    ([10], ["0.1", 0.01], r"values\[0\] must be a finite number > 0, got '0.1'.*pass e.g. values\[0\]="),
    ([10], [0.1, -0.01], r"values\[1\] must be a finite number > 0, got -0.01"),
    ([10.5], [0.1, 0.01], r"boundaries\[0\] must be an integer >= 0, got 10.5"),
    ([10], [0.1], r"values needs len\(boundaries\) \+ 1 = 2 entries, got 1"),
    ([20, 10], [0.1, 0.01, 0.001], r"boundaries must be increasing"),
])
def test_piecewise_constant_lists_are_checked_entry_by_entry(boundaries, values, message):
    with pytest.raises((TypeError, ValueError), match=message):
        schedules.PiecewiseConstantDecay(boundaries, values)


@pytest.mark.parametrize("bad", ["0.1", None, float("nan"), -1, [0.1]], ids=["str", "None", "nan", "-1", "list"])
@pytest.mark.parametrize("cls, name, good, integer", ARGS, ids=[f"{c.__name__}.{n}" for c, n, *_ in ARGS])
def test_a_bad_argument_is_named_with_its_fix(cls, name, good, integer, bad):
    if bad is None and (name in BASE_ARGS or name in NONE_IS_OFF):
        return  # None means "off" for these
    if bad == -1 and name in NEGATIVE_IS_VALID:
        if NEGATIVE_IS_VALID[name] is None:
            return
        bad = NEGATIVE_IS_VALID[name]
    if name == "weight_decay" and cls is optim.AdamW and bad is None:
        with pytest.raises(ValueError, match=r"AdamW needs weight_decay.*use Adam"):
            build(cls, **{name: bad})
        return
    with pytest.raises((TypeError, ValueError)) as error:
        build(cls, **{name: bad})
    message = str(error.value)
    assert name in message and "pass e.g." in message, message


@pytest.mark.parametrize("cls, name, good, integer", ARGS, ids=[f"{c.__name__}.{n}" for c, n, *_ in ARGS])
def test_numpy_numbers_are_accepted(cls, name, good, integer):
    value = np.int64(good) if integer else np.float32(good)
    obj = build(cls, **{name: value})
    stored = getattr(obj, name, None)
    if stored is not None:
        assert type(stored) is (int if integer else float) and math.isclose(stored, float(value))


def test_float32_hyperparameter_is_used_as_its_exact_value():
    assert optim.SGD(momentum=np.float32(0.9)).momentum == float(np.float32(0.9))


def test_a_schedule_may_return_numpy_numbers():
    theta = np.ones(2)
    for value in (np.int64(1), np.float32(0.5), 1):
        optim.SGD(lambda step, v=value: v).step([theta], [np.ones(2)])
    np.testing.assert_array_equal(theta, 1 - 1 - 0.5 - 1)


@pytest.mark.parametrize("value", [float("nan"), 0.0, -1.0, "0.1", None])
def test_a_bad_schedule_value_is_refused_before_anything_changes(value):
    theta = np.ones(2)
    opt = optim.Adam(lambda step: 0.1 if step == 0 else value)
    opt.step([theta], [np.ones(2)])
    state, before = {k: v.copy() for k, v in opt.state[0].items()}, theta.copy()
    with pytest.raises(ValueError, match=r"learning_rate schedule returned .* at iteration 1; a schedule must "
                                         r"return a finite number > 0"):
        opt.step([theta], [np.ones(2)])
    np.testing.assert_array_equal(theta, before)
    assert opt.iterations == 1 and all(np.array_equal(opt.state[0][k], state[k]) for k in state)


def test_learning_rate_is_assignable_as_in_keras():
    opt = optim.SGD(0.1)
    opt.learning_rate = np.float32(0.5)
    assert opt.learning_rate == 0.5 and opt.get_config()["learning_rate"] == 0.5
    with pytest.raises(ValueError, match=r"learning_rate must be a finite number > 0.*learning_rate=0.01"):
        opt.learning_rate = -1
    assert opt.learning_rate == 0.5
    scheduled = optim.SGD(schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="created with a learning-rate schedule"):
        scheduled.learning_rate = 0.1


def test_a_dtype_switch_between_steps_is_refused_clearly():
    opt, theta = optim.Adam(), np.ones(3)
    opt.step([theta], [np.ones(3)])
    before = {k: v.copy() for k, v in opt.state[0].items()}
    with pytest.raises(TypeError, match=r"params\[0\] is float32 but this optimizer's state is float64; keep the "
                                        r"dtype of the first step, or create a new optimizer"):
        opt.step([np.ones(3, np.float32)], [np.ones(3, np.float32)])
    assert opt.iterations == 1 and all(np.array_equal(opt.state[0][k], before[k]) for k in before)


def test_a_dict_in_another_key_order_is_the_same_step():
    grads = [{"W": np.full((2, 2), 0.5), "b": np.array([1.0, -2.0])} for _ in range(3)]
    a = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    b = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    opt_a, opt_b = optim.Adam(0.1, global_clipnorm=1.0), optim.Adam(0.1, global_clipnorm=1.0)
    for g in grads:
        opt_a.step(a, g)
        opt_b.step(dict(reversed(list(b.items()))), dict(reversed(list(g.items()))))  # b first, then W
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_the_same_array_twice_is_refused():
    theta = np.ones(3)
    with pytest.raises(ValueError, match=r"params\[1\] is the same array as params\[0\]; pass each parameter once"):
        optim.SGD().step([theta, theta], [np.ones(3), np.ones(3)])
