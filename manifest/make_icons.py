"""Draw the Teams app icons color.png (192x192) and outline.png (32x32, white on transparent): python manifest/make_icons.py"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
TEAL = (11, 85, 99, 255)  # accentColor #0B5563
TEAL_LIGHT = (33, 128, 141, 255)
AMBER = (242, 165, 65, 255)
WHITE = (255, 255, 255, 255)
SCALE = 8  # draw large, then downsample for smooth edges


def _bubble(d: ImageDraw.ImageDraw, box: tuple[float, float, float, float], r: float, tail: list[tuple[float, float]],
            fill=None, outline=None, width: int = 0) -> None:
    d.rounded_rectangle(box, radius=r, fill=fill, outline=outline, width=width)
    d.polygon(tail, fill=fill or outline)


def _person(d: ImageDraw.ImageDraw, cx: float, top: float, head: float, colour) -> None:
    d.ellipse((cx - head, top, cx + head, top + 2 * head), fill=colour)
    body_top = top + 2.25 * head
    d.pieslice((cx - 1.9 * head, body_top, cx + 1.9 * head, body_top + 3.4 * head), 180, 360, fill=colour)


def _check(d: ImageDraw.ImageDraw, pts: list[tuple[float, float]], colour, width: int) -> None:
    d.line(pts, fill=colour, width=width, joint="curve")
    for x, y in (pts[0], pts[-1]):
        d.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=colour)


def color_icon() -> Image.Image:
    """A speech bubble with three people (the faggruppe) and an amber check badge, on the cooperation's teal."""
    s = 192 * SCALE
    img = Image.new("RGBA", (s, s), TEAL)
    d = ImageDraw.Draw(img)
    u = SCALE
    _bubble(d, (30 * u, 38 * u, 162 * u, 130 * u), 22 * u, [(52 * u, 124 * u), (46 * u, 156 * u), (84 * u, 126 * u)], fill=WHITE)
    _person(d, 67 * u, 64 * u, 10 * u, TEAL_LIGHT)
    _person(d, 125 * u, 64 * u, 10 * u, TEAL_LIGHT)
    _person(d, 96 * u, 56 * u, 13 * u, TEAL)
    d.ellipse((126 * u, 118 * u, 174 * u, 166 * u), fill=AMBER, outline=TEAL, width=5 * u)
    _check(d, [(138 * u, 142 * u), (147 * u, 151 * u), (163 * u, 133 * u)], WHITE, 7 * u)
    return img.resize((192, 192), Image.Resampling.LANCZOS)


def outline_icon() -> Image.Image:
    """The same bubble as a white outline with a check mark, on transparent."""
    s = 32 * SCALE
    img = Image.new("RGBA", (s, s), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    u = SCALE
    _bubble(d, (3 * u, 4 * u, 29 * u, 23 * u), 5 * u, [(7 * u, 22 * u), (6 * u, 29 * u), (14 * u, 22 * u)],
            outline=WHITE, width=int(2.2 * u))
    d.polygon([(8.5 * u, 20.6 * u), (8 * u, 25.5 * u), (12.5 * u, 20.6 * u)], fill=(255, 255, 255, 0))
    _check(d, [(10 * u, 13.5 * u), (14 * u, 17.5 * u), (22 * u, 9.5 * u)], WHITE, int(2.6 * u))
    out = img.resize((32, 32), Image.Resampling.LANCZOS)
    # Keep every visible pixel pure white; only alpha carries the anti-aliasing.
    alpha = out.getchannel("A")
    white = Image.new("RGBA", (32, 32), (255, 255, 255, 0))
    white.putalpha(alpha)
    return white


def main() -> None:
    """Write both icons next to the manifest."""
    color_icon().save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)
    preview = Image.new("RGBA", (320, 160), (70, 70, 80, 255))
    preview.alpha_composite(outline_icon().resize((128, 128), Image.Resampling.NEAREST), (176, 16))
    preview.alpha_composite(color_icon().resize((128, 128), Image.Resampling.LANCZOS), (16, 16))
    preview.save(HERE.parent / "build" / "icon-preview.png") if (HERE.parent / "build").is_dir() else None


if __name__ == "__main__":
    main()
