"""The diagrams of nnopt.plot draw what they claim: one node per neuron, one connection per weight, and the
computational graph's forward and backward arrows; bad sizes raise an error that names the argument."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnopt import nn  # noqa: E402
from nnopt import plot as nplot  # noqa: E402


def gids(ax, prefix):
    """The gids starting with ``prefix`` of everything drawn on ``ax``."""
    found = [artist.get_gid() for artist in ax.findobj() if (artist.get_gid() or "").startswith(prefix)]
    return sorted(found)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("sizes", [(2, 8, 8, 1), (3, 4), (4, 5, 3), (1, 1)])
def test_network_diagram_draws_one_node_per_neuron_and_one_edge_per_weight(sizes):
    ax = nplot.network_diagram(sizes)
    model = nn.MLP(sizes, seed=0)
    n_weights = sum(model.params[f"W{i}"].size for i in range(1, model.n_layers + 1))
    assert len(gids(ax, "node:")) == sum(sizes)
    assert len(gids(ax, "edge:")) == n_weights
    for layer, n in enumerate(sizes):
        assert len(gids(ax, f"node:{layer}.")) == n


def test_network_diagram_labels_the_layers():
    ax = nplot.network_diagram((2, 8, 8, 1))
    texts = " ".join(t.get_text() for t in ax.texts)
    for name in ("input layer", "hidden layer 1", "hidden layer 2", "output layer"):
        assert name in texts
    assert "hidden layer 3" not in texts


def test_network_diagram_edges_connect_consecutive_layers_only():
    ax = nplot.network_diagram((3, 2, 2))
    edges = gids(ax, "edge:")
    assert "edge:1.3->2" in edges and "edge:2.2->2" in edges and "edge:3.1->1" not in edges


@pytest.mark.parametrize("d", [1, 3, 6])
def test_neuron_diagram_has_d_inputs_a_bias_and_one_output(d):
    ax = nplot.neuron_diagram(d)
    assert gids(ax, "node:x") == sorted(f"node:x{j}" for j in range(1, d + 1))
    assert len(gids(ax, "edge:")) == d + 3  # d weights, the bias, sum -> activation -> output
    assert gids(ax, "node:output") == ["node:output"]


def test_backprop_graph_has_the_forward_and_backward_arrows():
    ax = nplot.backprop_graph()
    assert len(gids(ax, "node:")) == 10
    assert len(gids(ax, "forward:")) == 9
    backward = gids(ax, "backward:")
    # every parameter and every intermediate quantity receives a gradient; the data X and Y do not
    targets = {g.split("->")[1] for g in backward}
    assert targets == {"Z2", "W2", "b2", "A1", "Z1", "W1", "b1"}
    colors = {tuple(np.round(a.arrow_patch.get_edgecolor(), 3)) for a in ax.texts if
              (a.get_gid() or "").startswith("backward:")}
    forward_colors = {tuple(np.round(a.arrow_patch.get_edgecolor(), 3)) for a in ax.texts if
                      (a.get_gid() or "").startswith("forward:")}
    assert len(colors) == 1 and colors.isdisjoint(forward_colors)


@pytest.mark.parametrize("sizes, match", [((4,), "at least 2"), ((2, 0, 1), "positive integer"),
                                          ((2, 2.5, 1), "positive integer"), ((2, 20, 1), "max_nodes")])
def test_network_diagram_rejects_bad_sizes(sizes, match):
    with pytest.raises(ValueError, match=match) as info:
        nplot.network_diagram(sizes)
    assert "sizes" in str(info.value) or "max_nodes" in str(info.value)


def test_network_diagram_rejects_a_wrong_number_of_names():
    with pytest.raises(ValueError, match="layer_names"):
        nplot.network_diagram((2, 3, 1), layer_names=["in", "out"])


@pytest.mark.parametrize("d", [0, 7, 2.0, True])
def test_neuron_diagram_rejects_bad_d(d):
    with pytest.raises(ValueError, match="d must be"):
        nplot.neuron_diagram(d)
