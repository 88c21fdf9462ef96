"""Each optimizer reaches the minimum of a parabola and of Rosenbrock within a fixed budget."""

import numpy as np
import pytest

from nnopt import objectives, optim, schedules
from nnopt.train import trajectory

PARABOLA = objectives.Quadratic.with_condition_number(10, angle=0.5, minimum=[1.0, -1.0])
ROSENBROCK = objectives.Rosenbrock()

# (factory, budget on the parabola, budget on Rosenbrock): tuned once, fixed here
CASES = {
    "sgd": (lambda: optim.SGD(1.0), lambda: optim.SGD(1.5e-3), 300, 20000),
    "momentum": (lambda: optim.SGD(0.1, momentum=0.8), lambda: optim.SGD(1e-3, momentum=0.9), 300, 5000),
    "nesterov": (lambda: optim.SGD(0.1, momentum=0.8, nesterov=True),
                 lambda: optim.SGD(1e-3, momentum=0.9, nesterov=True), 300, 5000),
    "adagrad": (lambda: optim.Adagrad(0.5), lambda: optim.Adagrad(0.5), 1000, 20000),
    "rmsprop": (lambda: optim.RMSprop(schedules.ExponentialDecay(0.05, 100, 0.5)),
                lambda: optim.RMSprop(schedules.ExponentialDecay(0.01, 1000, 0.5)), 1000, 10000),
    "adam": (lambda: optim.Adam(0.05), lambda: optim.Adam(0.02), 1000, 10000),
    "adamw": (lambda: optim.AdamW(0.05, weight_decay=0.0), lambda: optim.AdamW(0.02, weight_decay=0.0), 1000, 10000),
    "amsgrad": (lambda: optim.Adam(0.05, amsgrad=True), lambda: optim.Adam(0.02, amsgrad=True), 1000, 10000),
    "ema_momentum": (lambda: optim.EMAMomentum(0.5, beta=0.8), lambda: optim.EMAMomentum(0.01, beta=0.9), 300, 5000),
    "paper_adam": (lambda: optim.PaperAdam(0.05), lambda: optim.PaperAdam(0.02), 1000, 10000),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_reaches_parabola_minimum(name):
    make, _, budget, _ = CASES[name]
    path = trajectory(make(), PARABOLA, [-2.0, 2.0], budget)
    assert np.linalg.norm(path[-1] - PARABOLA.minimum) < 1e-3


@pytest.mark.parametrize("name", sorted(CASES))
def test_reaches_rosenbrock_minimum(name):
    _, make, _, budget = CASES[name]
    path = trajectory(make(), ROSENBROCK, [-1.2, 1.0], budget)
    assert np.linalg.norm(path[-1] - ROSENBROCK.minimum) < 1e-2


def test_mlp_learns_moons():
    from nnopt import data, nn
    from nnopt.losses import accuracy
    from nnopt.train import fit

    X, y = data.moons(400, seed=0)
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, 0.25, seed=0)
    model = nn.MLP((2, 16, 2), activation="tanh", seed=0)
    history = fit(model, Xtr, ytr, "softmax_cross_entropy", optim.Adam(0.02), epochs=60, batch_size=32,
                  validation_data=(Xte, yte))
    assert history.epoch_loss[-1] < 0.5 * history.epoch_loss[0]
    assert accuracy(model.predict(Xte), yte) > 0.95
