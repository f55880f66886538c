"""The NumPy convolutions against Keras's layers and against hand computation; receptive-field arithmetic."""

import keras
import numpy as np
import pytest

from dlnotes.convolution import conv2d, conv2d_transpose, output_size, pool2d, receptive_fields, same_padding


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_conv2d_by_hand():
    image = np.arange(16.0).reshape(1, 4, 4, 1)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(2, 2, 1, 1)  # x[i, j] - x[i + 1, j + 1]
    np.testing.assert_allclose(conv2d(image, kernel)[0, :, :, 0], np.full((3, 3), -5.0))
    np.testing.assert_allclose(conv2d(image, kernel, bias=[2.0], stride=2)[0, :, :, 0], np.full((2, 2), -3.0))


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("kernel_size", [1, 3, 4])
def test_conv2d_equals_keras(rng, padding, stride, kernel_size):
    images = rng.standard_normal((2, 9, 10, 3)).astype("float32")
    layer = keras.layers.Conv2D(4, kernel_size, strides=stride, padding=padding, bias_initializer="random_normal")
    expected = keras.ops.convert_to_numpy(layer(images))
    np.testing.assert_allclose(conv2d(images, *layer.get_weights(), stride=stride, padding=padding), expected, atol=1e-5)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("kernel_size", [2, 3, 4])
def test_conv2d_transpose_equals_keras(rng, padding, stride, kernel_size):
    images = rng.standard_normal((2, 4, 5, 3)).astype("float32")
    layer = keras.layers.Conv2DTranspose(2, kernel_size, strides=stride, padding=padding, bias_initializer="random_normal")
    expected = keras.ops.convert_to_numpy(layer(images))
    ours = conv2d_transpose(images, *layer.get_weights(), stride=stride, padding=padding)
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_conv2d_transpose_is_the_adjoint_of_conv2d(rng):
    x, kernel, y = rng.standard_normal((1, 11, 11, 2)), rng.standard_normal((3, 3, 2, 5)), rng.standard_normal((1, 5, 5, 5))
    assert np.sum(conv2d(x, kernel, stride=2) * y) == pytest.approx(np.sum(x * conv2d_transpose(y, kernel, stride=2)))


@pytest.mark.parametrize("size, stride", [(2, 2), (3, 2), (2, 1)])
def test_pool2d_equals_keras(rng, size, stride):
    images = rng.standard_normal((2, 9, 8, 3)).astype("float32")
    for mode, layer_type in [("max", keras.layers.MaxPooling2D), ("average", keras.layers.AveragePooling2D)]:
        expected = keras.ops.convert_to_numpy(layer_type(size, stride)(images))
        np.testing.assert_allclose(pool2d(images, size, stride, mode=mode), expected, atol=1e-6)


def test_output_size_and_same_padding():
    assert output_size(28, 3) == 26 and output_size(28, 3, 2) == 13 and output_size(28, 5, 1, "same") == 28
    assert output_size(9, 3, 2, "same") == 5
    assert same_padding(9, 3, 2) == (1, 1) and same_padding(10, 4, 2) == (1, 1) and same_padding(10, 3, 2) == (0, 1)


def test_receptive_fields_by_hand():
    assert receptive_fields([(3, 1), (3, 1)]) == [(3, 1), (5, 1)]
    assert receptive_fields([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]) == [(3, 1), (4, 2), (8, 2), (10, 4), (18, 4)]
    assert receptive_fields([]) == []


def test_bad_input_is_rejected_with_the_fix():
    image, kernel = np.zeros((1, 5, 5, 2)), np.zeros((3, 3, 2, 4))
    with pytest.raises(ValueError, match=r"images of shape \(n, height, width, channels\)"):
        conv2d(np.zeros((5, 5)), kernel)
    with pytest.raises(ValueError, match=r"kernel of shape \(kh, kw, in, out\) with in = 2"):
        conv2d(image, np.zeros((3, 3, 3, 4)))
    with pytest.raises(ValueError, match=r"kernel of shape \(kh, kw, out, in\) with in = 2"):
        conv2d_transpose(image, np.zeros((3, 3, 2, 4)))
    with pytest.raises(ValueError, match=r"bias of shape \(4,\)"):
        conv2d(image, kernel, bias=np.zeros(3))
    with pytest.raises(ValueError, match="stride must be a positive int"):
        conv2d(image, kernel, stride=0)
    with pytest.raises(ValueError, match="padding must be one of"):
        conv2d(image, kernel, padding="full")
    with pytest.raises(ValueError, match="does not fit in 5 pixels"):
        conv2d(image, np.zeros((7, 7, 2, 1)))
    with pytest.raises(ValueError, match="mode must be 'max' or 'average'"):
        pool2d(image, mode="median")
    with pytest.raises(ValueError, match="size must be a positive int"):
        output_size(0, 3)
    with pytest.raises(TypeError, match="list of \\(kernel_size, stride\\) pairs"):
        receptive_fields("3,1")
    with pytest.raises(ValueError, match="layer 1 must be a \\(kernel_size, stride\\) pair"):
        receptive_fields([(3, 1), 3])
    with pytest.raises(ValueError, match="layer 0's stride must be a positive int"):
        receptive_fields([(3, 0)])
