"""A decision's PDF against WeasyPrint alone rendering the same HTML, and where the
difference goes.

    python bench/decision_pdf.py [--pdfs 8]

The figure is the PDF download as a user gets it (Django's test client: the request, the
decision read with everything its PDF shows, its document, the template, WeasyPrint through
the app's URL fetcher). The baseline is WeasyPrint alone: the same HTML given to
`weasyprint.HTML(...).write_pdf()` with the style sheet served from memory by a fetcher made
once. They take turns with WeasyPrint alone keeping one font configuration for every PDF,
as the app does (WeasyPrint alone makes one per PDF, and measures every glyph again with
it), and with a second series of WeasyPrint alone, whose ratio to the first shows how far
ratios drift by chance on this machine. Goal: at most 1.2x WeasyPrint alone. Then each
part the app adds is timed on its own against the same baseline: reading the decision,
building its document, the Markdown, the score chart, the template, the URL fetcher and
the font configuration; and for comparison, what WeasyPrint alone makes anew for every PDF
(a URL fetcher, which reads the system's certificates, and a font configuration).

Everything runs in this process, SQLite included, so times are this process's CPU time:
a machine busy with other work stretches them far less than wall-clock times.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, add_output_argument, alternate, django_setup, median, report
from bench.common import ratio_at_most as at_most

ALONE = "WeasyPrint alone, same HTML"
PARTS_REPEAT = 20  # each part is cheap: its median over this many calls


def _pages(document: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(document)).pages)


def measure(pdfs: int) -> list[Row]:
    database = django_setup(pages=True)
    from django.test import Client
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    from bench.log_pdf import create_log
    from decisions import pdf
    from decisions.charts import score_chart_svg
    from decisions.document import MARKDOWN_FIELDS, record_context
    from decisions.markdown import render_markdown
    from decisions.pdf_assembly import PreloadedFetcher
    from decisions.selectors import decisions_for_export

    team = create_log(50)
    # Accepted, amended, with a named link, Markdown in every field and a score chart.
    decision = decisions_for_export(team).get(number=49)
    client = Client()
    client.force_login(decision.created_by)
    url = f"/decisions/{decision.pk}/export.pdf"
    html = pdf.decision_pdf_html(record_context(decision))
    stylesheet = pdf.STATIC_ORIGIN + "css/pdf.css"
    served = pdf.StaticOnlyFetcher().fetch(stylesheet).read()
    in_memory = PreloadedFetcher({stylesheet: (served, "text/css")})

    def download() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.content

    def alone() -> bytes:
        return HTML(string=html, base_url=pdf.STATIC_ORIGIN, url_fetcher=in_memory).write_pdf()

    if _pages(download()) != _pages(alone()):
        raise SystemExit("the download and WeasyPrint alone do not render the same document")

    fonts = FontConfiguration()

    def alone_keeping_fonts() -> None:
        HTML(string=html, base_url=pdf.STATIC_ORIGIN, url_fetcher=in_memory).write_pdf(
            font_config=fonts
        )

    samples = alternate(
        {"download": download, "alone": alone, "keeping fonts": alone_keeping_fonts,
         "alone again": alone},
        pdfs,
        time.process_time,
    )  # fmt: skip
    baseline = median(samples["alone"])

    context = record_context(decision)
    framework, options = context["framework"], context["options"]
    ready = {**context, "html": {f: render_markdown(getattr(decision, f)) for f in MARKDOWN_FIELDS},
             "score_chart": str(context["score_chart"])}  # fmt: skip
    parts = {
        "reading the decision (its queries)": lambda: decisions_for_export(team).get(
            pk=decision.pk
        ),
        "building its document": lambda: record_context(decision),
        "the Markdown of its fields": lambda: [
            render_markdown(getattr(decision, field)) for field in MARKDOWN_FIELDS
        ],
        "the score chart": lambda: str(score_chart_svg(options, framework.pattern_keys)),
        "the template": lambda: pdf.decision_pdf_html(ready),
        "the URL fetcher (made, then the style sheet)": lambda: (
            pdf.StaticOnlyFetcher().fetch(stylesheet).read()
        ),
        "the font configuration (kept per thread)": pdf.font_configuration,
        "for comparison, a URL fetcher as WeasyPrint makes it": URLFetcher,
        "for comparison, a new font configuration": FontConfiguration,
    }
    timed = alternate(parts, PARTS_REPEAT, time.process_time)
    note = (
        f"Decision PDF rows: CPU time of this process, medians of {pdfs} turns (the parts: of "
        f"{PARTS_REPEAT}); the download through Django's test client. Each part's ratio is "
        "its share of WeasyPrint's own time. The app keeps one font configuration per thread "
        "where WeasyPrint alone makes one for every PDF: the second row compares like with "
        "like, so its ratio is what the app adds (the parts, and the request itself)."
    )
    download_time = median(samples["download"])
    rows = [
        Row("Decision PDF download", download_time, "CPU ms", baseline, ALONE, at_most(1.2),
            note, database),
        Row("Decision PDF download, against WeasyPrint keeping its fonts", download_time,
            "CPU ms", median(samples["keeping fonts"]), f"{ALONE}, one font configuration "
            "for every PDF (as the app keeps it)", database=database),
        Row("WeasyPrint alone, a second series (how far ratios drift by chance)",
            median(samples["alone again"]), "CPU ms", baseline, ALONE, database=database),
    ]  # fmt: skip
    rows += [
        Row(f"… {name}", median(values), "CPU ms", baseline, ALONE, database=database)
        for name, values in timed.items()
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=int, default=8)
    add_output_argument(parser)
    options = parser.parse_args()
    report(measure(options.pdfs), options)


if __name__ == "__main__":
    main()
