"""nnopt — the companion package of the course "How neural networks are optimized".

Flow, one way: ``objectives``/``data`` → ``nn`` → ``losses`` → ``optim`` (+ ``schedules``) → ``train`` → ``plot``.
``line_search`` (backtracking for gradient descent) stands alone.
``keras_bridge`` (imports TensorFlow lazily) runs the same-named Keras optimizer for side-by-side checks.
"""

from nnopt import data, gradcheck, line_search, losses, nn, objectives, optim, schedules, train

__version__ = "0.1.0"

__all__ = ["data", "gradcheck", "line_search", "losses", "nn", "objectives", "optim", "schedules", "train", "plot",
           "keras_bridge"]


def __getattr__(name):
    # plot (matplotlib) and keras_bridge (TensorFlow) load on first use, so `import nnopt` stays light
    if name in ("plot", "keras_bridge"):
        import importlib

        return importlib.import_module(f"nnopt.{name}")
    raise AttributeError(f"module 'nnopt' has no attribute {name!r}")
