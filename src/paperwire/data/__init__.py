"""Data files shipped with Paperwire (the demo subset of arXiv listings)."""
