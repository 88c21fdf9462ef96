"""One optimizer step on N float32 parameters: nnopt vs tf.keras vs the memory-bound limit, side by side.

    python benchmarks/optim_step.py [--n 20000000] [--repeats 15] [--chunks 16384,32768,65536]
    python benchmarks/optim_step.py --tiny          # only the cost of a tiny step (2-element float64)

The memory-bound time of a step that touches k arrays of N float32 (reads + writes) is k passes at the
machine's copy bandwidth, measured here with ``np.copyto`` (a copy is one read pass and one write pass).
SGD touches 3 (read θ, g; write θ), momentum 5 (read θ, g, v; write θ, v), Adam 7 (read θ, g, m, v; write
θ, m, v). nnopt also copies each piece of θ and its state before updating it, so that a failed step can be
undone exactly; that costs memory (one more copy of θ and of the state) and time, both printed.

The measurements are interleaved (nnopt, Keras, nnopt, Keras, ...) so that a noisy machine disturbs both
alike; times are medians. Read the ratios. Targets: nnopt no slower than Keras for each of the three rules,
and nnopt's Adam at most 2.2x its memory bound.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import timeit

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def cpu_description() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info

        kernel = ", ".join(f"{i['internal_api']} {i.get('architecture', '?')}" for i in threadpool_info())
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        kernel = "unknown BLAS"
    return f"{model}; {os.cpu_count()} CPUs; NumPy {np.__version__} ({kernel})"


def interleaved_medians(fns: dict, repeats: int) -> dict:
    """Median seconds of each function, run round-robin ``repeats`` times after one warm-up each."""
    for fn in fns.values():
        fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(t) for name, t in times.items()}


def copy_pass_time(n: int, repeats: int) -> float:
    """Seconds for one pass (read or write) over n float32, from the copy bandwidth."""
    src, dst = np.ones(n, np.float32), np.empty(n, np.float32)
    return interleaved_medians({"copy": lambda: np.copyto(dst, src)}, repeats)["copy"] / 2


def tiny_step_us() -> dict:
    """Microseconds per step of 2-element float64 parameters (best of 5 runs of 20,000 steps)."""
    from nnopt import optim

    out = {}
    for name, opt in [("Adam", optim.Adam(1e-3)), ("SGD", optim.SGD(1e-3)),
                      ("SGD momentum", optim.SGD(1e-3, momentum=0.9))]:
        theta, g = np.array([1.0, 2.0]), np.array([0.1, -0.2])
        opt.step([theta], [g])
        runs = timeit.repeat(lambda opt=opt, theta=theta, g=g: opt.step([theta], [g]), number=20000, repeat=5)
        out[name] = min(runs) / 20000 * 1e6
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=float, default=2e7, help="number of float32 parameters (default 2e7)")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--chunks", default="", help="comma-separated chunk sizes to compare (default: nnopt's)")
    parser.add_argument("--no-keras", action="store_true", help="skip the TensorFlow measurement")
    parser.add_argument("--tiny", action="store_true", help="only measure the cost of a tiny step")
    args = parser.parse_args()
    n, repeats = int(args.n), args.repeats

    from nnopt import optim

    print(cpu_description())
    tiny = tiny_step_us()
    print("tiny step (2-element float64): " + ", ".join(f"{k} {v:.1f} µs" for k, v in tiny.items()))
    if args.tiny:
        return

    rng = np.random.default_rng(0)
    grad = rng.standard_normal(n).astype(np.float32)
    one_pass = copy_pass_time(n, repeats)
    print(f"N = {n:.3g} float32 ({n * 4 / 2**20:.0f} MiB per array); copy bandwidth "
          f"{n * 4 / one_pass / 1e9:.1f} GB/s per pass; {repeats} interleaved repeats, medians")

    cases = [("SGD", 3, lambda: optim.SGD(1e-3), {"momentum": 0.0}),
             ("momentum", 5, lambda: optim.SGD(1e-3, momentum=0.9), {"momentum": 0.9}),
             ("Adam", 7, lambda: optim.Adam(1e-3), None)]
    chunks = [int(c) for c in args.chunks.split(",") if c] or [optim.Optimizer.chunk_size]

    keras = tf = None
    if not args.no_keras:
        import tensorflow as tf
        from tensorflow import keras

    header = (f"{'optimizer':<10}{'chunk':>7}{'bound ms':>10}{'nnopt ms':>10}{'keras ms':>10}"
              f"{'nnopt/bound':>13}{'keras/bound':>13}{'keras/nnopt':>13}")
    print(header)
    print("-" * len(header))
    for name, passes, make, sgd_kwargs in cases:
        fns = {}
        theta = rng.standard_normal(n).astype(np.float32)
        opts = {}
        for chunk in chunks:
            opt = make()
            opt.chunk_size = chunk
            opts[chunk] = opt
            fns[chunk] = lambda opt=opt, theta=theta: opt.step([theta], [grad])
        if keras is not None:
            var = tf.Variable(rng.standard_normal(n).astype(np.float32))
            g = tf.constant(grad)
            kopt = keras.optimizers.SGD(1e-3, **sgd_kwargs) if sgd_kwargs is not None else keras.optimizers.Adam(1e-3)
            kopt.build([var])

            @tf.function
            def keras_step(kopt=kopt, g=g, var=var):
                kopt.apply_gradients([(g, var)])

            fns["keras"] = keras_step
        med = interleaved_medians(fns, repeats)
        bound = passes * one_pass
        t_keras = med.get("keras")
        for chunk in chunks:
            t = med[chunk]
            keras_cols = (f"{t_keras * 1e3:>10.1f}", f"{t_keras / bound:>13.2f}", f"{t_keras / t:>13.2f}") \
                if t_keras else (f"{'-':>10}", f"{'-':>13}", f"{'-':>13}")
            print(f"{name:<10}{chunk:>7}{bound * 1e3:>10.1f}{t * 1e3:>10.1f}{keras_cols[0]}{t / bound:>13.2f}"
                  f"{keras_cols[1]}{keras_cols[2]}")
        saved = sum(a.nbytes for a in opts[chunks[0]]._saved[0])
        state = sum(a.nbytes for a in opts[chunks[0]].state[0].values())
        print(f"{'':<10}memory: state {state / 2**20:.0f} MiB, copies kept to undo a failed step "
              f"{saved / 2**20:.0f} MiB")
        del fns, opts
    print("targets: keras/nnopt >= 1 for SGD, momentum and Adam; nnopt/bound <= 2.2 for Adam")


if __name__ == "__main__":
    main()
