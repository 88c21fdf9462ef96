"""Keras' base-class options in nnopt: gradient accumulation, the moving average of the weights, loss scaling.
(Their equality with Keras, step for step, is in test_keras_equivalence.py; these pin down what they mean.)"""

import numpy as np
import pytest

from nnopt import optim


def test_accumulation_updates_every_nth_call_with_the_mean_gradient():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(5) for _ in range(6)]
    theta, reference = np.ones(5), np.ones(5)
    acc, plain = optim.Adam(0.1, gradient_accumulation_steps=3), optim.Adam(0.1)
    for t, g in enumerate(grads, start=1):
        before = theta.copy()
        acc.step([theta], [g])
        if t % 3:
            np.testing.assert_array_equal(theta, before)  # only accumulated
        else:
            plain.step([reference], [(grads[t - 1] + (grads[t - 3] + grads[t - 2])) / 3])
            np.testing.assert_array_equal(theta, reference)
            assert not acc.accumulated[0].any()
        assert acc.iterations == t // 3


def test_an_overflowing_accumulation_changes_nothing():
    theta = np.ones(3, np.float32)
    opt = optim.SGD(0.1, gradient_accumulation_steps=4)
    opt.step([theta], [np.full(3, 3e38, np.float32)])
    before = opt.accumulated[0].copy()
    with pytest.raises(FloatingPointError, match="accumulated gradient overflowed.*not applied"):
        opt.step([theta], [np.full(3, 3e38, np.float32)])
    np.testing.assert_array_equal(opt.accumulated[0], before)
    np.testing.assert_array_equal(theta, np.ones(3, np.float32))
    assert opt._calls == 1


def test_the_moving_average_starts_at_theta_and_then_follows_it():
    theta, gamma = np.zeros(2), 0.75
    opt = optim.SGD(1.0, use_ema=True, ema_momentum=gamma)
    manual = None
    for g in ([-1.0, 2.0], [-1.0, 0.0], [3.0, 1.0]):
        opt.step([theta], [np.array(g)])
        manual = theta.copy() if manual is None else gamma * manual + (1 - gamma) * theta
        np.testing.assert_allclose(opt.average[0], manual, rtol=1e-15)
    opt.finalize_variable_values([theta])
    np.testing.assert_array_equal(theta, opt.average[0])


def test_ema_overwrite_frequency_replaces_the_weights_by_their_average():
    theta = np.zeros(2)
    opt = optim.SGD(1.0, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2)
    opt.step([theta], [np.array([-1.0, -1.0])])  # θ = 1, average = 1
    opt.step([theta], [np.array([-1.0, -1.0])])  # θ = 2, average = 1.5, then θ ← 1.5
    np.testing.assert_array_equal(theta, [1.5, 1.5])


def test_loss_scale_factor_divides_the_gradients():
    a, b = np.ones(3), np.ones(3)
    optim.Adam(0.1, loss_scale_factor=8.0).step([a], [np.full(3, 8.0)])
    optim.Adam(0.1).step([b], [np.full(3, 1.0)])
    np.testing.assert_array_equal(a, b)
