"""Small SVG charts, drawn on the server so pages and PDFs need no script.

Every bar carries its number and name as text: colour is never the only signal.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# One colour per pattern, in the framework's order; patterns beyond these reuse them.
PALETTE = ("#1f6feb", "#8250df", "#bf8700", "#1a7f37", "#cf222e", "#57606a")


def score_chart_svg(options, order: tuple[str, ...]) -> SafeString:
    """Horizontal bars 0-100, one per considered option, the chosen one marked. Each pattern
    keeps its colour (its place in `order`, the framework's pattern order) on every chart."""
    row, width, label_width = 26, 640, 330
    height = row * len(options) + 8
    bars = []
    for index, option in enumerate(options):
        y = 4 + index * row
        length = (width - label_width - 50) * option.score / 100
        place = order.index(option.key) if option.key in order else len(PALETTE) - 1
        fill = PALETTE[place % len(PALETTE)] if option.viable else "#8c959f"
        mark = " (chosen)" if option.chosen else ""
        ruled = " (ruled out)" if not option.viable else ""
        bars.append((y + 15, option.name + mark + ruled, label_width, y + 4, f"{length:.1f}",
                     fill, f"{label_width + length + 6:.1f}", y + 15, option.score))  # fmt: skip
    body = format_html_join(
        "",
        '<text x="0" y="{}" font-size="11">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="14" fill="{}"></rect>'
        '<text x="{}" y="{}" font-size="11">{}</text>',
        bars,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="score-chart" role="img" '
        'aria-label="Scores of the considered options" width="{}" height="{}" '
        'viewBox="0 0 {} {}">{}</svg>',
        width, height, width, height, body,
    )  # fmt: skip


def pattern_mix_svg(counts: dict[str, int], names: dict[str, str]) -> SafeString:
    """One bar per pattern chosen in a system, with its count."""
    order = list(names)
    keys = sorted(counts, key=lambda key: order.index(key) if key in order else len(order))
    most = max(counts.values(), default=1)
    row, width, label_width = 22, 320, 170
    bars = []
    for index, key in enumerate(keys):
        y = 2 + index * row
        length = (width - label_width - 30) * counts[key] / most
        colour = PALETTE[order.index(key) % len(PALETTE)] if key in order else PALETTE[-1]
        bars.append((y + 13, names.get(key, key), label_width, y + 2, f"{length:.1f}", colour,
                     f"{label_width + length + 5:.1f}", y + 13, counts[key]))  # fmt: skip
    body = format_html_join(
        "",
        '<text x="0" y="{}" font-size="11">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="14" fill="{}"></rect>'
        '<text x="{}" y="{}" font-size="11">{}</text>',
        bars,
    )
    height = row * len(keys) + 4
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Patterns chosen" '
        'width="{}" height="{}" viewBox="0 0 {} {}">{}</svg>',
        width, height, width, height, body,
    )  # fmt: skip
