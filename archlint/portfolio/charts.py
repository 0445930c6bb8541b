"""Inline SVG bar charts: no script, no external file, readable in print.

Colours are from the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies), every bar carries its value as text, and each series has a legend entry, so
nothing depends on telling colours apart. Every label goes through markupsafe's escape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

# Okabe & Ito (2008), "Color Universal Design"; also distinct in greyscale (dark, light, mid).
COLOURS = {
    "error": "#D55E00",  # vermillion
    "warning": "#F0E442",  # yellow
    "info": "#56B4E9",  # sky blue
    "passing": "#009E73",  # bluish green
    "failing": "#D55E00",
    "waived": "#F0E442",
    "not assessed": "#BBBBBB",
}
DEFAULT_COLOUR = "#0072B2"  # blue, for one-series charts

WIDTH = 640
LABEL_WIDTH = 170
ROW = 24
BAR = 16
TOP = 8


def _short(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, Mapping[str, int]]],
    series: Sequence[str],
    empty: str = "nothing to show",
    row_colours: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    hints: Mapping[str, str] | None = None,
) -> Markup:
    """A horizontal (stacked, when several `series`) bar chart as an <svg> element.

    `row_colours` colours a one-series chart's bar by its row label; `notes` replaces the
    total printed after a bar; `hints` gives a row label's tooltip (its full text).
    """
    total_max = max((sum(values.get(s, 0) for s in series) for _, values in rows), default=0)
    legend = len(series) > 1
    height = TOP + max(len(rows), 1) * ROW + (28 if legend else 8)
    plot = WIDTH - LABEL_WIDTH - (80 if notes else 50)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if total_max == 0:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{TOP + 16}" class="empty">{escape(empty)}</text>')
    for index, (label, values) in enumerate(rows):
        y = TOP + index * ROW
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR - 3}" text-anchor="end" class="label">'
            f"<title>{escape((hints or {}).get(label, label))}</title>{escape(_short(label))}</text>"
        )
        x = float(LABEL_WIDTH)
        total = 0
        for name in series:
            value = values.get(name, 0)
            if not value or not total_max:
                continue
            width = plot * value / total_max
            colour = (
                COLOURS.get(name, DEFAULT_COLOUR)
                if legend
                else (row_colours or {}).get(label, DEFAULT_COLOUR)
            )
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{max(width, 1):.1f}" height="{BAR}" fill="{colour}" '
                f'stroke="#333" stroke-width="0.5">'
                f"<title>{escape(label)}: {value} {escape(name)}</title></rect>"
            )
            x += width
            total += value
        if total_max:
            shown = (notes or {}).get(label, str(total))
            parts.append(f'<text x="{x + 4:.1f}" y="{y + BAR - 3}" class="value">{escape(shown)}</text>')
    if legend:
        y = height - 14
        x = float(LABEL_WIDTH)
        for name in series:
            parts.append(
                f'<rect x="{x:.0f}" y="{y}" width="12" height="12" '
                f'fill="{COLOURS.get(name, DEFAULT_COLOUR)}" '
                f'stroke="#333" stroke-width="0.5"/>'
                f'<text x="{x + 16:.0f}" y="{y + 10}" class="legend">{escape(name)}</text>'
            )
            x += 24 + 8 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))
