"""MNIST from the original IDX files, offline first and verified.

Lookup order (the first place that has the four files wins):

1. ``$DLNOTES_DATA_DIR/mnist/``
2. the repository's ``data/mnist/``
3. the Keras cache (``~/.keras/datasets/mnist.npz``, or ``$KERAS_HOME``)
4. a download through ``keras.datasets.mnist.load_data()`` (cached by Keras)

Whatever the source, the content is checked against the SHA-256 published
for the decompressed IDX files, so a truncated or corrupted copy is reported
with the file's name and the fix instead of returning a wrong array.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlnotes.errors import DataError

REPO_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class IdxFile:
    """One of the four MNIST files: its name, IDX magic number, shape and checksum."""

    name: str
    magic: int
    shape: tuple[int, ...]
    sha256: str  # of the decompressed file, header included


IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049
FILES = {
    "x_train": IdxFile(
        "train-images-idx3-ubyte",
        IMAGE_MAGIC,
        (60000, 28, 28),
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    "y_train": IdxFile(
        "train-labels-idx1-ubyte", LABEL_MAGIC, (60000,), "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
    ),
    "x_test": IdxFile(
        "t10k-images-idx3-ubyte", IMAGE_MAGIC, (10000, 28, 28), "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    ),
    "y_test": IdxFile(
        "t10k-labels-idx1-ubyte", LABEL_MAGIC, (10000,), "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
    ),
}

FIX = (
    "Fix: point DLNOTES_DATA_DIR at a directory whose mnist/ folder holds the four "
    "original files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; see data/README.md for "
    "their checksums), or delete the bad file so that the next source is used."
)


def _idx_header(spec: IdxFile) -> bytes:
    """The IDX header for ``spec``: magic number then each dimension, big-endian."""
    return struct.pack(f">{1 + len(spec.shape)}I", spec.magic, *spec.shape)


def _check_array(array: np.ndarray, spec: IdxFile, source: str) -> np.ndarray:
    """Verify ``array`` against the published checksum of ``spec``'s IDX file.

    Hashing header + data lets arrays from any source (IDX, gz, Keras's npz)
    be checked against the one canonical value.
    """
    if array.dtype != np.uint8 or array.shape != spec.shape:
        raise DataError(
            f"{source}: expected uint8 array of shape {spec.shape} for {spec.name}, found {array.dtype} {array.shape}. {FIX}"
        )
    digest = hashlib.sha256(_idx_header(spec) + np.ascontiguousarray(array).tobytes()).hexdigest()
    if digest != spec.sha256:
        raise DataError(
            f"{source}: checksum mismatch for {spec.name} (sha256 {digest}, expected "
            f"{spec.sha256}); the file is corrupted or is not MNIST. {FIX}"
        )
    return array


def _read_idx(path: Path, spec: IdxFile) -> np.ndarray:
    """Read one IDX file (gzip-compressed or not) and return its verified array."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":  # gzip magic
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: cannot read or decompress ({exc}); the file is truncated or corrupted. {FIX}") from None
    header = _idx_header(spec)
    if raw[:4] != header[:4]:
        raise DataError(f"{path}: not an IDX file for {spec.name} (magic {raw[:4].hex()}, expected {header[:4].hex()}). {FIX}")
    expected_size = len(header) + int(np.prod(spec.shape))
    if len(raw) != expected_size:
        raise DataError(
            f"{path}: {len(raw)} bytes after decompression, expected {expected_size}; the file is truncated or corrupted. {FIX}"
        )
    # copy: frombuffer gives a read-only view, Keras gives writable arrays
    array = np.frombuffer(raw, np.uint8, offset=len(header)).reshape(spec.shape).copy()
    return _check_array(array, spec, str(path))


def _idx_path(directory: Path, spec: IdxFile) -> Path | None:
    """The file for ``spec`` in ``directory`` (``.gz`` preferred), or None."""
    for candidate in (directory / f"{spec.name}.gz", directory / spec.name):
        if candidate.is_file():
            return candidate
    return None


def _keras_cache_file() -> Path:
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return home / "datasets" / "mnist.npz"


def _search_dirs() -> list[Path]:
    """Directories searched for the IDX files, in order."""
    dirs = []
    if os.environ.get("DLNOTES_DATA_DIR"):
        dirs.append(Path(os.environ["DLNOTES_DATA_DIR"]).expanduser() / "mnist")
    dirs.append(REPO_DATA_DIR / "mnist")
    return dirs


def _load_from_dir(directory: Path) -> dict[str, np.ndarray] | None:
    """The four verified arrays from ``directory``; None if it holds none of the files.

    A directory holding some files but not all is an error: that is a broken
    copy, and silently using another source would hide it.
    """
    paths = {key: _idx_path(directory, spec) for key, spec in FILES.items()}
    missing = [FILES[key].name + ".gz" for key, path in paths.items() if path is None]
    if len(missing) == len(FILES):
        return None
    if missing:
        raise DataError(f"{directory}: incomplete MNIST copy, missing {', '.join(missing)}. {FIX}")
    return {key: _read_idx(path, FILES[key]) for key, path in paths.items()}


def _load_from_npz(path: Path) -> dict[str, np.ndarray]:
    """The four verified arrays from Keras's ``mnist.npz``."""
    try:
        with np.load(path) as npz:
            arrays = {key: npz[key] for key in FILES}
    except Exception as exc:  # zipfile, pickle and key errors all mean the same: a bad file
        raise DataError(f"{path}: cannot read the Keras MNIST cache ({exc}). Delete it to download again, or {FIX[5:]}") from None
    return {key: _check_array(arrays[key], FILES[key], str(path)) for key in FILES}


def _download() -> dict[str, np.ndarray]:
    """Download MNIST through Keras (which caches it) and verify it."""
    try:
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:
        raise DataError(
            f"MNIST was not found locally and the download failed ({exc}). Searched: "
            f"{', '.join(str(d) for d in _search_dirs())}, {_keras_cache_file()}. "
            f"{FIX}"
        ) from None
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return {key: _check_array(arrays[key], FILES[key], "downloaded MNIST") for key in FILES}


def load_mnist(data_dir: str | os.PathLike | None = None, allow_download: bool = True):
    """Return MNIST as ``((x_train, y_train), (x_test, y_test))``.

    The arrays equal ``keras.datasets.mnist.load_data()``'s: ``uint8`` images of
    shape (N, 28, 28) and ``uint8`` labels of shape (N,), in the original order.

    Args:
        data_dir: a directory holding the IDX files (directly or in ``mnist/``);
            when given, it is the only place searched.
        allow_download: when nothing is found locally, download through Keras.

    Raises:
        DataError: a file is missing, truncated or corrupted (the message names
            the file and the fix), or nothing was found and no download was possible.
    """
    if data_dir is not None:
        base = Path(data_dir).expanduser()
        if not base.is_dir():
            raise DataError(f"data_dir {base} is not a directory. {FIX}")
        arrays = _load_from_dir(base / "mnist") or _load_from_dir(base)
        if arrays is None:
            raise DataError(f"{base}: no MNIST files found (looked in {base / 'mnist'} and {base}). {FIX}")
    else:
        arrays = next(filter(None, map(_load_from_dir, _search_dirs())), None)
        if arrays is None and _keras_cache_file().is_file():
            arrays = _load_from_npz(_keras_cache_file())
        if arrays is None:
            if not allow_download:
                searched = ", ".join(str(d) for d in [*_search_dirs(), _keras_cache_file()])
                raise DataError(f"MNIST not found (searched {searched}) and downloading is off. {FIX}")
            arrays = _download()
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
