"""Small SVG charts, drawn on the server so pages and PDFs need no script.

Every bar carries its number and name as text: colour is never the only signal. Names sit
above their bars and the charts carry only a `viewBox`, so they scale to the width they are
given (a phone, a sidebar, an A4 page) without cutting a name off or scrolling sideways.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# One colour per pattern, in the framework's order; patterns beyond these reuse them.
PALETTE = ("#1f6feb", "#8250df", "#bf8700", "#1a7f37", "#cf222e", "#57606a")
RULED_OUT = "#8c959f"
WIDTH = 400
ROW = 36
BAR_TOP = 18  # the name's line above the bar
BAR_HEIGHT = 12
NUMBER_ROOM = 44  # to the right of the longest bar


def _bars(rows: list[tuple[str, float, float, str]], label: str, css_class: str) -> SafeString:
    """`rows` are (name, value, share of the longest bar 0-1, colour)."""
    parts = []
    for index, (name, value, share, colour) in enumerate(rows):
        y = index * ROW
        length = max(share, 0.0) * (WIDTH - NUMBER_ROOM)
        parts.append((y + 12, name, y + BAR_TOP, f"{length:.1f}", BAR_HEIGHT, colour,
                      f"{length + 6:.1f}", y + BAR_TOP + 10, f"{value:g}"))  # fmt: skip
    body = format_html_join(
        "",
        '<text x="0" y="{}" font-size="12">{}</text>'
        '<rect x="0" y="{}" width="{}" height="{}" fill="{}"></rect>'
        '<text x="{}" y="{}" font-size="12">{}</text>',
        parts,
    )
    height = ROW * len(rows)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" role="img" aria-label="{}" '
        'viewBox="0 0 {} {}" preserveAspectRatio="xMinYMin meet">{}</svg>',
        css_class, label, WIDTH, height, body,
    )  # fmt: skip


def score_chart_svg(options, order: tuple[str, ...]) -> SafeString:
    """One bar 0-100 per considered option, the chosen one marked. Each pattern keeps its
    colour (its place in `order`, the framework's pattern order) on every chart."""
    rows = []
    for option in options:
        place = order.index(option.key) if option.key in order else len(PALETTE) - 1
        colour = PALETTE[place % len(PALETTE)] if option.viable else RULED_OUT
        mark = " (chosen)" if option.chosen else ""
        ruled = f" ({option.out_word})" if option.out_word else ""
        rows.append((option.name + mark + ruled, option.score, option.score / 100, colour))
    return _bars(rows, "Scores of the considered options", "chart score-chart")


def pattern_mix_svg(counts: dict[str, int], names: dict[str, str]) -> SafeString:
    """One bar per pattern chosen in a system, with its count."""
    order = list(names)
    keys = sorted(counts, key=lambda key: order.index(key) if key in order else len(order))
    most = max(counts.values(), default=1) or 1
    rows = [
        (
            names.get(key, key),
            counts[key],
            counts[key] / most,
            PALETTE[order.index(key) % len(PALETTE)] if key in order else PALETTE[-1],
        )
        for key in keys
    ]
    return _bars(rows, "Patterns chosen", "chart mix-chart")
