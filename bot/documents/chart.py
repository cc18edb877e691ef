"""The summary chart as a PNG drawn with Pillow: horizontal bars, one or two series, labels and values."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

WIDTH = 1400  # pixels; placed 16 cm wide in the document, so about 220 dpi
MAX_BARS = 16
COLOURS = ((11, 85, 99), (230, 145, 56))  # teal (the app icon's colour) and orange: readable in greyscale too
FONTS = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf")
INK, GRID, BACKGROUND = (33, 33, 33), (215, 215, 215), (255, 255, 255)


@dataclass(frozen=True)
class Bar:
    """One row of the chart: a label and one value per series."""

    label: str
    values: tuple[float, ...]


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans (Debian's fonts-dejavu-core, in the Docker image) or Liberation Sans: both draw æøå.

    Pillow's bundled font is the last resort: it has no æ, ø or å, so Norwegian labels would show boxes.
    """
    for name in FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _clip(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> str:
    """`text` shortened with an ellipsis to fit `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def bar_chart(title: str, bars: Sequence[Bar], legend: Sequence[str], fmt: Callable[[float], str]) -> bytes:
    """A PNG of horizontal bars (the first MAX_BARS rows), each series in its own colour, values at the bar ends."""
    bars = list(bars)[:MAX_BARS]
    series = max((len(b.values) for b in bars), default=1)
    row_h, bar_h = 24 * series + 22, 22
    top = 90 if len(legend) > 1 else 64
    height = top + max(1, len(bars)) * row_h + 24
    img = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(img)
    title_font, font = _font(30), _font(22)
    draw.text((20, 14), title, fill=INK, font=title_font)
    if len(legend) > 1:
        x = 20
        for i, name in enumerate(legend):
            draw.rectangle((x, 58, x + 18, 76), fill=COLOURS[i % len(COLOURS)])
            draw.text((x + 26, 55), name, fill=INK, font=font)
            x += 60 + int(draw.textlength(name, font=font))
    label_w = 430
    widest = max((draw.textlength(fmt(v), font=font) for b in bars for v in b.values), default=0.0)
    left, right = 20 + label_w + 10, WIDTH - 30 - int(widest)  # the longest value label fits after the longest bar
    biggest = max((v for b in bars for v in b.values), default=0.0) or 1.0
    draw.line((left, top - 6, left, height - 16), fill=GRID, width=2)
    for r, b in enumerate(bars):
        y = top + r * row_h
        draw.text((20, y + 6), _clip(draw, b.label, font, label_w), fill=INK, font=font)
        for s, value in enumerate(b.values):
            y0 = y + s * 24
            end = left + int((right - left) * max(0.0, value) / biggest)
            draw.rectangle((left, y0, max(left + 1, end), y0 + bar_h - 2), fill=COLOURS[s % len(COLOURS)])
            draw.text((end + 8, y0 - 1), fmt(value), fill=INK, font=font)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False)
    return out.getvalue()
