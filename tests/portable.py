"""Run the notebook check under numerical kernels other than this processor's own (`make test-portable`).

NumPy's OpenBLAS picks a kernel per CPU (SkylakeX, Haswell, Sandybridge, ...), and TensorFlow's oneDNN an
instruction set (AVX-512, AVX2, SSE4.1). Different kernels sum in different orders and with or without fused
multiply-add, so a printed round-off residual changes its digits from one processor to the next. Both libraries
can be told to use an older kernel, which lets one machine show what another would print:

    OPENBLAS_CORETYPE=Sandybridge ONEDNN_MAX_CPU_ISA=SSE41

This script detects the native OpenBLAS kernel (threadpoolctl), picks the kernel most different from it that the
CPU can execute (no FMA if the native one has it, else an FMA kernel), checks that the setting really takes effect,
and runs the given command (the notebook check) under it:

    python tests/portable.py -- python -m pytest --nbval ... book/*.ipynb

PORTABLE_KERNELS="Haswell SkylakeX Sandybridge" runs the command once per named kernel instead (a kernel the CPU
cannot execute is skipped, with the reason). Exit status: non-zero if any run failed.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time

# OpenBLAS core type -> the /proc/cpuinfo flags it needs
OPENBLAS_NEEDS = {
    "Sandybridge": {"avx"},
    "Haswell": {"avx2", "fma"},
    "SkylakeX": {"avx512f", "avx512bw", "avx512dq", "avx512vl"},
}
FMA_KERNELS = {"haswell", "skylakex", "cooperlake", "sapphirerapids", "zen"}
# oneDNN's oldest x86-64 instruction set: the most different from AVX2/AVX-512 kernels
ONEDNN_ISA, ONEDNN_NEEDS, ONEDNN_REPORTS = "SSE41", {"sse4_1"}, "SSE4.1"

PROBE_OPENBLAS = ("import numpy, threadpoolctl; print(*[i.get('architecture') for i in "
                  "threadpoolctl.threadpool_info() if i['internal_api'] == 'openblas'])")
PROBE_ONEDNN = ("import os; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'; import tensorflow as tf; "
                "a = tf.ones((8, 8)); tf.matmul(a, a).numpy()")


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def run_probe(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return done.stdout + done.stderr


def openblas_kernel(env: dict[str, str]) -> str:
    return run_probe(PROBE_OPENBLAS, env).strip()


def choose(native: str, flags: set[str]) -> list[str]:
    """The kernel most different from the native one: no FMA against an FMA kernel, and vice versa."""
    order = ["Sandybridge", "Haswell"] if native.lower() in FMA_KERNELS else ["Haswell", "SkylakeX"]
    for kernel in order:
        if kernel.lower() != native.lower() and OPENBLAS_NEEDS[kernel] <= flags:
            return [kernel]
        missing = " ".join(sorted(OPENBLAS_NEEDS[kernel] - flags))
        reason = "native kernel" if kernel.lower() == native.lower() else f"the CPU lacks {missing}"
        print(f"portable: skipping OpenBLAS {kernel}: {reason}")
    return []


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print(__doc__)
        return 2
    command = argv[argv.index("--") + 1:]
    base = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "ONEDNN_MAX_CPU_ISA")}
    native = openblas_kernel(base)
    flags = cpu_flags()
    print(f"portable: native OpenBLAS kernel {native or '(none found)'}")
    if platform.machine() not in ("x86_64", "AMD64") or not flags:
        print(f"portable: skipped: the kernels forced here are x86-64 ones ({platform.machine()})")
        return 0
    requested = os.environ.get("PORTABLE_KERNELS", "").split()
    kernels = [k for k in requested if OPENBLAS_NEEDS.get(k, set()) <= flags] if requested else choose(native, flags)
    for k in requested:
        if k not in OPENBLAS_NEEDS:
            print(f"portable: unknown kernel {k}; known: {' '.join(OPENBLAS_NEEDS)}")
            return 2
        if k not in kernels:
            print(f"portable: skipping OpenBLAS {k}: the CPU lacks {' '.join(sorted(OPENBLAS_NEEDS[k] - flags))}")
    if not kernels:
        print("portable: skipped: no other OpenBLAS kernel this CPU can execute")
        return 0

    onednn = ONEDNN_NEEDS <= flags
    if not onednn:
        print(f"portable: oneDNN left at its default: the CPU lacks {' '.join(sorted(ONEDNN_NEEDS - flags))}")
    failed = []
    for kernel in kernels:
        env = dict(base, OPENBLAS_CORETYPE=kernel)
        if onednn:
            env["ONEDNN_MAX_CPU_ISA"] = ONEDNN_ISA
        got = openblas_kernel(env)
        if got.lower() != kernel.lower():
            print(f"portable: OPENBLAS_CORETYPE={kernel} did not take effect (threadpoolctl reports {got!r})")
            return 1
        setting = f"OPENBLAS_CORETYPE={kernel}"
        if onednn:
            out = run_probe(PROBE_ONEDNN, dict(env, ONEDNN_VERBOSE="1"))
            if f"isa:Intel {ONEDNN_REPORTS}" not in out and "No module named 'tensorflow'" not in out:
                print(f"portable: ONEDNN_MAX_CPU_ISA={ONEDNN_ISA} did not take effect:\n{out[-2000:]}")
                return 1
            setting += f" ONEDNN_MAX_CPU_ISA={ONEDNN_ISA}"
        print(f"portable: running the notebook check with {setting} (threadpoolctl: {got})", flush=True)
        start = time.monotonic()
        code = subprocess.run(command, env=env).returncode
        print(f"portable: {setting}: {'passed' if code == 0 else 'FAILED'} in {time.monotonic() - start:.0f} s",
              flush=True)
        if code:
            failed.append(setting)
    if failed:
        print("portable: outputs differ under " + "; ".join(failed) + " (see CONTRIBUTING.md, Reproducible outputs)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
