"""PNG bytes for the page: thumbnails and attribution overlays (zlib only, no imaging library)."""

from __future__ import annotations

import struct
import zlib

import numpy as np

# Five stops of a perceptual "inferno"-like ramp for positive maps, and a blue-white-red one for
# signed maps; interpolated linearly.
_HEAT = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], float)
_DIVERGING = np.array([[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [178, 24, 43]], float)


def png(pixels: np.ndarray) -> bytes:
    """Encode uint8 ``[H, W]`` (gray), ``[H, W, 3]`` (RGB) or ``[H, W, 4]`` (RGBA) as PNG.

    Example:
        >>> png(np.zeros((2, 2), np.uint8))[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    a = np.ascontiguousarray(pixels, dtype=np.uint8)
    if a.ndim == 2:
        color, channels = 0, 1
    else:
        channels = a.shape[2]
        color = {3: 2, 4: 6}[channels]
    h, w = a.shape[:2]
    raw = np.concatenate([np.zeros((h, 1), np.uint8), a.reshape(h, w * channels)], axis=1).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    head = struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def colorize(values: np.ndarray, signed: bool) -> np.ndarray:
    """Map values to RGB uint8: [0, 1] on the heat ramp, or [-1, 1] on the diverging one."""
    stops = _DIVERGING if signed else _HEAT
    t = (np.clip(values, -1, 1) + 1) / 2 if signed else np.clip(values, 0, 1)
    pos = t * (len(stops) - 1)
    lo = np.floor(pos).astype(int).clip(0, len(stops) - 2)
    frac = (pos - lo)[..., None]
    return (stops[lo] * (1 - frac) + stops[lo + 1] * frac).round().astype(np.uint8)  # type: ignore[no-any-return]


def overlay(thumb: np.ndarray, heat: np.ndarray, signed: bool, alpha: float = 0.6) -> np.ndarray:
    """The attribution map over the example, as RGB uint8 at the map's size.

    ``heat`` is normalized by its largest absolute value; the example (``thumb``, gray or RGB)
    is resized to the map's size by nearest neighbour and dimmed underneath.
    """
    h, w = heat.shape
    base = thumb.astype(np.float64)
    if base.ndim == 2:
        base = np.repeat(base[..., None], 3, axis=2)
    ys = (np.arange(h) * base.shape[0] / h).astype(int)
    xs = (np.arange(w) * base.shape[1] / w).astype(int)
    base = base[ys][:, xs]
    scale = float(np.abs(heat).max()) or 1.0
    v = heat / scale
    color = colorize(v, signed).astype(np.float64)
    weight = alpha * (np.abs(v) if signed else np.clip(v, 0, 1)) ** 0.5
    out = base * 0.55 * (1 - weight[..., None]) + color * weight[..., None]
    return out.round().clip(0, 255).astype(np.uint8)  # type: ignore[no-any-return]
