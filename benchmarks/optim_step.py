"""One optimizer step on N float32 parameters: nnopt vs tf.keras vs the memory-bound limit, side by side.

    python benchmarks/optim_step.py [--n 20000000] [--repeats 7]

The memory-bound time of a step that touches k arrays of N float32 (reads + writes) is k passes at the
machine's copy bandwidth, measured here with ``np.copyto`` (a copy is one read pass and one write pass).
SGD touches 3 (read θ, g; write θ), momentum 5 (read θ, g, v; write θ, v), Adam 7 (read θ, g, m, v; write θ, m, v).
Times are medians over ``--repeats`` runs; the ratios are what to read (these machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up (builds state, traces tf.function)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def copy_pass_time(n: int, repeats: int) -> float:
    """Seconds for one pass (read or write) over n float32, from the copy bandwidth."""
    src, dst = np.ones(n, np.float32), np.empty(n, np.float32)
    return median_time(lambda: np.copyto(dst, src), repeats) / 2


def naive_adam_step(theta, g, m, v, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
    """The five-line textbook version (temporaries everywhere), for comparison."""
    m[:] = b1 * m + (1 - b1) * g
    v[:] = b2 * v + (1 - b2) * g * g
    alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
    theta -= alpha * m / (np.sqrt(v) + eps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=float, default=2e7, help="number of float32 parameters (default 2e7)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-keras", action="store_true", help="skip the TensorFlow measurement")
    args = parser.parse_args()
    n, repeats = int(args.n), args.repeats

    from nnopt import optim

    rng = np.random.default_rng(0)
    grad = rng.standard_normal(n).astype(np.float32)
    one_pass = copy_pass_time(n, repeats)
    print(f"N = {n:.3g} float32 ({n * 4 / 2**20:.0f} MiB per array); copy bandwidth "
          f"{n * 4 / one_pass / 1e9:.1f} GB/s per pass; {repeats} repeats, medians")

    cases = [("SGD", 3, lambda: optim.SGD(1e-3), {"momentum": 0.0}),
             ("momentum", 5, lambda: optim.SGD(1e-3, momentum=0.9), {"momentum": 0.9}),
             ("Adam", 7, lambda: optim.Adam(1e-3), None)]

    keras_times = {}
    if not args.no_keras:
        import tensorflow as tf
        from tensorflow import keras

        for name, _, _, sgd_kwargs in cases:
            var = tf.Variable(rng.standard_normal(n).astype(np.float32))
            g = tf.constant(grad)
            opt = keras.optimizers.SGD(1e-3, **sgd_kwargs) if sgd_kwargs is not None else keras.optimizers.Adam(1e-3)
            opt.build([var])

            @tf.function
            def step(opt=opt, g=g, var=var):
                opt.apply_gradients([(g, var)])

            keras_times[name] = median_time(step, repeats)
            del var, opt, step

    theta = rng.standard_normal(n).astype(np.float32)
    header = f"{'optimizer':<10}{'passes':>7}{'bound ms':>10}{'nnopt ms':>10}{'keras ms':>10}" \
             f"{'nnopt/bound':>13}{'keras/nnopt':>13}"
    print(header)
    print("-" * len(header))
    for name, passes, make, _ in cases:
        opt = make()
        t_nnopt = median_time(lambda opt=opt: opt.step([theta], [grad]), repeats)
        bound = passes * one_pass
        t_keras = keras_times.get(name)
        keras_cols = f"{t_keras * 1e3:>10.1f}" if t_keras else f"{'-':>10}"
        ratio = f"{t_keras / t_nnopt:>13.2f}" if t_keras else f"{'-':>13}"
        print(f"{name:<10}{passes:>7}{bound * 1e3:>10.1f}{t_nnopt * 1e3:>10.1f}{keras_cols}"
              f"{t_nnopt / bound:>13.2f}{ratio}")

    m, v = np.zeros(n, np.float32), np.zeros(n, np.float32)
    t_naive = median_time(lambda: naive_adam_step(theta, grad, m, v, 1), repeats)
    print(f"{'naive Adam':<10}{7:>7}{7 * one_pass * 1e3:>10.1f}{t_naive * 1e3:>10.1f}{'-':>10}"
          f"{t_naive / (7 * one_pass):>13.2f}{'-':>13}")
    print("targets: nnopt Adam <= 3x its bound, and >= 1.5x faster than Keras (keras/nnopt >= 1.5)")


if __name__ == "__main__":
    main()
