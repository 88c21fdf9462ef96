"""The "Beyond Adam" chapter's comparison: every optimizer's learning rate tuned on a validation split, 3 seeds.

    python benchmarks/compare_optimizers.py            # writes book/data/beyond_adam_comparison.json (a few minutes)
    python benchmarks/compare_optimizers.py --out x.json

Two tasks, both on scikit-learn's 8×8 digits (``nnopt.data.digits``; the training part split again into a part to
fit on and a validation part, the test part untouched until the end):

- ``digits``: a 64–32–10 ReLU network, minibatches of 64, 10 epochs;
- ``scaled_deep``: the pixels multiplied by fixed factors spread over three decades (badly scaled inputs) and a
  deeper, narrower tanh network 64–16–16–16–10, minibatches of 64, 15 epochs.

For each task, optimizer and learning rate of its grid (7 rates 1, 3, 10, ... times the smallest, three decades
placed where the optimizer's rates usually lie), three seeds (the seed sets the initial weights and the order of the
minibatches) are trained and the validation accuracy after the last epoch is kept (0 for a run that diverges). The
rate with the best mean validation accuracy is chosen per task and optimizer (the smaller rate on a tie); the test
accuracy is kept only for the chosen rate's three runs, and the choice never looks at it. Everything is seeded and
runs with one BLAS thread, so the file is the same on every run on the same machine.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from nnopt import data, nn, optim, train
from nnopt.losses import LOSSES, accuracy

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (0, 1, 2)
ONE_THREE = [c * 10.0**k for k in range(-6, 2) for c in (1, 3)]  # 1e-6, 3e-6, 1e-5, ..., 10, 30

# name: (constructor with Keras' defaults but the learning rate, smallest rate of the grid)
OPTIMIZERS = {
    "SGD+momentum": (lambda a: optim.SGD(a, momentum=0.9), 1e-3),
    "Adam": (lambda a: optim.Adam(a), 1e-4),
    "Nadam": (lambda a: optim.Nadam(a), 1e-4),
    "Adamax": (lambda a: optim.Adamax(a), 1e-4),
    "Adadelta": (lambda a: optim.Adadelta(a), 3e-2),
    "Ftrl": (lambda a: optim.Ftrl(a), 3e-3),
    "Lion": (lambda a: optim.Lion(a), 1e-5),
    "Lamb": (lambda a: optim.Lamb(a), 1e-4),
    "Adafactor": (lambda a: optim.Adafactor(a), 1e-3),
    "Muon": (lambda a: optim.Muon(a), 1e-4),
    "ScheduleFreeAdamW": (lambda a: optim.ScheduleFreeAdamW(a), 1e-4),
}


def grid(name: str) -> list[float]:
    """The 7 learning rates tried for optimizer ``name``: 1, 3, 10, 30, ... times its smallest, three decades."""
    start = next(i for i, a in enumerate(ONE_THREE) if np.isclose(a, OPTIMIZERS[name][1]))
    return [float(f"{a:.1g}") for a in ONE_THREE[start:start + 7]]


def task_data(task: str):
    """``(X_fit, y_fit), (X_val, y_val), (X_test, y_test)`` of a task."""
    X_train, X_test, y_train, y_test = data.digits()
    if task == "scaled_deep":
        scale = 10.0 ** np.random.default_rng(42).uniform(-2, 1, X_train.shape[1])  # pixel j times 10^u_j
        X_train, X_test = X_train * scale, X_test * scale
    X_fit, X_val, y_fit, y_val = data.train_test_split(X_train, y_train, seed=1)
    return (X_fit, y_fit), (X_val, y_val), (X_test, y_test)


TASKS = {  # name: (layer sizes, activation, epochs)
    "digits": ((64, 32, 10), "relu", 10),
    "scaled_deep": ((64, 16, 16, 16, 10), "tanh", 15),
}


def evaluation_params(model, opt):
    """The parameters to evaluate: schedule-free methods are evaluated at their averaged point x, the others at θ."""
    if isinstance(opt, optim.ScheduleFreeAdamW):
        return opt.averaged_params(model.params)
    return model.params


def run(task: str, name: str, learning_rate: float, seed: int, splits=None) -> dict:
    """Train one configuration; its validation and test accuracy and final validation loss (None if it diverged)."""
    sizes, activation, epochs = TASKS[task]
    (X_fit, y_fit), (X_val, y_val), (X_test, y_test) = splits or task_data(task)
    model = nn.MLP(sizes, activation=activation, seed=seed)
    opt = OPTIMIZERS[name][0](learning_rate)
    try:
        with np.errstate(all="ignore"):
            train.fit(model, X_fit, y_fit, "softmax_cross_entropy", opt, epochs=epochs, batch_size=64, seed=seed,
                      metric=None)
    except FloatingPointError:  # a diverging run (DivergenceError) or an overflow the optimizer refused
        return {"val_accuracy": 0.0, "test_accuracy": 0.0, "val_loss": None}
    params = evaluation_params(model, opt)
    out_val = model.forward(X_val, params)[0]
    val_loss = nn_loss(out_val, y_val)
    if not np.isfinite(val_loss):
        return {"val_accuracy": 0.0, "test_accuracy": 0.0, "val_loss": None}
    return {"val_accuracy": float(accuracy(out_val, y_val)),
            "test_accuracy": float(accuracy(model.forward(X_test, params)[0], y_test)), "val_loss": float(val_loss)}


def nn_loss(out, y) -> float:
    """The mean softmax cross-entropy of logits ``out`` for labels ``y``."""
    with np.errstate(all="ignore"):
        return float(LOSSES["softmax_cross_entropy"](out, y)[0])


def sweep() -> dict:
    results = {"seeds": list(SEEDS), "tasks": {}}
    for task, (sizes, activation, epochs) in TASKS.items():
        splits = task_data(task)
        entry = {"sizes": list(sizes), "activation": activation, "epochs": epochs, "batch_size": 64,
                 "n_fit": len(splits[0][1]), "n_val": len(splits[1][1]), "n_test": len(splits[2][1]),
                 "optimizers": {}}
        for name in OPTIMIZERS:
            rates = grid(name)
            runs = [[run(task, name, a, s, splits) for s in SEEDS] for a in rates]
            val = [[r["val_accuracy"] for r in row] for row in runs]
            best = int(np.argmax([np.mean(v) for v in val]))  # the first of equal means: the smaller rate
            entry["optimizers"][name] = {
                "grid": rates, "val_accuracy": val, "val_loss": [[r["val_loss"] for r in row] for row in runs],
                "best": best, "test_accuracy": [r["test_accuracy"] for r in runs[best]]}
            print(f"{task:12s} {name:18s} best lr {rates[best]:<8g} val {np.mean(val[best]):.3f} "
                  f"test {np.mean(entry['optimizers'][name]['test_accuracy']):.3f}", flush=True)
        results["tasks"][task] = entry
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "book" / "data" / "beyond_adam_comparison.json")
    args = parser.parse_args()
    with threadpool_limits(1):
        results = sweep()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
