"""setup(): version checks with an exact install hint, seeding, device report."""

import random

import numpy as np
import pytest

from dlnotes.session import check_versions, setup


def test_supported_versions_pass():
    assert check_versions({"tensorflow": "2.21.0", "keras": "3.15.1"}) == {"tensorflow": "2.21.0", "keras": "3.15.1"}


@pytest.mark.parametrize(
    "installed, problem",
    [
        ({"tensorflow": "2.20.1", "keras": "3.15.1"}, "tensorflow 2.20.1 is installed (need >=2.21,<2.22)"),
        ({"tensorflow": "2.22.0rc1", "keras": "3.15.1"}, "tensorflow 2.22.0rc1 is installed"),
        ({"tensorflow": "2.21.0", "keras": "2.15.0"}, "keras 2.15.0 is installed (need >=3.15,<4.0)"),
        ({"tensorflow": "2.21.0"}, "keras is not installed"),
    ],
)
def test_unsupported_versions_say_what_to_install(installed, problem):
    with pytest.raises(RuntimeError) as error:
        check_versions(installed)
    assert problem in str(error.value)
    assert "pip install 'tensorflow-cpu>=2.21,<2.22' 'keras>=3.15,<4'" in str(error.value)


def test_installed_versions_are_supported():
    assert set(check_versions()) == {"tensorflow", "keras"}


def test_setup_seeds_python_numpy_and_keras(capsys):
    import keras

    setup(seed=7)
    first = (random.random(), np.random.rand(), float(keras.random.uniform(())))
    setup(seed=7)
    again = (random.random(), np.random.rand(), float(keras.random.uniform(())))
    assert first == again
    out = capsys.readouterr().out
    assert "seed 7" in out and "TensorFlow 2.21" in out and "CPU" in out


def test_setup_warns_about_cpu_time_without_gpu(capsys):
    info = setup(seed=0, cpu_minutes=12)
    if not any(d.startswith("GPU") for d in info["devices"]):
        assert "full mode takes about 12 min on two CPU cores" in capsys.readouterr().out


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_setup_rejects_bad_seed(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        setup(seed=seed)


def test_setup_says_when_fast_mode_took_effect(capsys):
    assert setup(seed=0, fast=True)["fast"] is True
    assert "FAST mode: small subsets and few epochs; the metrics are not the chapter's targets." in capsys.readouterr().out
    assert setup(seed=0)["fast"] is False
    assert "FAST mode" not in capsys.readouterr().out


@pytest.mark.parametrize("fast", [1, "True", None])
def test_setup_rejects_a_fast_flag_that_is_not_a_bool(fast):
    with pytest.raises(TypeError, match=f"setup: fast must be True or False, got {fast!r}"):
        setup(seed=0, fast=fast)
