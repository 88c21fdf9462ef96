"""The textbook forms, checked against their formulas, and their exact relation to the Keras forms."""

import numpy as np
import pytest

from nnopt import objectives, optim
from nnopt.train import trajectory

RNG = np.random.default_rng(0)
GRADS = [RNG.standard_normal(6) for _ in range(100)]


def run(opt, grads=GRADS, x0=None):
    x = np.ones(6) if x0 is None else x0.copy()
    path = []
    for g in grads:
        opt.step([x], [g])
        path.append(x.copy())
    return np.array(path)


def test_ema_momentum_follows_its_formula():
    alpha, beta = 0.1, 0.8
    theta, v = np.ones(6), np.zeros(6)
    expected = []
    for g in GRADS:
        v = beta * v + (1 - beta) * g
        theta = theta - alpha * v
        expected.append(theta)
    np.testing.assert_allclose(run(optim.EMAMomentum(alpha, beta=beta)), expected, rtol=1e-13)


def test_ema_momentum_is_keras_momentum_with_rescaled_learning_rate():
    """EMA form with (α, β) == SGD(momentum=β) with learning rate α(1−β): Keras' velocity is −α·v_EMA."""
    alpha, beta = 0.1, 0.9
    ema = optim.EMAMomentum(alpha, beta=beta)
    keras_form = optim.SGD(alpha * (1 - beta), momentum=beta)
    np.testing.assert_allclose(run(ema), run(keras_form), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(-alpha * ema.state[0]["average_gradient"], keras_form.state[0]["velocity"],
                               rtol=1e-12, atol=1e-15)
    # and without the rescaling they differ: the mapping is not a no-op
    assert np.max(np.abs(run(optim.EMAMomentum(alpha, beta=beta)) - run(optim.SGD(alpha, momentum=beta)))) > 1e-2


def test_stacked_ema_follows_its_formula():
    alpha, beta = 0.05, 0.7
    theta, s, v = np.ones(6), np.zeros(6), np.zeros(6)
    expected = []
    for g in GRADS:
        s = beta * s + (1 - beta) * g
        v = beta * v + (1 - beta) * s
        theta = theta - alpha * v
        expected.append(theta)
    np.testing.assert_allclose(run(optim.StackedEMAMomentum(alpha, beta=beta)), expected, rtol=1e-13)


def test_paper_adam_is_algorithm_1():
    a, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    theta, m, v = np.ones(6), np.zeros(6), np.zeros(6)
    expected = []
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        theta = theta - a * m_hat / (np.sqrt(v_hat) + eps)
        expected.append(theta)
    np.testing.assert_allclose(run(optim.PaperAdam(a, b1, b2, eps)), expected, rtol=1e-13)


def test_keras_adam_is_paper_adam_with_eps_hat():
    """Keras' Adam with ε̂_t = ε·√(1−β₂ᵗ) at every step equals Algorithm 1 with ε (to rounding)."""
    eps, b2 = 1e-3, 0.999  # a large ε so that the placement matters
    paper = run(optim.PaperAdam(0.01, epsilon=eps))
    keras_form = optim.Adam(0.01, epsilon=eps)
    x, path = np.ones(6), []
    for t, g in enumerate(GRADS, start=1):
        keras_form.epsilon = eps * np.sqrt(1 - b2**t)
        keras_form.step([x], [g])
        path.append(x.copy())
    np.testing.assert_allclose(path, paper, rtol=1e-12)
    # with the same ε the two forms differ visibly when ε is not negligible against √v
    assert np.max(np.abs(run(optim.Adam(0.01, epsilon=eps)) - paper)) > 1e-4


def test_adamw_decay_is_scaled_by_learning_rate():
    lr, wd = 0.1, 0.5
    theta = np.array([2.0, -4.0])
    opt = optim.AdamW(lr, weight_decay=wd)
    opt.step([theta], [np.zeros(2)])  # zero gradient: only the decay moves θ
    np.testing.assert_allclose(theta, np.array([2.0, -4.0]) * (1 - lr * wd))


def test_nesterov_keras_form_equals_lookahead_form():
    """θ' = θ + βv (Sutskever's look-ahead variable) follows v ← βv − α∇f(θ'), θ' ← θ' + βv_new − α∇f(θ')."""
    f = objectives.Quadratic.with_condition_number(20, angle=0.4)
    alpha, beta = 0.1, 0.9
    theta, v = np.array([1.0, 1.5]), np.zeros(2)
    for _ in range(50):  # the look-ahead form: gradient at θ + βv
        v = beta * v - alpha * f.grad(theta + beta * v)
        theta = theta + v
    keras_path = trajectory(optim.SGD(alpha, momentum=beta, nesterov=True), f, [1.0, 1.5], 50)
    # Keras' iterate is the look-ahead point θ + βv of the classical form
    np.testing.assert_allclose(keras_path[-1], theta + beta * v, rtol=1e-10)


@pytest.mark.parametrize("kappa", [10, 100])
def test_heavy_ball_optimal_rate_on_quadratic(kappa):
    f = objectives.Quadratic.with_condition_number(kappa, dim=2)
    L, mu = f.L, f.mu
    alpha = (2 / (np.sqrt(L) + np.sqrt(mu))) ** 2
    beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    path = trajectory(optim.SGD(alpha, momentum=beta), f, [1.0, 1.0], 400)
    dist = np.linalg.norm(path - f.minimum, axis=1)
    measured = (dist[400] / dist[200]) ** (1 / 200)
    theory = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    assert measured == pytest.approx(theory, rel=0.02)
