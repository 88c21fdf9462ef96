"""What the Keras proof does not reach for Keras' newer optimizers: memory per parameter, Muon's
orthogonalisation and its matrix step's rollback, Muon's choice of AdamW without Keras, Nadam's Π_t memo."""

import copy

import numpy as np
import pytest

from nnopt import optim
from nnopt.optim.modern import _newton_schulz

# state bytes per parameter element, float32, for a (300, 700) matrix and a (700,) vector
STATE_BYTES = {
    "Nadam": (8, 8), "Adamax": (8, 8), "Adadelta": (8, 8), "Ftrl": (8, 8), "Lion": (4, 4), "Lamb": (8, 8),
    "ScheduleFreeAdamW": (8, 8),
    "Adafactor": ((300 + 700) * 4 / (300 * 700), 4),  # factored: a row and a column statistic, O(rows + columns)
    "Muon": (4, 8),  # the matrix: momentum only; the vector: its AdamW fallback's two moments
}


@pytest.mark.parametrize("name", sorted(STATE_BYTES))
def test_state_bytes_per_parameter(name):
    params = {"W": np.zeros((300, 700), np.float32), "b": np.zeros(700, np.float32)}
    opt = getattr(optim, name)()
    opt.step(params, {k: np.ones_like(v) for k, v in params.items()})
    measured = tuple(sum(a.nbytes for a in opt.state[k].values()) / params[k].size for k in ("W", "b"))
    print(f"{name}: {measured[0]:.4g} bytes per matrix element, {measured[1]:.4g} per vector element")
    assert measured == pytest.approx(STATE_BYTES[name])


def test_newton_schulz_gives_singular_values_near_one():
    """Keras' quintic (a, b, c) after 5 steps: every singular value of a random Gaussian matrix lands in about
    [0.7, 1.2]. (Not an exact orthogonalisation: a singular value far below ‖G‖_F, e.g. of an ill-conditioned
    matrix, needs more steps to get there.)"""
    rng = np.random.default_rng(0)
    for shape in [(300, 700), (700, 300), (64, 64)]:
        G = rng.standard_normal(shape)
        s = np.linalg.svd(_newton_schulz(G, 5, 3.4445, -4.7750, 2.0315), compute_uv=False)
        s_G = np.linalg.svd(G, compute_uv=False)
        print(f"{shape}: singular values of G in [{s_G.min():.3g}, {s_G.max():.3g}], of NS(G) in "
              f"[{s.min():.3f}, {s.max():.3f}]")
        assert 0.6 < s.min() and s.max() < 1.25
        U, _, Vt = np.linalg.svd(G, full_matrices=False)  # and the singular vectors are G's: NS(G) ≈ U S' Vᵀ
        S_prime = U.T @ _newton_schulz(G, 5, 3.4445, -4.7750, 2.0315) @ Vt.T
        assert np.abs(S_prime - np.diag(np.diag(S_prime))).max() < 1e-6


def test_muon_matrix_step_that_fails_changes_nothing():
    rng = np.random.default_rng(1)
    params = {"dense/kernel": rng.standard_normal((40, 30)).astype(np.float32),
              "dense/bias": rng.standard_normal(30).astype(np.float32)}
    grads = {k: rng.standard_normal(v.shape).astype(np.float32) for k, v in params.items()}
    opt = optim.Muon(1e-3)
    opt.step(params, grads)
    params["dense/kernel"][-1, -1] = np.finfo(np.float32).max  # the next step pushes it to inf
    before, state = copy.deepcopy(params), copy.deepcopy(opt.state)
    opt.learning_rate = 1e30
    with pytest.raises(FloatingPointError, match=r"params\['dense/kernel'\] became inf or NaN at step 2 of Muon"):
        opt.step(params, grads)
    for key in params:
        np.testing.assert_array_equal(params[key], before[key])
        for slot in state[key]:
            np.testing.assert_array_equal(opt.state[key][slot], state[key][slot])
    assert opt.iterations == 1


def test_muon_adamw_choice_without_names():
    opt = optim.Muon(exclude_layers=["^head"])
    assert opt.uses_adamw(0, (5,)) and not opt.uses_adamw(0, (5, 3))  # a list: only the 2-D rule
    assert opt.uses_adamw("Token_Embedding", (9, 4)) and opt.uses_adamw("head/kernel", (4, 2))
    assert not opt.uses_adamw("body/head/kernel", (4, 2))  # re.search with ^: the path must start with it
    assert not optim.Muon(exclude_embeddings=False).uses_adamw("embedding", (9, 4))
    with pytest.raises(TypeError, match=r"exclude_layers must be a list.*pass e.g. exclude_layers=\['output_dense'\]"):
        optim.Muon(exclude_layers="output_dense")


def test_muon_weight_decay_follows_the_parameter_kind():
    """weight_decay for the Muon matrices, adam_weight_decay for the AdamW ones, with a zero gradient."""
    params = [np.ones((4, 3)), np.ones(3)]
    optim.Muon(0.1, weight_decay=0.5, adam_weight_decay=None).step(params, [np.zeros((4, 3)), np.zeros(3)])
    np.testing.assert_array_equal(params[0], 1 - 0.5 * 0.1)  # decayed (NS of a zero matrix is zero)
    np.testing.assert_array_equal(params[1], 1.0)  # AdamW: no decay, and a zero step


def test_nadam_product_is_the_same_in_pieces_threads_and_after_a_failed_step():
    """Π_t is shared by all parameters and pieces: the result cannot depend on how the step is cut up."""
    rng = np.random.default_rng(3)
    grads = [[rng.standard_normal(70_000).astype(np.float32)] for _ in range(5)]
    ends = []
    for chunk, threads in [(1 << 15, 1), (1000, 2)]:
        theta, opt = [np.ones(70_000, np.float32)], optim.Nadam(0.01)
        opt.chunk_bytes, opt.threads = chunk, threads
        for k, g in enumerate(grads):
            if k == 2:
                with pytest.raises(FloatingPointError):
                    opt.step(theta, [np.full_like(g[0], np.inf)])
            opt.step(theta, g)
        ends.append(theta[0])
    np.testing.assert_array_equal(*ends)
