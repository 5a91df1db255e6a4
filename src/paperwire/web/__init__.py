"""The web face of Paperwire: HTML pages, the HF-compatible JSON API and feeds."""
