"""Pictures of training with PIL alone: sample grids and loss curves."""

import math

import numpy as np
from PIL import Image, ImageDraw


def to_uint8(images):
    """Maps images in [-1, 1] to uint8 0..255 (values outside are clipped)."""
    images = np.asarray(images, dtype="float32")
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype("uint8")


def image_grid(images, columns=None, padding=2):
    """Tiles images in [-1, 1] into one square-ish PIL image.

    Args:
        images: `(N, H, W, C)` with C = 1 (grey) or 3 (colour), in [-1, 1].
        columns: images per row; by default `ceil(sqrt(N))`, a square grid.
        padding: pixels of black between images and around the grid.

    Returns:
        A PIL image, mode "L" for grey images and "RGB" for colour.

    Example:

    ```python
    grid = wk.visualization.image_grid(gan.generate(64, seed=0))  # 8 x 8
    grid.save("samples.png")
    ```
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            "`images` must have shape (N, H, W, 1) or (N, H, W, 3) with N >= 1. "
            f"Received: images with shape {images.shape}"
        )
    count, height, width, channels = images.shape
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    grid = np.zeros(
        (
            rows * (height + padding) + padding,
            columns * (width + padding) + padding,
            channels,
        ),
        dtype="uint8",
    )
    for index, image in enumerate(to_uint8(images)):
        row, column = divmod(index, columns)
        top = padding + row * (height + padding)
        left = padding + column * (width + padding)
        grid[top : top + height, left : left + width] = image
    if channels == 1:
        return Image.fromarray(grid[..., 0], "L")
    return Image.fromarray(grid, "RGB")


def scatter_plot(points, size=256, extent=None):
    """Draws 2-D points on a white square PIL image ("RGB").

    Args:
        points: `(N, 2)`.
        size: side in pixels.
        extent: half-width of the square shown around the origin; by default
            the largest absolute coordinate, padded by 5%.
    """
    points = np.asarray(points, dtype="float64")
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(
            f"`points` must have shape (N, 2). Received: points with shape "
            f"{points.shape}"
        )
    finite = points[np.all(np.isfinite(points), axis=1)]
    if extent is None:
        extent = 1.05 * float(np.abs(finite).max()) if len(finite) else 1.0
    extent = max(extent, 1e-6)
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    pixels = (finite + extent) / (2 * extent) * (size - 1)
    for x, y in pixels:
        y = size - 1 - y
        draw.ellipse((x - 1.5, y - 1.5, x + 1.5, y + 1.5), fill=(255, 140, 0))
    draw.text((4, 4), f"[-{extent:.3g}, {extent:.3g}]^2", fill="black")
    return image


def median_filter(values, window):
    """Running median over a centred window (shrunk at the ends)."""
    values = np.asarray(values, dtype="float64")
    half = max(int(window), 1) // 2
    return np.array(
        [np.median(values[max(0, i - half) : i + half + 1]) for i in range(len(values))]
    )


COLOURS = ((200, 30, 30), (30, 90, 200), (20, 140, 60), (150, 60, 170))


def plot_curves(curves, path, title="", background=(), width=640, height=320):
    """Draws named curves `{name: (x, y)}` on shared axes and saves a PNG.

    A small line plot with PIL, so training needs no plotting library. Each
    name is listed in the legend in its colour with its last value. Curves
    named in `background` (e.g. a noisy raw signal) are drawn pale, behind the
    others, and do not set the y range when other curves do (they are clipped
    to it).
    """
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    left, right, top, bottom = 60, width - 10, 24 + 12 * len(curves), height - 24
    series = [
        (name, np.asarray(x, "float64"), np.asarray(y, "float64"))
        for name, (x, y) in curves.items()
        if len(x) > 0
    ]
    # Background curves go first (drawn underneath); the others set the range.
    series.sort(key=lambda item: item[0] not in background)
    foreground = [y for name, _, y in series if name not in background]
    finite = [y[np.isfinite(y)] for y in foreground or [y for _, _, y in series]]
    finite = [y for y in finite if y.size]
    draw.text((left, 4), title, fill="black")
    if not finite:
        draw.text((left, height // 2), "no values yet", fill="black")
        image.save(path)
        return image
    y_low = min(float(y.min()) for y in finite)
    y_high = max(float(y.max()) for y in finite)
    x_low = min(float(x.min()) for _, x, _ in series)
    x_high = max(float(x.max()) for _, x, _ in series)
    y_span = max(y_high - y_low, 1e-12)
    x_span = max(x_high - x_low, 1e-12)

    def to_pixels(x, y):
        px = left + (x - x_low) / x_span * (right - left)
        py = bottom - (np.clip(y, y_low, y_high) - y_low) / y_span * (bottom - top)
        return list(zip(px.tolist(), py.tolist()))

    draw.rectangle((left, top, right, bottom), outline=(160, 160, 160))
    if y_low < 0 < y_high:  # the zero line
        zero = bottom - (0 - y_low) / y_span * (bottom - top)
        draw.line([(left, zero), (right, zero)], fill=(210, 210, 210))
    for label, value in ((f"{y_high:.4g}", top), (f"{y_low:.4g}", bottom)):
        draw.text((4, value - 6), label, fill="black")
    draw.text((left, bottom + 6), f"{x_low:.0f}", fill="black")
    draw.text((right - 50, bottom + 6), f"{x_high:.0f}", fill="black")
    for i, (name, x, y) in enumerate(series):
        colour = text_colour = COLOURS[i % len(COLOURS)]
        if name in background:  # pale: mixed 3:1 with white
            colour = tuple((c + 3 * 255) // 4 for c in colour)
        keep = np.isfinite(y)
        points = to_pixels(x[keep], y[keep])
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)
        elif points:
            px, py = points[0]
            draw.ellipse((px - 2, py - 2, px + 2, py + 2), fill=colour)
        draw.text(
            (left + 6, 18 + 12 * i), f"{name}: {y[keep][-1]:.4g}", fill=text_colour
        )
    image.save(path)
    return image
