"""Pictures of training: sample grids (PIL), curves and toy plots (matplotlib)."""

import io
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


def _figure(width, height):
    """A matplotlib figure drawn by Agg into memory.

    The object-oriented API, not pyplot: it leaves the process's plotting
    backend (a notebook's, say) and pyplot's figure list alone.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width / 100, height / 100), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _save_figure(figure, path):
    """Saves `figure` as an RGB PNG at `path` and returns it as a PIL image."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    buffer.seek(0)
    image = Image.open(buffer).convert("RGB")
    image.save(path)
    return image


def plot_curves(
    curves,
    path,
    title="",
    background=(),
    width=640,
    height=320,
    xlabel="generator step",
    ylabel="Wasserstein estimate",
):
    """Draws named curves `{name: (x, y)}` on shared axes and saves a PNG.

    A matplotlib line plot (drawn by Agg) with labelled axes, ticks, a legend
    (each name with its last value) and a title. Curves named in `background`
    (e.g. a noisy raw signal) are drawn pale, behind the others, and do not
    set the y range when other curves do.

    Args:
        curves: `{name: (x, y)}`, drawn in order.
        path: the PNG to write.
        title: the plot's title.
        background: names of curves to draw pale, underneath.
        width, height: the picture's size in pixels.
        xlabel, ylabel: the axes' labels.

    Returns:
        The picture as a PIL image ("RGB", `width x height`).

    Example:

    ```python
    wk.visualization.plot_curves({"estimate": (steps, values)}, "curve.png")
    ```
    """
    figure = _figure(width, height)
    axes = figure.add_subplot()
    series = [
        (name, np.asarray(x, "float64"), np.asarray(y, "float64"))
        for name, (x, y) in curves.items()
        if len(x) > 0
    ]
    foreground = [y[np.isfinite(y)] for name, _, y in series if name not in background]
    foreground = [y for y in foreground if y.size]
    for name, x, y in series:
        keep = np.isfinite(y)
        if not keep.any():
            continue
        label = f"{name}: {y[keep][-1]:.4g}"
        pale = name in background
        axes.plot(
            x[keep],
            y[keep],
            label=label,
            alpha=0.35 if pale else 1.0,
            linewidth=1 if pale else 1.8,
            marker="o" if keep.sum() == 1 else None,
            zorder=1 if pale else 2,
        )
    if foreground:
        low = min(float(y.min()) for y in foreground)
        high = max(float(y.max()) for y in foreground)
        margin = 0.05 * max(high - low, 1e-12)
        axes.set_ylim(low - margin, high + margin)
    if series:
        axes.axhline(0.0, color="0.8", linewidth=0.8, zorder=0)
        axes.legend(fontsize="small", loc="best")
    else:
        axes.text(0.5, 0.5, "no values yet", ha="center", transform=axes.transAxes)
    axes.set_title(title, fontsize="medium")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    return _save_figure(figure, path)


def plot_toy(critic, real, fake, path, extent=2.0, size=512, title=""):
    """The 2-D toy picture: the critic's values under real and generated points.

    Args:
        critic: a function from `(n, 2)` float32 points to `(n,)` or `(n, 1)`
            scores, or None for no background.
        real: `(n, 2)` real samples, drawn in blue.
        fake: `(m, 2)` generated samples, drawn in orange.
        path: the PNG to write.
        extent: the square shown is `[-extent, extent]^2`.
        size: the picture's side in pixels.
        title: the plot's title.

    Returns:
        The picture as a PIL image ("RGB").

    Example:

    ```python
    wk.visualization.plot_toy(
        lambda x: gan.critic(x, training=False), real, gan.generate(1000), "toy.png"
    )
    ```
    """
    figure = _figure(size, size)
    axes = figure.add_subplot()
    if critic is not None:
        axis = np.linspace(-extent, extent, 128, dtype="float32")
        grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
        scores = np.asarray(critic(grid), "float64").reshape(128, 128)
        mesh = axes.contourf(axis, axis, scores, levels=20, cmap="Greys_r", alpha=0.6)
        figure.colorbar(mesh, ax=axes, label="critic value", fraction=0.046)
    for points, label, colour in (
        (real, "real", "tab:blue"),
        (fake, "generated", "tab:orange"),
    ):
        points = np.asarray(points)
        axes.scatter(points[:, 0], points[:, 1], s=3, c=colour, label=label)
    axes.set_xlim(-extent, extent)
    axes.set_ylim(-extent, extent)
    axes.set_aspect("equal")
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    axes.set_title(title, fontsize="medium")
    axes.legend(loc="upper right", fontsize="small", markerscale=3)
    figure.tight_layout()
    return _save_figure(figure, path)


def slerp(a, b, t):
    """Spherical interpolation from `a` (t=0) to `b` (t=1), one row per `t`.

    Walks the great circle between two latent vectors, which keeps the
    noise's norm typical where a straight line would pass near the origin.

    Args:
        a, b: `(latent_dim,)` vectors.
        t: a sequence of positions in [0, 1].

    Returns:
        `(len(t), latent_dim)`.

    Example:

    ```python
    z = wk.visualization.slerp(z0, z1, np.linspace(0, 1, 10))
    ```

    Reference:
        White 2016, "Sampling Generative Networks".
    """
    a_unit = a / np.linalg.norm(a)
    b_unit = b / np.linalg.norm(b)
    omega = np.arccos(np.clip(np.dot(a_unit, b_unit), -1.0, 1.0))
    t = np.asarray(t)[:, None]
    if omega < 1e-6:  # (anti)parallel ends: a straight line is as good
        return (1 - t) * a + t * b
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


def sample_pictures(sample, latent_dim, num_samples=64, rows=8, steps=10, seed=0):
    """A generator's pictures: a grid (or 2-D scatter plot) and latent walks.

    Args:
        sample: a function from `(n, latent_dim)` float32 noise to samples as
            numpy (a Keras generator, a SavedModel's signature, ...).
        latent_dim: the noise size.
        num_samples: samples in the grid, from `default_rng(seed)` noise.
        rows: interpolation strips (images only).
        steps: images per strip, along the great circle between two random
            noise vectors (`slerp`).
        seed: seed of all the noise.

    Returns:
        `{"samples.png": image}`, and `"interpolation.png"` for images.

    Example:

    ```python
    g = wk.load_generator("mnist_dcgan_gp")
    sample = lambda z: keras.ops.convert_to_numpy(g(z, training=False))
    for name, image in wk.visualization.sample_pictures(sample, 128).items():
        image.save(name)
    ```
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((num_samples, latent_dim)).astype("float32")
    samples = np.asarray(sample(z))
    if samples.ndim == 2 and samples.shape[1] == 2:
        return {"samples.png": scatter_plot(samples)}
    pictures = {"samples.png": image_grid(samples)}
    if samples.ndim == 4:
        ends = rng.standard_normal((rows, 2, latent_dim))
        t = np.linspace(0.0, 1.0, steps)
        walk = np.concatenate([slerp(a, b, t) for a, b in ends]).astype("float32")
        pictures["interpolation.png"] = image_grid(sample(walk), columns=steps)
    return pictures
