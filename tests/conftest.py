"""Shared pytest configuration: the notebook figure check and a headless, stable environment."""

import os

import matplotlib

# The figure check for notebooks run by nbval (see nbval_figures.py); it applies to every
# notebook cell nbval collects, e.g. `pytest --nbval book/`, and adds its options.
pytest_plugins = ["nbval_figures"]

# This pytest process never shows a window.
matplotlib.use("Agg")

# nbval's kernels inherit this environment. A kernel started with MPLBACKEND=Agg would draw no inline
# figures at all (ipykernel only selects its inline backend when MPLBACKEND is unset), so every
# stored figure would count as missing. Keep it out of the kernels' environment.
os.environ.pop("MPLBACKEND", None)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
