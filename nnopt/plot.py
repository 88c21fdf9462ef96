"""Plots in one house style: contours with trajectories, loss curves, learning-rate sweeps.

Every function draws on ``ax`` (a new figure when None) and returns the Axes. In a notebook, end the
cell with ``plt.show()`` so that no object repr becomes an output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["STYLE", "MAX_WIDTH", "use_style", "axes", "contour", "trajectories", "loss_curves", "lr_sweep", "COLORS"]

MAX_WIDTH = 7.6  # inches: the width of a page of the book at 100 px per inch

COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]  # Okabe-Ito

STYLE = {
    # 100 px per inch on screen; notebooks store every figure at twice that ("retina", see use_style), so
    # lines and text stay sharp on high-density screens. Text sizes are in points at the displayed size.
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "axes.prop_cycle": mpl.cycler(color=COLORS),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
}


def use_style() -> None:
    """Apply the house style (called on import of :mod:`nnopt.plot`).

    In a Jupyter kernel with the inline backend, figures are also stored at twice their displayed
    resolution (IPython's "retina" format), so that they stay sharp on high-density screens.
    """
    mpl.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - outside IPython there is nothing to configure
        return
    if get_ipython() is not None and "inline" in mpl.get_backend():
        set_matplotlib_formats("retina")


use_style()


def axes(ncols: int = 1, nrows: int = 1, width: float = 3.8, height: float = 3.2, **kwargs):
    """A figure with a grid of Axes sized per panel (inches): ``fig, axs = axes(2)``.

    Keep ``width * ncols`` at most ``MAX_WIDTH`` inches (a page of the book is about that wide), so that the
    figure is shown at its own size and its text at the size of the style.
    """
    return plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=True,
                        layout="constrained", **kwargs)


def _ax(ax):
    return ax if ax is not None else plt.subplots(layout="constrained")[1]


def contour(objective, xlim: Sequence[float], ylim: Sequence[float], ax=None, levels: int = 25,
            log: bool = True, n: int = 200):
    """Filled-free contour lines of a 2-D objective over ``xlim`` × ``ylim``; log-spaced levels by default."""
    ax = _ax(ax)
    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    z = objective.value(grid)
    if log:
        base = objective.f_min if objective.f_min is not None else z.min()
        gap = z - base
        z = np.log10(gap + 1e-3 * (np.ptp(gap) + 1e-12))
    ax.contour(xs, ys, z, levels=levels, cmap="Greys_r", linewidths=0.7, alpha=0.8)
    if getattr(objective, "minimum", None) is not None and np.size(objective.minimum) == 2:
        ax.plot(*objective.minimum, marker="*", color="k", markersize=11, linestyle="none", zorder=5)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    return ax


def trajectories(objective, paths: Mapping[str, np.ndarray], xlim: Sequence[float], ylim: Sequence[float],
                 ax=None, title: str | None = None, markers: bool = True, **contour_kwargs):
    """Contours of ``objective`` with one labelled path (array (k, 2)) per entry of ``paths``."""
    ax = contour(objective, xlim, ylim, ax=ax, **contour_kwargs)
    for color, (label, path) in zip(COLORS, paths.items()):
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], color=color, label=label, marker="o" if markers else None,
                markersize=2.5, linewidth=1.2)
        ax.plot(*path[0], marker="s", color=color, markersize=5)
    if paths:
        ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return ax


def loss_curves(curves: Mapping[str, Sequence[float]], ax=None, log: bool = True, xlabel: str = "step",
                ylabel: str = "loss", title: str | None = None, x: Mapping[str, Sequence[float]] | None = None):
    """One line per entry of ``curves``; log-scaled y by default. ``x`` gives per-curve x values (e.g. seconds)."""
    ax = _ax(ax)
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        xs = np.asarray(x[label]) if x is not None else np.arange(len(values))
        ax.plot(xs, values, label=label)
    return _finish(ax, xlabel, ylabel, title, log_y=log, legend=len(curves) > 1)


def lr_sweep(learning_rates: Sequence[float], results: Mapping[str, Sequence[float]] | Sequence[float], ax=None,
             ylabel: str = "final loss", log_y: bool = True, title: str | None = None):
    """A metric against the learning rate (log x axis); ``results`` is one sequence or a dict of them."""
    ax = _ax(ax)
    if not isinstance(results, Mapping):
        results = {"": results}
    for label, values in results.items():
        ax.plot(learning_rates, values, marker="o", label=label or None)
    ax.set_xscale("log")
    return _finish(ax, "learning rate", ylabel, title, log_y=log_y, legend=len(results) > 1)


def _finish(ax, xlabel: str, ylabel: str, title: str | None, log_y: bool, legend: bool):
    """Scale, labels, title and legend of the line plots, in the house style."""
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="best")
    return ax
