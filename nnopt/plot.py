"""Plots in one house style: contours with trajectories, loss curves, learning-rate sweeps.

Every function draws on ``ax`` (a new figure when None) and returns the Axes. In a notebook, end the
cell with ``plt.show()`` so that no object repr becomes an output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["STYLE", "MAX_WIDTH", "use_style", "axes", "contour", "trajectories", "loss_curves", "lr_sweep", "COLORS",
           "neuron_diagram", "network_diagram", "backprop_graph"]

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
    """Contour lines (not filled) of a 2-D objective over ``xlim`` × ``ylim``; log-spaced levels by default."""
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


# ----------------------------------------------------------------------------------------------------------------
# Diagrams: a neuron, a layer, a network, and the computational graph of backpropagation. Every drawn node is a
# Circle patch and every connection an annotation whose ``gid`` names it ("node:x1", "edge:x1->sum", ...), so
# that a test can count what was drawn.

_NODE_RADIUS = 0.22
_BACKWARD_COLOR = COLORS[1]


def _diagram_ax(ax, width: float, height: float):
    if ax is None:
        ax = plt.subplots(figsize=(width, height), layout="constrained")[1]
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _node(ax, xy, text: str, name: str, color: str = "white", radius: float = _NODE_RADIUS, fontsize: float = 11):
    circle = mpl.patches.Circle(xy, radius, facecolor=color, edgecolor="0.2", linewidth=1.2, zorder=3,
                                gid=f"node:{name}")
    ax.add_patch(circle)
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=4)
    return circle


def _arrow(ax, start, end, name: str, color: str = "0.35", linewidth: float = 1.0, shrink: float = _NODE_RADIUS,
           rad: float = 0.0, kind: str = "edge"):
    """An arrow from ``start`` to ``end`` (centres of nodes of radius ``shrink``), ``gid`` = ``kind:name``."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    unit = (end - start) / np.linalg.norm(end - start)
    return ax.annotate("", xy=end - shrink * unit, xytext=start + shrink * unit, gid=f"{kind}:{name}",
                       arrowprops=dict(arrowstyle="-|>", color=color, linewidth=linewidth, shrinkA=0, shrinkB=0,
                                       mutation_scale=10, connectionstyle=f"arc3,rad={rad}"))


def _check_sizes(sizes, name: str = "sizes", minimum: int = 2) -> tuple[int, ...]:
    sizes = tuple(sizes)
    if len(sizes) < minimum or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1
                                   for n in sizes):
        raise ValueError(f"{name} must list at least {minimum} positive integer layer widths, input first, got "
                         f"{sizes!r}; pass e.g. {name}=(2, 8, 8, 1)")
    return tuple(int(n) for n in sizes)


def neuron_diagram(d: int = 3, ax=None, activation: str = r"\varphi"):
    r"""One neuron, :math:`a = \varphi(w^\top x + b)`: inputs :math:`x_1, \dots, x_d`, weights on the edges,
    the bias, the sum node and the activation.

    Parameters
    ----------
    d
        Number of inputs (1 to 6).
    ax
        Axes to draw on (a new figure when None).
    activation
        Mathtext symbol of the activation, e.g. ``r"\varphi"`` or ``r"\tanh"``.

    Returns
    -------
    The Axes. Nodes carry ``gid`` ``node:x1``…, ``node:bias``, ``node:sum``, ``node:activation``, ``node:output``;
    edges ``edge:x1->sum``….
    """
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not 1 <= d <= 6:
        raise ValueError(f"d must be an integer number of inputs from 1 to 6, got {d!r}; pass e.g. d=3")
    ax = _diagram_ax(ax, 6.0, 2.8)
    ys = np.linspace(1.0, -1.0, d) if d > 1 else np.zeros(1)
    sum_xy, act_xy, out_xy, bias_xy = (2.6, 0.0), (4.0, 0.0), (5.4, 0.0), (2.6, 1.35)
    for j, y in enumerate(ys, start=1):
        _node(ax, (0.0, y), f"$x_{j}$", f"x{j}", color="#DDEEFF")
        _arrow(ax, (0.0, y), sum_xy, f"x{j}->sum")
        t = 0.42
        ax.text(t * 2.6, (1 - t) * y + 0.12, f"$w_{j}$", ha="center", va="bottom", fontsize=10, color="0.2")
    _node(ax, bias_xy, "$b$", "bias", color="#EEEEEE")
    _arrow(ax, bias_xy, sum_xy, "bias->sum")
    _node(ax, sum_xy, r"$\Sigma$", "sum", radius=0.3)
    _node(ax, act_xy, f"${activation}$", "activation", radius=0.3, color="#FFF2CC")
    _node(ax, out_xy, "$a$", "output", color="#DDF2E6")
    _arrow(ax, sum_xy, act_xy, "sum->activation", shrink=0.3)
    _arrow(ax, act_xy, out_xy, "activation->output", shrink=0.3)
    ax.text(3.3, -0.42, r"$z = w^\top x + b$", ha="center", va="top", fontsize=10)
    ax.text(4.7, -0.42, r"$a = " + activation + "(z)$", ha="center", va="top", fontsize=10)
    ax.text(0.0, -1.55, "inputs", ha="center", va="top", fontsize=10)
    ax.set_xlim(-0.5, 5.9)
    ax.set_ylim(-1.9, 1.8)
    return ax


def network_diagram(sizes, ax=None, layer_names: Sequence[str] | None = None, max_nodes: int = 8,
                    title: str | None = None):
    """The nodes (neurons) and connections (weights) of a fully connected network ``sizes[0] -> ... -> sizes[-1]``,
    each layer labelled (by default "input layer", "hidden layer 1", …, "output layer").

    Parameters
    ----------
    sizes
        Layer widths, input first, e.g. ``(2, 8, 8, 1)``; a single layer of neurons is ``(d, m)``.
    ax
        Axes to draw on (a new figure when None).
    layer_names
        One label per entry of ``sizes``; None for the default names.
    max_nodes
        Widest layer that is drawn in full (1 to 16); wider layers raise ``ValueError``.
    title
        Optional title.

    Returns
    -------
    The Axes. Node ``j`` of layer ``l`` carries ``gid`` ``node:l.j``; the connection of weight
    :math:`(W_l)_{ij}` is a line with ``gid`` ``edge:l.i->j`` (l = 1 … D).
    """
    sizes = _check_sizes(sizes)
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, (int, np.integer)) or not 1 <= max_nodes <= 16:
        raise ValueError(f"max_nodes must be an integer from 1 to 16, got {max_nodes!r}; pass e.g. max_nodes=8")
    if max(sizes) > max_nodes:
        raise ValueError(f"sizes {sizes} has a layer of {max(sizes)} nodes, more than max_nodes={max_nodes} can "
                         f"draw legibly; draw a smaller network or pass max_nodes={min(max(sizes), 16)} (at most 16)")
    if layer_names is None:
        hidden = len(sizes) - 2
        layer_names = (["input layer"] + [f"hidden layer {i}" if hidden > 1 else "hidden layer"
                                          for i in range(1, hidden + 1)] + ["output layer"])
    layer_names = list(layer_names)
    if len(layer_names) != len(sizes):
        raise ValueError(f"layer_names must give one name per layer ({len(sizes)}), got {len(layer_names)}; "
                         f"pass e.g. layer_names={['inputs'] + ['layer'] * (len(sizes) - 1)!r}")
    ax = _diagram_ax(ax, min(MAX_WIDTH, 1.9 * len(sizes) + 0.4), 0.42 * max(sizes) + 1.3)
    gap, radius = 2.0, 0.17
    heights = [np.linspace((n - 1) / 2, -(n - 1) / 2, n) * 0.55 for n in sizes]
    fills = ["#DDEEFF"] + ["#FFF2CC"] * (len(sizes) - 2) + ["#DDF2E6"]
    for layer in range(1, len(sizes)):
        for i, y_in in enumerate(heights[layer - 1], start=1):
            for j, y_out in enumerate(heights[layer], start=1):
                ax.add_line(mpl.lines.Line2D([gap * (layer - 1), gap * layer], [y_in, y_out], color="0.55",
                                            linewidth=0.6, zorder=1, gid=f"edge:{layer}.{i}->{j}"))
    bottom = min(h[-1] for h in heights) - 0.45
    for layer, (n, ys) in enumerate(zip(sizes, heights)):
        for j, y in enumerate(ys, start=1):
            ax.add_patch(mpl.patches.Circle((gap * layer, y), radius, facecolor=fills[layer], edgecolor="0.2",
                                            linewidth=1.0, zorder=3, gid=f"node:{layer}.{j}"))
        ax.text(gap * layer, bottom, f"{layer_names[layer]}\n({n} {'unit' if n == 1 else 'units'})", ha="center",
                va="top", fontsize=10)
        if layer > 0:
            ax.text(gap * (layer - 0.5), max(h[0] for h in heights) + 0.3, f"$W_{layer}, b_{layer}$", ha="center",
                    va="bottom", fontsize=10, color="0.3")
    ax.set_xlim(-0.9, gap * (len(sizes) - 1) + 0.9)
    ax.set_ylim(bottom - 0.8, max(h[0] for h in heights) + 0.75)
    if title:
        ax.set_title(title)
    return ax


# name: (position, label, fill)
_GRAPH_NODES = {
    "X": ((0.0, 0.0), "$X$", "#DDEEFF"), "W1": ((1.3, 1.4), "$W_1$", "#EEEEEE"),
    "b1": ((2.7, 1.4), "$b_1$", "#EEEEEE"), "Z1": ((2.0, 0.0), "$Z_1$", "white"),
    "A1": ((4.0, 0.0), "$A_1$", "white"), "W2": ((5.3, 1.4), "$W_2$", "#EEEEEE"),
    "b2": ((6.7, 1.4), "$b_2$", "#EEEEEE"), "Z2": ((6.0, 0.0), "$Z_2$", "white"),
    "Y": ((8.0, -1.4), "$Y$", "#DDEEFF"), "J": ((8.0, 0.0), "$J$", "#DDF2E6"),
}
# (from, to, label of the forward edge, where the label goes: (x, y, va))
_GRAPH_FORWARD = [
    ("X", "Z1", r"$Z_1 = XW_1 + b_1$", (1.0, -0.12, "top")), ("W1", "Z1", "", None), ("b1", "Z1", "", None),
    ("Z1", "A1", r"$A_1 = \tanh(Z_1)$", (3.0, 0.1, "bottom")),
    ("A1", "Z2", r"$Z_2 = A_1W_2 + b_2$", (5.0, 0.1, "bottom")),
    ("W2", "Z2", "", None), ("b2", "Z2", "", None), ("Z2", "J", r"$J = \mathrm{BCE}(Z_2, Y)$", (7.0, 0.1, "bottom")),
    ("Y", "J", "", None),
]
# (from, to, gradient that flows, i.e. dJ/d(to))
_GRAPH_BACKWARD = [
    ("J", "Z2", r"$\partial J/\partial Z_2$"), ("Z2", "W2", r"$\partial J/\partial W_2$"),
    ("Z2", "b2", r"$\partial J/\partial b_2$"), ("Z2", "A1", r"$\partial J/\partial A_1$"),
    ("A1", "Z1", r"$\partial J/\partial Z_1$"), ("Z1", "W1", r"$\partial J/\partial W_1$"),
    ("Z1", "b1", r"$\partial J/\partial b_1$"),
]


def backprop_graph(ax=None):
    r"""The computational graph of a two-layer network with a binary cross-entropy loss: the forward pass
    :math:`Z_1 = XW_1 + b_1`, :math:`A_1 = \tanh(Z_1)`, :math:`Z_2 = A_1W_2 + b_2`, :math:`J = \mathrm{BCE}(Z_2, Y)`
    (grey arrows, left to right) and the backward pass (coloured arrows, right to left), each backward arrow
    labelled with the gradient :math:`\partial J/\partial\,\cdot` it delivers to its target.

    Parameters
    ----------
    ax
        Axes to draw on (a new figure when None).

    Returns
    -------
    The Axes. Nodes carry ``gid`` ``node:<name>`` (X, W1, b1, Z1, A1, W2, b2, Z2, Y, J); forward arrows
    ``forward:<from>-><to>``, backward arrows ``backward:<from>-><to>``.
    """
    ax = _diagram_ax(ax, MAX_WIDTH, 3.4)
    for name, (xy, label, fill) in _GRAPH_NODES.items():
        _node(ax, xy, label, name, color=fill, radius=0.3)
    for start, end, label, where in _GRAPH_FORWARD:
        _arrow(ax, _GRAPH_NODES[start][0], _GRAPH_NODES[end][0], f"{start}->{end}", shrink=0.3, kind="forward")
        if label:
            ax.text(where[0], where[1], label, ha="center", va=where[2], fontsize=10, color="0.25")
    for start, end, label in _GRAPH_BACKWARD:
        p, q = np.array(_GRAPH_NODES[start][0]), np.array(_GRAPH_NODES[end][0])
        if p[1] == q[1]:  # along the chain: an arc below it, the label under the arc
            _arrow(ax, p, q, f"{start}->{end}", color=_BACKWARD_COLOR, linewidth=1.4, shrink=0.3, rad=-0.5,
                   kind="backward")
            ax.text((p[0] + q[0]) / 2, -0.55, label, ha="center", va="top", fontsize=10, color=_BACKWARD_COLOR)
        else:  # up to a parameter: an arc beside the forward arrow, the label beside the parameter
            left = q[0] < p[0]
            _arrow(ax, p, q, f"{start}->{end}", color=_BACKWARD_COLOR, linewidth=1.4, shrink=0.3,
                   rad=-0.3 if left else 0.3, kind="backward")
            ax.text(q[0] + (-0.36 if left else 0.36), q[1], label, ha="right" if left else "left", va="center",
                    fontsize=10, color=_BACKWARD_COLOR)
    ax.plot([], [], color="0.35", label="forward: values")
    ax.plot([], [], color=_BACKWARD_COLOR, linewidth=1.4, label=r"backward: gradients $\partial J/\partial\,\cdot$")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 0.0))
    ax.set_xlim(-0.45, 8.45)
    ax.set_ylim(-1.8, 1.8)
    return ax
