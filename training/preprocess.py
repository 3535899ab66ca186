"""Turning a drawing into an MNIST-like 28×28 image, the way MNIST itself was made.

LeCun et al.: each digit was size-normalised to fit a 20×20 box, keeping its aspect ratio
(with anti-aliasing, hence grey levels), then placed in a 28×28 image so that its centre of
mass sits at the centre.  A drawing from a canvas differs from that in every respect (size,
position, stroke polarity), so the same steps are applied before the network sees it.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

INK_THRESHOLD = 0.1  # fraction of full intensity below which a pixel counts as background
MIN_SIZE, MAX_SIZE = 28, 1024


class DrawingError(ValueError):
    pass


def as_tensor(pixels) -> torch.Tensor:
    """A 2-D list/array/tensor of 0..255 or 0..1 values → float tensor in 0..1."""
    try:
        if isinstance(pixels, torch.Tensor):
            pixels = pixels.detach().cpu().numpy()
        grid = np.asarray(pixels, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise DrawingError("pixels must be a rectangular grid of numbers") from error
    if grid.ndim != 2:
        raise DrawingError(f"pixels must be a 2-D grid, got {grid.ndim} dimensions")
    height, width = grid.shape
    if min(height, width) < MIN_SIZE or max(height, width) > MAX_SIZE:
        raise DrawingError(
            f"the drawing must be between {MIN_SIZE} and {MAX_SIZE} pixels on each side, "
            f"got {width}×{height}"
        )
    # numpy answers these in microseconds; the equivalent torch calls cost milliseconds here.
    if not np.isfinite(grid).all() or grid.min() < 0:
        raise DrawingError("pixel values must be finite and not negative")
    peak = float(grid.max())
    if peak > 255:
        raise DrawingError("pixel values must be in 0..255 (or 0..1)")
    image = torch.from_numpy(grid)
    return image / 255.0 if peak > 1 else image


def to_mnist(pixels) -> torch.Tensor:
    """Return a 28×28 float tensor (0 background, 1 ink), centred by mass, digit in 20×20."""
    image = as_tensor(pixels)
    # MNIST is white ink on black.  A drawing on a light background is inverted first:
    # the border is almost all background, so its median tells which one the background is.
    border = torch.cat([image[0], image[-1], image[:, 0], image[:, -1]])
    if border.median() > 0.5:
        image = 1.0 - image
    ink = image > INK_THRESHOLD
    if not ink.any():
        raise DrawingError("the drawing is empty: draw a digit first")
    rows, columns = ink.any(1).nonzero().flatten(), ink.any(0).nonzero().flatten()
    cropped = image[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]

    height, width = cropped.shape
    scale = 20.0 / max(height, width)
    new_height = max(1, round(height * scale))
    new_width = max(1, round(width * scale))
    resized = F.interpolate(
        cropped[None, None],
        size=(new_height, new_width),
        mode="bilinear",
        antialias=True,
        align_corners=False,
    )[0, 0].clamp(0, 1)

    # Put the centre of mass at (14, 14) in pixel indices, where MNIST's are (mean 13.99,
    # 14.01 on the test set); keep the whole digit inside the image.
    total = resized.sum()
    ys = torch.arange(new_height, dtype=torch.float32)
    xs = torch.arange(new_width, dtype=torch.float32)
    centre_y = float((resized.sum(1) * ys).sum() / total)
    centre_x = float((resized.sum(0) * xs).sum() / total)
    top = min(max(round(14 - centre_y), 0), 28 - new_height)
    left = min(max(round(14 - centre_x), 0), 28 - new_width)
    canvas = torch.zeros(28, 28)
    canvas[top : top + new_height, left : left + new_width] = resized
    return canvas


def centre_of_mass(image: torch.Tensor) -> tuple[float, float]:
    total = image.sum()
    ys = torch.arange(image.shape[0], dtype=torch.float32)
    xs = torch.arange(image.shape[1], dtype=torch.float32)
    return float((image.sum(1) * ys).sum() / total), float((image.sum(0) * xs).sum() / total)
