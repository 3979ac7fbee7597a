"""Drawing on Sketch Studio's canvas with the mouse, as a user does."""

from __future__ import annotations


def ink(page) -> float:
    """The share of the canvas that holds ink (0..1)."""
    return page.evaluate("() => window.studioSketch.inkRatio()")


def draw(page, points, *, steps=8) -> None:
    """One stroke through `points`, given as fractions (x, y) of the canvas's size."""
    page.locator("#sketch-canvas").evaluate("c => c.scrollIntoView({block: 'center'})")
    box = page.locator("#sketch-canvas").bounding_box()
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0] * box["width"], y0 + points[0][1] * box["height"])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(x0 + x * box["width"], y0 + y * box["height"], steps=steps)
    page.mouse.up()
