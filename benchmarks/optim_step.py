"""One optimizer step on N float32 parameters: nnopt vs tf.keras vs the memory-bound limit, side by side.

    python benchmarks/optim_step.py [--n 20000000] [--repeats 15] [--chunks 262144,1048576] [--threads 1,2]
    python benchmarks/optim_step.py --tiny          # only the cost of a tiny step (2-element float64)

The memory-bound time of a step that touches k arrays of N float32 (reads + writes) is k passes at the
machine's copy bandwidth, measured here with ``np.copyto`` (a copy is one read pass and one write pass).
SGD touches 3 (read θ, g; write θ), momentum 5 (read θ, g, v; write θ, v), Adam 7 (read θ, g, m, v; write
θ, m, v). nnopt also copies each piece of θ and of its state before updating it, so that a failed step can be
undone exactly; that costs memory (one more copy of θ and of the state, printed) and time (included).

Keras runs in its own process (``tf.function``, TensorFlow's default threads), nnopt in this one, which never
imports TensorFlow: loading TensorFlow changes how the process allocates memory, which would change nnopt's
times. The two are timed in turn — a few nnopt steps, a few Keras steps, and again — so that a noisy machine
disturbs both alike, while each runs its steps back to back as in training (the first step of each turn is not
timed: idle threads and cores take a moment to wake up); times are medians, and the last column gives the
quartiles of keras/nnopt over the rounds (how much the ratio moved during the run). Read the ratios. Targets:
nnopt no slower than Keras for each of the three rules, and nnopt's Adam at most 2.2x its memory bound.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import time
import timeit

import numpy as np

CASES = [("SGD", 3, {"momentum": 0.0}), ("momentum", 5, {"momentum": 0.9}), ("Adam", 7, None)]


def cpu_description() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info

        kernel = ", ".join(f"{i['internal_api']} {i.get('architecture', '?')}" for i in threadpool_info())
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        kernel = "unknown BLAS"
    return f"{model}; {os.cpu_count()} CPUs; NumPy {np.__version__} ({kernel})"


def keras_worker(conn, n: int) -> None:
    """In its own process: build the Keras steps, then time one step of case i whenever asked."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    stderr = os.dup(2)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # TensorFlow's start-up notices (oneDNN) ignore the log level
    import tensorflow as tf
    os.dup2(stderr, 2)
    from tensorflow import keras

    rng = np.random.default_rng(1)
    grad = tf.constant(rng.standard_normal(n).astype(np.float32))
    steps = []
    for _, _, sgd_kwargs in CASES:
        var = tf.Variable(rng.standard_normal(n).astype(np.float32))
        opt = keras.optimizers.SGD(1e-3, **sgd_kwargs) if sgd_kwargs is not None else keras.optimizers.Adam(1e-3)
        opt.build([var])

        @tf.function
        def step(opt=opt, var=var):
            opt.apply_gradients([(grad, var)])

        step()  # trace and warm up
        steps.append(step)
    conn.send("ready")
    while (i := conn.recv()) is not None:
        t0 = time.perf_counter()
        steps[i]()
        conn.send(time.perf_counter() - t0)


def copy_pass_time(n: int, repeats: int) -> float:
    """Seconds for one pass (read or write) over n float32, from the copy bandwidth."""
    src, dst = np.ones(n, np.float32), np.empty(n, np.float32)
    return min(timeit.repeat(lambda: np.copyto(dst, src), number=1, repeat=repeats)) / 2


def spread(keras: list[float], nnopt: list[float]) -> str:
    """The quartiles of keras/nnopt over the rounds (each round's two timed steps of each, summed): how much
    the ratio moves on this machine while the run lasts."""
    ratios = [sum(keras[i:i + 2]) / sum(nnopt[i:i + 2]) for i in range(0, len(nnopt), 2)]
    q1, _, q3 = statistics.quantiles(ratios, n=4)
    return f"{q1:.2f}-{q3:.2f}"


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
    parser.add_argument("--chunks", default="", help="comma-separated piece sizes in bytes (default: nnopt's)")
    parser.add_argument("--threads", default="", help="comma-separated thread counts (default: nnopt's)")
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

    conn = None
    if not args.no_keras:
        conn, child = mp.get_context("spawn").Pipe()
        worker = mp.get_context("spawn").Process(target=keras_worker, args=(child, n), daemon=True)
        worker.start()
        assert conn.recv() == "ready"

    rng = np.random.default_rng(0)
    grad = rng.standard_normal(n).astype(np.float32)
    one_pass = copy_pass_time(n, repeats)
    print(f"N = {n:.3g} float32 ({n * 4 / 2**20:.0f} MiB per array); copy bandwidth "
          f"{n * 4 / one_pass / 1e9:.1f} GB/s per pass; {repeats} interleaved repeats, medians")
    chunks = [int(c) for c in args.chunks.split(",") if c] or [None]  # None: each optimizer's own
    threads = [int(t) for t in args.threads.split(",") if t] or [optim.Optimizer.threads]
    variants = [(c, t) for c in chunks for t in threads]

    header = (f"{'optimizer':<10}{'piece':>8}{'threads':>8}{'bound ms':>10}{'nnopt ms':>10}{'keras ms':>10}"
              f"{'nnopt/bound':>13}{'keras/bound':>13}{'keras/nnopt':>13}{'rounds q1-q3':>14}")
    print(header)
    print("-" * len(header))
    for i, (name, passes, sgd_kwargs) in enumerate(CASES):
        theta = rng.standard_normal(n).astype(np.float32)
        opts = {}
        for chunk, nthreads in variants:
            opt = optim.Adam(1e-3) if sgd_kwargs is None else optim.SGD(1e-3, **sgd_kwargs)
            opt.chunk_bytes, opt.threads = chunk or opt.chunk_bytes, nthreads
            opt.step([theta], [grad])  # builds the state
            opts[chunk, nthreads] = opt
        times = {key: [] for key in [*opts, "keras"]}
        for _ in range(repeats):  # rounds; in each, three steps back to back per contender, the first not timed
            for key, opt in opts.items():
                for k in range(3):
                    t0 = time.perf_counter()
                    opt.step([theta], [grad])
                    if k:
                        times[key].append(time.perf_counter() - t0)
            if conn is not None:
                for k in range(3):
                    conn.send(i)
                    t = conn.recv()
                    if k:
                        times["keras"].append(t)
        bound = passes * one_pass
        t_keras = statistics.median(times["keras"]) if conn is not None else None
        for chunk, nthreads in opts:
            t = statistics.median(times[chunk, nthreads])
            keras_cols = (f"{t_keras * 1e3:>10.1f}", f"{t_keras / bound:>13.2f}", f"{t_keras / t:>13.2f}",
                          f"{spread(times['keras'], times[chunk, nthreads]):>14}") \
                if t_keras else (f"{'-':>10}", f"{'-':>13}", f"{'-':>13}", "")
            piece = opts[chunk, nthreads].chunk_bytes
            print(f"{name:<10}{piece:>8}{nthreads or os.cpu_count():>8}{bound * 1e3:>10.1f}{t * 1e3:>10.1f}"
                  f"{keras_cols[0]}{t / bound:>13.2f}{keras_cols[1]}{keras_cols[2]}{keras_cols[3]}")
        opt = next(iter(opts.values()))
        saved = sum(a.nbytes for a in opt._saved[0])
        state = sum(a.nbytes for a in opt.state[0].values())
        print(f"{'':<10}memory: state {state / 2**20:.0f} MiB, copies kept to undo a failed step "
              f"{saved / 2**20:.0f} MiB")
        del opts
    if conn is not None:
        conn.send(None)
    print("targets: keras/nnopt >= 1 for SGD, momentum and Adam; nnopt/bound <= 2.2 for Adam")


if __name__ == "__main__":
    main()
