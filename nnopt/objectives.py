"""Test functions with analytic gradients, for pictures and convergence checks.

Every objective takes points with the coordinates on the last axis, so ``value`` works on one point
``x.shape == (d,)`` and on a whole grid ``x.shape == (ny, nx, d)`` (for contour plots). ``grad`` takes one
point. Each knows its minimiser (``minimum``) and minimal value (``f_min``) where it has one.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Objective", "Quadratic", "nesterov_worst_case", "Rosenbrock", "Beale", "Saddle", "ReddiOnline"]


class Objective:
    """Base class: ``value(x)``, ``grad(x)``; ``minimum`` and ``f_min``; ``dim``."""

    dim: int = 2
    minimum: np.ndarray | None = None
    f_min: float | None = None

    def value(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def grad(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.value(x)

    def _point(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.shape[-1:] != (self.dim,):
            raise ValueError(f"x must have {self.dim} coordinates on its last axis, got shape {x.shape}")
        return x


class Quadratic(Objective):
    r"""The quadratic :math:`f(\theta) = \tfrac12 \theta^\top A \theta - b^\top \theta` with A symmetric positive
    definite; :math:`\nabla f = A\theta - b`, :math:`\nabla^2 f = A`.

    Its smoothness ``L`` and strong convexity ``mu`` are the largest and smallest eigenvalues of A, and
    ``kappa = L / mu`` is the condition number.

    Parameters
    ----------
    A
        A symmetric positive definite (d, d) matrix, the Hessian.
    b
        The linear term, shape (d,) (default 0: the minimum is at the origin).
    """

    def __init__(self, A: np.ndarray, b: np.ndarray | None = None) -> None:
        A = np.asarray(A, dtype=np.float64)
        if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
            raise ValueError(f"A must be a symmetric square matrix, got shape {A.shape}")
        eig = np.linalg.eigvalsh(A)
        if eig[0] <= 0:
            raise ValueError(f"A must be positive definite (smallest eigenvalue {eig[0]:.3g} <= 0)")
        self.A, self.dim = A, A.shape[0]
        self.b = np.zeros(self.dim) if b is None else np.asarray(b, dtype=np.float64)
        if self.b.shape != (self.dim,):
            raise ValueError(f"b must have shape ({self.dim},), got {self.b.shape}")
        self.L, self.mu = float(eig[-1]), float(eig[0])
        self.kappa = self.L / self.mu
        self.minimum = np.linalg.solve(A, self.b)
        self.f_min = float(self.value(self.minimum))

    @classmethod
    def with_condition_number(cls, kappa: float, dim: int = 2, L: float = 1.0, angle: float = 0.0,
                              minimum: np.ndarray | None = None) -> Quadratic:
        """A quadratic with eigenvalues spread from L/κ to L, axes rotated by ``angle`` (2-D, radians)."""
        if not kappa >= 1:
            raise ValueError(f"kappa (the condition number) must be >= 1, got {kappa!r}")
        eig = np.geomspace(L / kappa, L, dim)
        Q = np.eye(dim)
        if angle:
            if dim != 2:
                raise ValueError("angle is only defined for dim=2")
            c, s = np.cos(angle), np.sin(angle)
            Q = np.array([[c, -s], [s, c]])
        A = Q @ np.diag(eig) @ Q.T
        A = (A + A.T) / 2
        x_star = np.zeros(dim) if minimum is None else np.asarray(minimum, dtype=np.float64)
        return cls(A, A @ x_star)

    def value(self, x):
        x = self._point(x)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x) - x @ self.b

    def grad(self, x):
        return self.A @ self._point(x) - self.b

    def hessian(self, x=None):
        return self.A


def nesterov_worst_case(dim: int, L: float = 1.0, mu: float = 0.0) -> Quadratic:
    r"""Nesterov's worst-case quadratic for first-order methods (Introductory Lectures, 2004, §2.1.2 and §2.1.4).

    :math:`J(\theta) = \tfrac{L-\mu}{8}\big(\theta_1^2 + \sum_{i=1}^{d-1} (\theta_i - \theta_{i+1})^2
    + \theta_d^2 - 2\theta_1\big) + \tfrac{\mu}{2}\lVert\theta\rVert^2`: the Hessian is
    :math:`A = \tfrac{L-\mu}{4}\,\mathrm{tridiag}(-1, 2, -1) + \mu I` and :math:`b = \tfrac{L-\mu}{4} e_1`.
    The eigenvalues of A lie strictly between μ and L and fill that interval as d grows. A method whose iterate
    :math:`\theta_t` lies in :math:`\theta_0` plus the span of the gradients seen so far reaches, from
    :math:`\theta_0 = 0`, only the first t coordinates after t steps, because the gradient of a vector with
    k nonzero leading coordinates has at most k + 1. With μ = 0 this is the convex function of Theorem 2.1.7
    (``mu`` of the returned quadratic is then the tiny smallest eigenvalue of A); with μ > 0 and d large, the
    minimiser is close to :math:`\theta^\star_i = q^i` with :math:`q = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)`,
    the function of Theorem 2.1.13.

    Parameters
    ----------
    dim
        The dimension d, an integer >= 2.
    L
        The smoothness bound, > mu (default 1).
    mu
        The strong-convexity bound, 0 <= mu < L (default 0: convex, not strongly convex).
    """
    if not (isinstance(dim, (int, np.integer)) and dim >= 2):
        raise ValueError(f"dim must be an integer >= 2, got {dim!r}")
    if not (0 <= mu < L):
        raise ValueError(f"need 0 <= mu < L for the worst-case quadratic, got mu={mu!r}, L={L!r}")
    scale = (L - mu) / 4
    A = scale * (2 * np.eye(dim) - np.eye(dim, k=1) - np.eye(dim, k=-1)) + mu * np.eye(dim)
    b = np.zeros(dim)
    b[0] = scale
    return Quadratic(A, b)


class Rosenbrock(Objective):
    r""":math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`, minimum 0 at (a, a²); a curved, flat-bottomed valley.

    Parameters
    ----------
    a
        Position of the minimum, (a, a²) (default 1).
    b
        Steepness of the valley's walls (default 100).
    """

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        self.a, self.b = float(a), float(b)
        self.minimum, self.f_min = np.array([self.a, self.a**2]), 0.0

    def value(self, p):
        x, y = np.moveaxis(self._point(p), -1, 0)
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def grad(self, p):
        x, y = self._point(p)
        return np.array([-2 * (self.a - x) - 4 * self.b * x * (y - x**2), 2 * self.b * (y - x**2)])

    def hessian(self, p):
        x, y = self._point(p)
        return np.array([[2 - 4 * self.b * (y - 3 * x**2), -4 * self.b * x], [-4 * self.b * x, 2 * self.b]])


class Beale(Objective):
    r""":math:`f(x,y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2`, minimum 0 at (3, 0.5)."""

    _c = (1.5, 2.25, 2.625)

    def __init__(self) -> None:
        self.minimum, self.f_min = np.array([3.0, 0.5]), 0.0

    def value(self, p):
        x, y = np.moveaxis(self._point(p), -1, 0)
        return sum((c - x + x * y**k) ** 2 for k, c in enumerate(self._c, start=1))

    def grad(self, p):
        x, y = self._point(p)
        gx = gy = 0.0
        for k, c in enumerate(self._c, start=1):
            r = c - x + x * y**k
            gx += 2 * r * (y**k - 1)
            gy += 2 * r * k * x * y ** (k - 1)
        return np.array([gx, gy])


class Saddle(Objective):
    r""":math:`f(x, y) = \tfrac12 x^2 + \tfrac14 y^4 - \tfrac12 y^2`: a saddle point at the origin, minima
    :math:`-\tfrac14` at :math:`(0, \pm 1)`."""

    def __init__(self) -> None:
        self.minimum, self.f_min = np.array([0.0, 1.0]), -0.25
        self.saddle = np.zeros(2)

    def value(self, p):
        x, y = np.moveaxis(self._point(p), -1, 0)
        return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2

    def grad(self, p):
        x, y = self._point(p)
        return np.array([x, y**3 - y])

    def hessian(self, p):
        x, y = self._point(p)
        return np.array([[1.0, 0.0], [0.0, 3 * y**2 - 1]])


class ReddiOnline:
    r"""The online counterexample of Reddi, Kale & Kumar (2018) against Adam.

    On the feasible set :math:`[-1, 1]`, the loss at step t (t = 1, 2, ...) is
    :math:`f_t(x) = C x` if :math:`t \bmod 3 = 1`, else :math:`-x`, with C > 2. Over each period of three steps
    the total loss is :math:`(C - 2)x`, minimised at :math:`x = -1`. Run it with
    ``train.trajectory(opt, problem, [0.0], steps, project=problem.project)``.

    Parameters
    ----------
    C
        The gradient of every third step, > 2 (default 3).
    """

    dim = 1
    online = True  # the loss depends on the step t: train.trajectory calls grad(x, t)

    def __init__(self, C: float = 3.0) -> None:
        if not C > 2:
            raise ValueError(f"C must be > 2 for the counterexample (the average loss is (C-2)x), got {C!r}")
        self.C = float(C)
        self.minimum = np.array([-1.0])

    def grad(self, x: np.ndarray, t: int) -> np.ndarray:
        """Gradient of :math:`f_t` (constant in x)."""
        return np.full_like(np.asarray(x, dtype=np.float64), self.C if t % 3 == 1 else -1.0)

    def value(self, x: np.ndarray, t: int) -> np.ndarray:
        return (self.C if t % 3 == 1 else -1.0) * np.asarray(x)

    @staticmethod
    def project(x: np.ndarray) -> np.ndarray:
        """Project onto the feasible set [-1, 1], in place."""
        return np.clip(x, -1.0, 1.0, out=x)
