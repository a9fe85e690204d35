"""gdlab: the numerical experiments of a homework on gradient descent, as a pipeline."""

__version__ = "0.1.0"
