"""load_mnist: right arrays from every source, and one clear error for each way a copy can be broken."""

import gzip
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from dlnotes.data import mnist
from dlnotes.data.mnist import FILES, load_mnist
from dlnotes.errors import DataError

SHARED = Path(os.environ.get("DLNOTES_DATA_DIR", "")) / "mnist"


@pytest.fixture(scope="module")
def arrays():
    if not (SHARED / "train-images-idx3-ubyte.gz").is_file():
        pytest.fail("set DLNOTES_DATA_DIR to a folder whose mnist/ holds the IDX files (see data/README.md)")
    return load_mnist()


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No DLNOTES_DATA_DIR, an empty repo data/ and an empty Keras cache: only what a test puts there exists."""
    monkeypatch.delenv("DLNOTES_DATA_DIR", raising=False)
    monkeypatch.setattr(mnist, "REPO_DATA_DIR", tmp_path / "repo_data")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path


def copy_shared(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for spec in FILES.values():
        shutil.copy(SHARED / f"{spec.name}.gz", target)
    return target


def test_arrays_match_keras_layout(arrays):
    (x_train, y_train), (x_test, y_test) = arrays
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == ((60000, 28, 28), (60000,), (10000, 28, 28), (10000,))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert list(y_train[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]  # the well-known first labels
    assert list(y_test[:5]) == [7, 2, 1, 0, 4]
    assert x_train.max() == 255 and x_train.min() == 0
    assert x_train.flags.writeable  # like keras.datasets.mnist.load_data()
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_repo_data_dir_is_used_when_env_is_unset(isolated, arrays):
    copy_shared(isolated / "repo_data" / "mnist")
    (x_train, _), (_, y_test) = load_mnist(allow_download=False)
    np.testing.assert_array_equal(x_train, arrays[0][0])
    np.testing.assert_array_equal(y_test, arrays[1][1])


def test_uncompressed_idx_files_are_read(tmp_path, arrays):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for spec in FILES.values():
        (folder / spec.name).write_bytes(gzip.decompress((SHARED / f"{spec.name}.gz").read_bytes()))
    (_, y_train), _ = load_mnist(data_dir=tmp_path)
    np.testing.assert_array_equal(y_train, arrays[0][1])


def test_keras_cache_npz_is_used_and_verified(isolated, arrays):
    (x_train, y_train), (x_test, y_test) = arrays
    cache = isolated / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    np.savez(cache / "mnist.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    (loaded, _), _ = load_mnist(allow_download=False)
    np.testing.assert_array_equal(loaded, x_train)

    y_bad = y_test.copy()
    y_bad[0] = (y_bad[0] + 1) % 10
    np.savez(cache / "mnist.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_bad)
    with pytest.raises(DataError, match=r"mnist\.npz: checksum mismatch for t10k-labels"):
        load_mnist(allow_download=False)


def test_corrupt_keras_cache_is_reported(isolated):
    cache = isolated / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    (cache / "mnist.npz").write_bytes(b"not a zip file")
    with pytest.raises(DataError, match=r"mnist\.npz: cannot read the Keras MNIST cache.*Delete it"):
        load_mnist(allow_download=False)


def test_truncated_file_names_file_and_fix(tmp_path):
    folder = copy_shared(tmp_path / "mnist")
    path = folder / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(DataError) as error:
        load_mnist(data_dir=tmp_path)
    message = str(error.value)
    assert "train-labels-idx1-ubyte.gz" in message and "truncated" in message and "DLNOTES_DATA_DIR" in message


def test_short_content_is_reported_as_truncated(tmp_path):
    folder = copy_shared(tmp_path / "mnist")
    path = folder / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[:-10]))
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\.gz: 9998 bytes after decompression, expected 10008"):
        load_mnist(data_dir=tmp_path)


def test_changed_byte_fails_the_checksum(tmp_path):
    folder = copy_shared(tmp_path / "mnist")
    path = folder / "t10k-images-idx3-ubyte.gz"
    content = bytearray(gzip.decompress(path.read_bytes()))
    content[5000] ^= 0xFF
    path.write_bytes(gzip.compress(bytes(content)))
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz: checksum mismatch"):
        load_mnist(data_dir=tmp_path)


def test_swapped_file_has_wrong_magic(tmp_path):
    folder = copy_shared(tmp_path / "mnist")
    shutil.copy(folder / "t10k-labels-idx1-ubyte.gz", folder / "t10k-images-idx3-ubyte.gz")
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz: not an IDX file for t10k-images"):
        load_mnist(data_dir=tmp_path)


def test_incomplete_copy_lists_missing_files(tmp_path):
    folder = copy_shared(tmp_path / "mnist")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"incomplete MNIST copy, missing t10k-labels-idx1-ubyte\.gz"):
        load_mnist(data_dir=tmp_path)


def test_empty_or_missing_data_dir(tmp_path):
    with pytest.raises(DataError, match="no MNIST files found"):
        load_mnist(data_dir=tmp_path)
    with pytest.raises(DataError, match="is not a directory"):
        load_mnist(data_dir=tmp_path / "nowhere")


def test_nothing_found_without_download_lists_where_it_looked(isolated):
    with pytest.raises(DataError) as error:
        load_mnist(allow_download=False)
    assert "repo_data" in str(error.value) and "mnist.npz" in str(error.value) and "downloading is off" in str(error.value)


def test_failed_download_is_one_clear_error(isolated, monkeypatch):
    import keras

    def offline():
        raise OSError("Name or service not known")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(DataError, match="not found locally and the download failed .*Name or service not known"):
        load_mnist()


def test_download_is_verified(isolated, monkeypatch, arrays):
    import keras

    (x_train, y_train), (x_test, y_test) = arrays
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: ((x_train, y_train), (x_test, y_test)))
    (_, y_loaded), _ = load_mnist()
    np.testing.assert_array_equal(y_loaded, y_train)

    wrong = ((x_train, y_train[::-1].copy()), (x_test, y_test))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: wrong)
    with pytest.raises(DataError, match="downloaded MNIST: checksum mismatch for train-labels"):
        load_mnist()


def test_wrong_dtype_is_reported(isolated, monkeypatch, arrays):
    import keras

    (x_train, y_train), (x_test, y_test) = arrays
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: ((x_train.astype(np.float32), y_train), (x_test, y_test)))
    with pytest.raises(DataError, match=r"expected uint8 array of shape \(60000, 28, 28\).*found float32"):
        load_mnist()
