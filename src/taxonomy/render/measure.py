"""Measuring and wrapping a picture's text as matplotlib will draw it (DejaVu Sans)."""

from __future__ import annotations

import functools

__all__ = ["LINE_SPACING", "text_height", "text_width", "wrap"]

#: Line spacing, as a multiple of the font size.
LINE_SPACING = 1.22


@functools.lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` in inches, as matplotlib will draw it."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    width, _, _ = TextToPath().get_text_width_height_descent(text, prop, ismath=False)
    return float(width) / 72


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` inches: whole words, a word too long broken."""
    lines: list[str] = []
    line = ""
    width *= 0.97  # room for the renderer's rounding at other resolutions
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while text_width(word, size, bold) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut] + "-", size, bold) > width:
                cut -= 1
            lines.append(word[:cut] + "-")
            word = word[cut:]
        line = word
    if line or not lines:
        lines.append(line)
    return lines


def text_height(lines: int, size: float) -> float:
    """The height of ``lines`` lines of text of ``size`` points, in inches."""
    return lines * size * LINE_SPACING / 72
