"""Convolution, pooling and transposed convolution written out in NumPy, and receptive-field arithmetic.

Reference versions for reading, not for speed: each equals the Keras layer given the same weights (chapter 02
checks it). Layouts are Keras's: images (n, height, width, channels); a Conv2D kernel (kh, kw, in, out); a
Conv2DTranspose kernel (kh, kw, out, in). Like every deep-learning library, ``conv2d`` computes a
cross-correlation: the kernel is not flipped.
"""

from __future__ import annotations

import numpy as np

from dlnotes.validation import positive_int

PADDINGS = ("valid", "same")


def _check_padding(caller: str, padding) -> str:
    if padding not in PADDINGS:
        raise ValueError(f"{caller}: padding must be one of {PADDINGS}, got {padding!r}")
    return padding


def _images(caller: str, images) -> np.ndarray:
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4:
        raise ValueError(f"{caller}: expected images of shape (n, height, width, channels), got shape {images.shape}")
    return images


def _kernel_and_bias(caller: str, kernel, bias, channels_in: int, in_axis: int) -> tuple[np.ndarray, np.ndarray]:
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 4 or kernel.shape[in_axis] != channels_in:
        layout = "(kh, kw, in, out)" if in_axis == 2 else "(kh, kw, out, in)"
        raise ValueError(
            f"{caller}: expected a kernel of shape {layout} with in = {channels_in} (the images' channels), "
            f"got shape {kernel.shape}"
        )
    channels_out = kernel.shape[5 - in_axis]
    bias = np.zeros(channels_out) if bias is None else np.asarray(bias, dtype=np.float64)
    if bias.shape != (channels_out,):
        raise ValueError(f"{caller}: expected a bias of shape ({channels_out},), one per output channel, got {bias.shape}")
    return kernel, bias


def output_size(size: int, kernel_size: int, stride: int = 1, padding: str = "valid") -> int:
    """Length of a convolution's output along one axis: ceil((size - kernel + 1) / stride) ('valid') or
    ceil(size / stride) ('same')."""
    size, kernel_size = positive_int("output_size", "size", size), positive_int("output_size", "kernel_size", kernel_size)
    stride, padding = positive_int("output_size", "stride", stride), _check_padding("output_size", padding)
    if padding == "same":
        return -(-size // stride)
    if kernel_size > size:
        raise ValueError(f"output_size: a kernel of {kernel_size} does not fit in {size} pixels without padding")
    return -(-(size - kernel_size + 1) // stride)


def same_padding(size: int, kernel_size: int, stride: int) -> tuple[int, int]:
    """Zeros added before and after an axis by 'same' padding (TensorFlow's rule: the odd one goes after)."""
    total = max((output_size(size, kernel_size, stride, "same") - 1) * stride + kernel_size - size, 0)
    return total // 2, total - total // 2


def _pad(images: np.ndarray, kernel_size: tuple[int, int], stride: int, padding: str) -> np.ndarray:
    if padding == "valid":
        return images
    (top, bottom), (left, right) = (same_padding(images.shape[axis], kernel_size[axis - 1], stride) for axis in (1, 2))
    return np.pad(images, ((0, 0), (top, bottom), (left, right), (0, 0)))


def _windows(images: np.ndarray, kernel_size: tuple[int, int], stride: int) -> np.ndarray:
    """Every kh x kw window the kernel visits: shape (n, out_h, out_w, kh, kw, channels)."""
    windows = np.lib.stride_tricks.sliding_window_view(images, kernel_size, axis=(1, 2))  # (n, h', w', c, kh, kw)
    return windows[:, ::stride, ::stride].transpose(0, 1, 2, 4, 5, 3)


def conv2d(images, kernel, bias=None, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """Slide the kernel over the images and take a dot product at each stop: equals ``keras.layers.Conv2D``."""
    images = _images("conv2d", images)
    kernel, bias = _kernel_and_bias("conv2d", kernel, bias, images.shape[3], in_axis=2)
    stride, padding = positive_int("conv2d", "stride", stride), _check_padding("conv2d", padding)
    size = kernel.shape[:2]
    for axis in (1, 2):
        output_size(images.shape[axis], size[axis - 1], stride, padding)  # raises if the kernel does not fit
    windows = _windows(_pad(images, size, stride, padding), size, stride)
    # sum over the window's rows, columns and input channels: one dot product per output pixel and filter
    return np.einsum("nhwijc,ijco->nhwo", windows, kernel) + bias


def pool2d(images, size: int = 2, stride: int | None = None, mode: str = "max") -> np.ndarray:
    """Max or average pooling over size x size windows ('valid' padding; stride defaults to size), as Keras's."""
    images = _images("pool2d", images)
    size = positive_int("pool2d", "size", size)
    stride = size if stride is None else positive_int("pool2d", "stride", stride)
    if mode not in ("max", "average"):
        raise ValueError(f"pool2d: mode must be 'max' or 'average', got {mode!r}")
    for axis in (1, 2):
        output_size(images.shape[axis], size, stride)
    windows = _windows(images, (size, size), stride)
    return windows.max(axis=(3, 4)) if mode == "max" else windows.mean(axis=(3, 4))


def conv2d_transpose(images, kernel, bias=None, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """Each input pixel stamps the kernel, scaled by its value, onto the output, ``stride`` pixels apart from its
    neighbour's stamp; overlapping stamps add up. Equals ``keras.layers.Conv2DTranspose`` (no output_padding).

    Output side: (size - 1) * stride + kernel ('valid'; size * stride when the kernel is smaller than the stride, the
    gaps between stamps left at 0), size * stride ('same', cropped as TensorFlow does).
    """
    images = _images("conv2d_transpose", images)
    kernel, bias = _kernel_and_bias("conv2d_transpose", kernel, bias, images.shape[3], in_axis=3)
    stride, padding = positive_int("conv2d_transpose", "stride", stride), _check_padding("conv2d_transpose", padding)
    n, height, width, _ = images.shape
    kh, kw, channels_out, _ = kernel.shape
    full = np.zeros((n, (height - 1) * stride + max(kh, stride), (width - 1) * stride + max(kw, stride), channels_out))
    stamps = np.einsum("nhwc,ijoc->nhwijo", images, kernel)  # the kernel scaled by every input pixel
    for row in range(height):
        for col in range(width):
            full[:, row * stride : row * stride + kh, col * stride : col * stride + kw] += stamps[:, row, col]
    if padding == "same":
        # the transpose of a 'same' convolution of an image of side size * stride: drop what that one padded
        top, left = same_padding(height * stride, kh, stride)[0], same_padding(width * stride, kw, stride)[0]
        full = full[:, top : top + height * stride, left : left + width * stride]
    return full + bias


def receptive_fields(layers) -> list[tuple[int, int]]:
    """Receptive field and jump after each layer of a stack of (kernel_size, stride) layers, e.g. convolutions and
    poolings. The receptive field is the side of the input patch one output pixel sees; the jump is how many input
    pixels apart two neighbouring output pixels are:  r = r_prev + (k - 1) * j_prev,  j = j_prev * s."""
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"receptive_fields: expected a list of (kernel_size, stride) pairs, got {layers!r}")
    field, jump, found = 1, 1, []
    for index, layer in enumerate(layers):
        if not (isinstance(layer, (tuple, list)) and len(layer) == 2):
            raise ValueError(f"receptive_fields: layer {index} must be a (kernel_size, stride) pair, got {layer!r}")
        kernel_size = positive_int("receptive_fields", f"layer {index}'s kernel_size", layer[0])
        stride = positive_int("receptive_fields", f"layer {index}'s stride", layer[1])
        field, jump = field + (kernel_size - 1) * jump, jump * stride
        found.append((field, jump))
    return found
