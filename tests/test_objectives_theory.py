"""Tests of the objectives added for the theory of the momentum chapter."""

import numpy as np
import pytest

from nnopt import objectives


def test_worst_case_quadratic_matches_nesterovs_formula():
    L, mu, d = 2.0, 0.02, 7
    f = objectives.nesterov_worst_case(d, L=L, mu=mu)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.normal(size=d)
        diffs = np.sum(np.diff(x) ** 2)
        expected = (L - mu) / 8 * (x[0] ** 2 + diffs + x[-1] ** 2 - 2 * x[0]) + mu / 2 * x @ x
        assert np.isclose(f.value(x), expected, rtol=1e-12)
    eig = np.linalg.eigvalsh(f.A)
    assert mu < eig[0] and eig[-1] < L


def test_worst_case_minimiser_is_geometric_for_large_dimension():
    kappa = 25.0
    f = objectives.nesterov_worst_case(400, L=kappa, mu=1.0)
    q = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    np.testing.assert_allclose(f.minimum[:20], q ** np.arange(1, 21), rtol=1e-10)


def test_worst_case_convex_minimiser_and_krylov_structure():
    d = 9
    f = objectives.nesterov_worst_case(d)  # L = 1, mu = 0
    np.testing.assert_allclose(f.minimum, 1 - np.arange(1, d + 1) / (d + 1), rtol=1e-12)
    x = np.zeros(d)
    for t in range(1, 5):  # gradient descent from 0 reaches one more coordinate per step
        x = x - f.grad(x)
        assert np.all(x[t:] == 0) and x[t - 1] != 0


@pytest.mark.parametrize("kwargs, match", [({"dim": 1}, "dim"), ({"dim": 3.0}, "dim"),
                                            ({"dim": 3, "mu": 1.0}, "mu < L"), ({"dim": 3, "mu": -0.1}, "mu")])
def test_worst_case_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        objectives.nesterov_worst_case(**kwargs)
