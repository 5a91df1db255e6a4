"""Paperwire: a self-hostable daily research-paper discovery service."""

__version__ = "0.1.0"
