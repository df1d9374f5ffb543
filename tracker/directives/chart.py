"""The dashboard's stacked bar chart: its geometry, and the SVG written here in one pass.

Server-rendered SVG (no script, no inline style: presentation attributes only). Written in
Python, as the scoreboard lines are (dashboard.unit_lines_html): a Jinja macro escaped and
formatted some 300 values per request, about a tenth of the dashboard's time.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from tracker.directives.status import BUCKET_LABELS, BUCKET_ORDER, Bucket, Summary

# Hex colours, matching the Bootstrap badges (orange for done late).
BUCKET_FILLS: dict[Bucket, str] = {
    Bucket.DONE_ON_TIME: "#198754",
    Bucket.DONE_LATE: "#fd7e14",
    Bucket.IN_PROGRESS: "#0d6efd",
    Bucket.NOT_STARTED: "#6c757d",
    Bucket.OVERDUE: "#dc3545",
    Bucket.NO_DEADLINE: "#0dcaf0",
    Bucket.WITHDRAWN: "#343a40",
}
LABEL_CHARS = 44  # a longer label is cut, with "…"; the whole of it is the bar's tooltip
MIN_COUNT_WIDTH = 18  # a segment narrower than this has no number written on it


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: str
    count: int
    label: str


@dataclass(frozen=True)
class Bar:
    y: float
    label: str
    total: int
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]
    legend: list[tuple[str, str, int]]

    def svg(self, title: str) -> Markup:
        """The chart as a ``<figure>``: the SVG and its legend."""
        label_x = self.label_width - 8
        parts = [
            '<figure class="mb-3">\n'
            f'<svg class="chart" viewBox="0 0 {self.width} {self.height}" width="100%" '
            f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">\n'
            f"  <title>{escape(title)}</title>"
        ]
        for bar in self.bars:
            text_y = round(bar.y + self.bar_height * 0.7, 1)
            label = escape(bar.label)
            parts.append(
                f'  <g>\n    <text x="{label_x}" y="{text_y}" text-anchor="end" font-size="12" '
                f'fill="#212529">{escape(cut(bar.label))}<title>{label}</title></text>'
            )
            for s in bar.segments:
                parts.append(
                    f'    <rect x="{s.x}" y="{bar.y}" width="{s.width}" '
                    f'height="{self.bar_height}" fill="{s.fill}"><title>{escape(s.label)}: '
                    f"{s.count}</title></rect>"
                )
                if s.width >= MIN_COUNT_WIDTH:
                    parts.append(
                        f'    <text x="{round(s.x + s.width / 2, 1)}" y="{text_y}" '
                        f'text-anchor="middle" font-size="11" fill="#ffffff">{s.count}</text>'
                    )
            end = bar.segments[-1] if bar.segments else None
            total_x = round(end.x + end.width + 6, 1) if end else self.label_width + 4
            parts.append(
                f'    <text x="{total_x}" y="{text_y}" font-size="12" fill="#495057">'
                f"{bar.total}</text>\n  </g>"
            )
        parts.append('</svg>\n<figcaption class="d-flex flex-wrap gap-3 small">')
        for label, fill, count in self.legend:
            parts.append(
                f'  <span><svg width="12" height="12" aria-hidden="true"><rect width="12" '
                f'height="12" fill="{fill}"/></svg> {escape(label)} ({count})</span>'
            )
        parts.append("</figcaption>\n</figure>")
        return Markup("\n".join(parts))  # noqa: S704 - every text in it escaped above


def cut(label: str, limit: int = LABEL_CHARS) -> str:
    """A bar's label as shown: whole when it fits, else cut to ``limit`` characters with "…"."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def stacked_chart(rows: list[tuple[str, Summary]], width: int = 900) -> Chart:
    """One horizontal bar per (label, counts), split into its buckets in BUCKET_ORDER, on a
    shared scale."""
    label_width, bar_height, gap, top = 330, 22, 10, 8
    plot = width - label_width - 60
    biggest = max((sum(s.counts.values()) for _, s in rows), default=0) or 1
    bars: list[Bar] = []
    totals = dict.fromkeys(BUCKET_ORDER, 0)
    for i, (label, summary) in enumerate(rows):
        x = float(label_width)
        segments = []
        for bucket in BUCKET_ORDER:
            count = summary.counts[bucket]
            if not count:
                continue
            totals[bucket] += count
            w = plot * count / biggest
            segments.append(Segment(round(x, 1), round(w, 1), BUCKET_FILLS[bucket], count,
                                    BUCKET_LABELS[bucket]))
            x += w
        bars.append(Bar(top + i * (bar_height + gap), label, sum(s.count for s in segments),
                        segments))
    legend = [(BUCKET_LABELS[b], BUCKET_FILLS[b], totals[b]) for b in BUCKET_ORDER if totals[b]]
    height = top + len(rows) * (bar_height + gap) + 4
    return Chart(width, max(height, 40), label_width, bar_height, bars, legend)
