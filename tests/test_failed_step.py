"""A step that raises changes nothing: parameters, optimizer state and ``iterations`` stay bit-identical.

Every optimizer (with its options), every cause of failure, lists and dicts, float16/32/64. The failure is
placed in the last, partial piece of the second parameter, so every piece before it (the whole first parameter
and the earlier pieces of the second) has been updated and must be restored.
"""

import copy

import numpy as np
import pytest

from nnopt import optim

CHUNK = 4096  # pieces of this many float16 elements (instead of the default) keep the arrays small
N = 2 * CHUNK + 5  # three pieces or more (float16: 3, float32: 5, float64: 9), the last one partial

OPTIMIZERS = {
    "sgd": lambda lr: optim.SGD(lr),
    "momentum": lambda lr: optim.SGD(lr, momentum=0.9),
    "nesterov_decay": lambda lr: optim.SGD(lr, momentum=0.9, nesterov=True, weight_decay=0.004),
    "adagrad": lambda lr: optim.Adagrad(lr),
    "rmsprop": lambda lr: optim.RMSprop(lr),
    "rmsprop_centered_momentum": lambda lr: optim.RMSprop(lr, momentum=0.5, centered=True),
    "adam": lambda lr: optim.Adam(lr),
    "adam_amsgrad_clipnorm": lambda lr: optim.Adam(lr, amsgrad=True, clipnorm=1e3),
    "adamw": lambda lr: optim.AdamW(lr),
    "ema_momentum": lambda lr: optim.EMAMomentum(lr),
    "stacked_ema_momentum": lambda lr: optim.StackedEMAMomentum(lr),
    "paper_adam_clipvalue": lambda lr: optim.PaperAdam(lr, clipvalue=1e30),
    "adadelta": lambda lr: optim.Adadelta(lr),
    "nadam_decay": lambda lr: optim.Nadam(lr, weight_decay=0.004),
    "adamax": lambda lr: optim.Adamax(lr),
    "ftrl_regularized": lambda lr: optim.Ftrl(lr, l1_regularization_strength=0.01, l2_regularization_strength=0.01),
    "lion": lambda lr: optim.Lion(lr),
    "lamb": lambda lr: optim.Lamb(lr),
    "adafactor": lambda lr: optim.Adafactor(lr),
    "muon": lambda lr: optim.Muon(lr),  # vectors: its AdamW fallback (its matrix step: test_modern_optimizers.py)
    "schedule_free_adamw": lambda lr: optim.ScheduleFreeAdamW(lr, warmup_steps=3),
}
DTYPES = [np.float16, np.float32, np.float64]
# causes that cannot make these rules' step fail, or leave no good step before it to fail after
NOT_APPLICABLE = {
    ("lion", "huge_gradient"): "Lion's step is ±α whatever the gradient's size: nothing overflows",
    ("ftrl_regularized", "params_overflow"): "FTRL computes θ afresh from its state (z, n): a huge θ is not pushed",
    ("lamb", "params_overflow"): "‖θ‖ (the trust ratio's) overflows already in the good step before",
    ("adafactor", "params_overflow"): "RMS(θ) (the step's scale) overflows already in the good step before",
}


def problem(dtype, as_dict):
    """Two parameters, a small one and a three-piece one, and a gradient of -1/2 (pushing every θ up; small
    enough that the sum of its squares, used by clipnorm, stays finite in float16)."""
    params = [np.linspace(-1, 1, 7).astype(dtype), np.linspace(-1, 1, N).astype(dtype)]
    grads = [np.full(7, -0.5, dtype), np.full(N, -0.5, dtype)]
    if as_dict:
        return dict(zip("ab", params)), dict(zip("ab", grads))
    return params, grads


def arrays(tree):
    return list(tree.values()) if isinstance(tree, dict) else list(tree)


def cause(name, dtype, params, grads, make):
    """The optimizer and the gradients of a step that fails for the given reason."""
    make = _small_pieces(make)
    big = float(np.finfo(dtype).max)
    grads = copy.deepcopy(grads)
    last_g = arrays(grads)[1]
    if name == "nan_gradient":
        last_g[-1] = np.nan
        return make(0.01), grads
    if name == "params_overflow":  # the largest float, pushed up by a step of about lr: θ → inf
        arrays(params)[1][-1] = big
        return make(big / 4), grads
    if name == "huge_gradient":  # g = -max: g², βv − αg or θ − αg overflow, depending on the rule
        last_g[-1] = -big
        return make(400.0), grads
    if name == "bad_schedule":  # a schedule that is fine at the first step and returns NaN at the second
        return make(lambda step: 0.01 if step == 0 else float("nan")), grads
    raise AssertionError(name)


def _small_pieces(make):
    def make_small(lr):
        opt = make(lr)
        opt.chunk_bytes = 2 * CHUNK
        return opt
    return make_small


CAUSES = ["nan_gradient", "params_overflow", "huge_gradient", "bad_schedule"]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("as_dict", [False, True], ids=["list", "dict"])
@pytest.mark.parametrize("why", CAUSES)
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_a_failed_step_changes_nothing(name, why, as_dict, dtype):
    if why == "huge_gradient" and "clip" in name:
        pytest.skip("clipping turns the huge gradient into an ordinary one; the other causes are tested")
    if (name, why) in NOT_APPLICABLE:
        pytest.skip(NOT_APPLICABLE[name, why])
    params, grads = problem(dtype, as_dict)
    good_grads = copy.deepcopy(grads)
    opt, bad_grads = cause(why, dtype, params, grads, OPTIMIZERS[name])
    if why == "bad_schedule":
        opt.step(params, good_grads)  # one good step first, so that there is state to keep
    else:  # one good step with a tiny learning rate (the state exists), then the failing one
        opt.learning_rate, lr = 1e-3, opt.learning_rate
        opt.step(params, good_grads)
        opt.learning_rate = lr
    before_params = [a.copy() for a in arrays(params)]
    before_state = copy.deepcopy(opt.state)
    before_iterations = opt.iterations
    with pytest.raises((FloatingPointError, ValueError)) as error:
        opt.step(params, bad_grads)
    assert str(error.value)  # a message, naming the cause (checked in detail in test_bad_inputs.py)
    for a, b in zip(arrays(params), before_params):
        np.testing.assert_array_equal(a, b)
    assert opt.state.keys() == before_state.keys()
    for key in opt.state:
        assert opt.state[key].keys() == before_state[key].keys()
        for slot in opt.state[key]:
            np.testing.assert_array_equal(opt.state[key][slot], before_state[key][slot], err_msg=slot)
    assert opt.iterations == before_iterations


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_a_failed_first_step_leaves_no_state_and_the_next_step_works(name):
    params, grads = problem(np.float32, as_dict=False)
    why = "params_overflow" if (name, "huge_gradient") in NOT_APPLICABLE else "huge_gradient"
    opt, bad_grads = cause(why, np.float32, params, grads, OPTIMIZERS[name])
    before = [a.copy() for a in params]
    with pytest.raises(FloatingPointError):
        opt.step(params, bad_grads)
    assert opt.state == {} and opt.iterations == 0
    for a, b in zip(params, before):
        np.testing.assert_array_equal(a, b)
    opt.learning_rate = 1e-3
    opt.step(params, grads)
    assert opt.iterations == 1 and all(np.isfinite(a).all() for a in params)


class FailsOnThirdPiece(optim.SGD):
    """A rule that raises in the middle of a step (a bug in a user's rule): the pieces before are restored."""

    def update(self, theta, g, state, lr):
        super().update(theta, g, state, lr)
        self.pieces = getattr(self, "pieces", 0) + 1
        if self.pieces == 3:
            raise RuntimeError("bug in the rule")


def test_an_exception_inside_the_rule_restores_every_piece_before_it():
    params, grads = problem(np.float64, as_dict=False)
    before = [a.copy() for a in params]
    opt = FailsOnThirdPiece(0.1, momentum=0.9)
    opt.chunk_bytes, opt.threads = 8 * CHUNK, 1  # three float64 pieces, one thread (the rule counts them)
    with pytest.raises(RuntimeError, match="bug in the rule"):
        opt.step(params, grads)
    for a, b in zip(params, before):
        np.testing.assert_array_equal(a, b)
    assert opt.iterations == 0


class SkipsNonFinite(optim.Optimizer):
    """A rule that would not spread a NaN from g into θ: it steps only along the finite components."""

    def update(self, theta, g, state, lr):
        theta -= lr * np.where(np.isfinite(g), g, 0)


def test_a_nan_gradient_fails_even_where_the_rule_would_not_spread_it():
    params, grads = problem(np.float32, as_dict=False)
    grads[1][-1] = np.nan
    before = [a.copy() for a in params]
    opt = SkipsNonFinite(0.1)
    opt.chunk_bytes = 4 * CHUNK  # the NaN in the last block, after the others were updated
    with pytest.raises(FloatingPointError, match=r"grads\[1\] contains NaN or inf"):
        opt.step(params, grads)
    for a, b in zip(params, before):
        np.testing.assert_array_equal(a, b)


def test_the_overflow_message_names_the_cause_and_the_fix():
    params, grads = problem(np.float32, as_dict=True)
    opt, bad = cause("huge_gradient", np.float32, params, grads, OPTIMIZERS["adam"])
    with pytest.raises(FloatingPointError, match=r"state 'second_moment' of params\['b'\] overflowed at step 1 of "
                                                 r"Adam; the step was not applied.*clip them"):
        opt.step(params, bad)
    opt, bad = cause("params_overflow", np.float32, params, grads, OPTIMIZERS["sgd"])
    with pytest.raises(FloatingPointError, match=r"params\['b'\] became inf or NaN.*lower learning_rate"):
        opt.step(params, bad)


@pytest.mark.parametrize("why", ["params_overflow", "huge_gradient"])
@pytest.mark.parametrize("name", ["momentum", "rmsprop_centered_momentum", "adam", "adamw"])
def test_a_step_failing_in_one_thread_is_undone_in_all(name, why):
    """Pieces updated side by side in three threads: the failure is in the last piece, and every piece of
    every thread is restored."""
    params, grads = problem(np.float32, as_dict=False)
    opt, bad = cause(why, np.float32, params, grads, OPTIMIZERS[name])
    opt.chunk_bytes, opt.threads = 4 * 100, 3  # 11 blocks of 8 float32 pieces + the small parameter, 3 threads
    before = [a.copy() for a in params]
    with pytest.raises(FloatingPointError):
        opt.step(params, bad)
    for a, b in zip(params, before):
        np.testing.assert_array_equal(a, b)
    assert opt.iterations == 0 and opt.state == {}
