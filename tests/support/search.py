"""Real embeddings for tests, computed once per session: the sample is small, the model real."""

from collections.abc import Sequence
from functools import cache

import numpy as np

from paperwire.search.embedding import Embedder, Vectors, load_embedder


class RememberingEmbedder:
    """The real model, with every text's vector kept, so each test does not embed again."""

    def __init__(self, embedder: Embedder) -> None:
        self.name = embedder.name
        self._embedder = embedder
        self._known: dict[str, Vectors] = {}
        self.embedded = 0  # texts that went through the model

    def embed(self, texts: Sequence[str]) -> Vectors:
        missing = [text for text in dict.fromkeys(texts) if text not in self._known]
        if missing:
            self.embedded += len(missing)
            for text, vector in zip(missing, self._embedder.embed(missing), strict=True):
                self._known[text] = vector
        return np.stack([self._known[text] for text in texts])


@cache
def shared_embedder() -> RememberingEmbedder:
    return RememberingEmbedder(load_embedder(1))
