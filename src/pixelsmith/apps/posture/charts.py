"""History charts drawn on the server as SVG: no chart library, no JavaScript, no CDN.

`history_svg(stats, t)` draws one bar per bucket of `PostureService.stats()`: time in good, warn
and bad stacked (minutes, or hours when the bars are tall), and the alert count above each bar.
Text goes through `t` (the page's translator), so the chart speaks the page's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from xml.sax.saxutils import escape

COLORS = {"good": "#1f9d61", "warn": "#e0a100", "bad": "#d9443a"}
STACK = ("good", "warn", "bad")
# Wide: a desktop card (about 1000 px across). Compact: a phone (about 360 px), same font size
# on screen, so fewer day labels.
SIZES = {"wide": (960, 300), "compact": (360, 260)}
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 12, 58, 30


def _nice_max(value: float) -> tuple[float, float]:
    """A round axis maximum ≥ value and its tick step."""
    if value <= 0:
        return 1.0, 0.25
    for step in (0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 600, 1200, 2400):
        if value <= step * 4:
            return step * 4, step
    step = 10 ** len(str(int(value / 4)))
    return step * 4, step


def _label(period: str, start: str, lang: str) -> str:
    day = date.fromisoformat(start)
    if period == "month":
        return f"{day.year % 100:02d}.{day.month:02d}" if lang != "ko" else f"{day.month}월"
    return f"{day.month}/{day.day}" if lang != "ko" else f"{day.month}.{day.day}"


def history_svg(stats: dict, t: Callable[..., str], lang: str = "en", size: str = "wide") -> str:
    WIDTH, HEIGHT = SIZES[size]  # noqa: N806
    period = stats["period"]
    buckets = stats["buckets"]
    totals = [sum(b["seconds"][s] for s in STACK) for b in buckets]
    peak_min = max(totals, default=0.0) / 60
    in_hours = peak_min > 180
    unit = 60.0 if in_hours else 1.0
    top, step = _nice_max(peak_min / unit)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    n = max(len(buckets), 1)
    slot = plot_w / n
    bar_w = min(slot * 0.62, 36)
    unit_label = t("apps.posture.chart.hours") if in_hours else t("apps.posture.chart.minutes")
    title = t(f"apps.posture.chart.title.{period}")

    def y_of(value: float) -> float:
        return PAD_TOP + plot_h - (value / top) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="ph-title ph-desc" '
        "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans CJK KR', "
        '\'Apple SD Gothic Neo\', sans-serif" font-size="12">',
        f'<title id="ph-title">{escape(title)}</title>',
    ]
    desc = []
    for b, total in zip(buckets, totals, strict=True):
        if total > 0:
            desc.append(
                f"{b['start']}: "
                + ", ".join(
                    f"{t('apps.posture.state.' + s)} {round(b['seconds'][s] / 60)}" for s in STACK
                )
                + f" min, {t('apps.posture.chart.alerts')} {b['alerts']}"
            )
    parts.append(
        f'<desc id="ph-desc">{escape("; ".join(desc) or t("apps.posture.chart.empty"))}</desc>'
    )
    parts.append(f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>')
    # grid and y axis
    value = 0.0
    while value <= top + 1e-9:
        y = y_of(value)
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{"#c9cfdd" if value == 0 else "#eceef4"}" stroke-width="1"/>'
        )
        text = f"{value:g}"
        parts.append(
            f'<text x="{PAD_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" fill="#626b7e">'
            f"{text}</text>"
        )
        value += step
    parts.append(f'<text x="4" y="{PAD_TOP - 10}" fill="#626b7e">{escape(unit_label)}</text>')
    # bars
    label_every = max(1, round(n / (WIDTH - PAD_LEFT) * 52))  # a label per ~52 px
    for i, b in enumerate(buckets):
        cx = PAD_LEFT + slot * (i + 0.5)
        x = cx - bar_w / 2
        base = 0.0
        for state in STACK:
            minutes = b["seconds"][state] / 60 / unit
            if minutes <= 0:
                continue
            y0, y1 = y_of(base + minutes), y_of(base)
            parts.append(
                f'<rect x="{x:.1f}" y="{y0:.1f}" width="{bar_w:.1f}" '
                f'height="{max(y1 - y0, 0.8):.1f}" fill="{COLORS[state]}" '
                f'data-state="{state}"/>'
            )
            base += minutes
        if b["alerts"]:
            parts.append(
                f'<text x="{cx:.1f}" y="{y_of(base) - 6:.1f}" text-anchor="middle" '
                f'fill="#b42318" font-weight="700">{b["alerts"]}</text>'
            )
        if (n - 1 - i) % label_every == 0:  # always label the newest bucket
            parts.append(
                f'<text x="{cx:.1f}" y="{HEIGHT - PAD_BOTTOM + 17}" text-anchor="middle" '
                f'fill="#4b5366">{escape(_label(period, b["start"], lang))}</text>'
            )
    # legend (the alert note goes on its own line when the chart is narrow)
    lx = 4
    for state in STACK:
        name = escape(t(f"apps.posture.state.{state}"))
        parts.append(
            f'<rect x="{lx}" y="6" width="12" height="12" rx="3" fill="{COLORS[state]}"/>'
            f'<text x="{lx + 18}" y="16" fill="#161a25">{name}</text>'
        )
        lx += 34 + (13 if lang == "ko" else 7) * len(name)
    alerts_label = escape(t("apps.posture.chart.alert_marks"))
    ax, ay = (lx + 6, 16) if size == "wide" else (4, 33)
    parts.append(f'<text x="{ax}" y="{ay}" fill="#b42318" font-weight="700">3</text>')
    parts.append(f'<text x="{ax + 14}" y="{ay}" fill="#161a25">{alerts_label}</text>')
    if not any(totals):
        parts.append(
            f'<text x="{WIDTH / 2}" y="{PAD_TOP + plot_h / 2}" text-anchor="middle" '
            f'fill="#626b7e" font-size="15">{escape(t("apps.posture.chart.empty"))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
