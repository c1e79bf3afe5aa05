"""Joining separately rendered PDFs (decisions.pdf_assembly) into one file: "Page N of M"
on its pages and any other numbers the parts left room for, one outline entry per
bookmark, and links between the parts turned into page jumps.

Only the joined file knows M and where every part starts, so the parts leave the numbers
out and they are printed here, in the parts' own font (DejaVu Sans, a subset of a dozen
characters embedded once) and at the place the style sheet would have put them.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
)

# As static/css/pdf.css sets the page: 18 mm right margin; the bottom-right margin box's
# text is 8 pt #57606a, its baseline where WeasyPrint centres it in the 20 mm bottom margin.
RIGHT_MARGIN = 18 / 25.4 * 72
FOOTER_BASELINE = 25.58  # points above the bottom edge
FOOTER_SIZE = 8
GREY = "0.341 0.376 0.416"
TEXT = "0.122 0.137 0.157"  # #1f2328, the body text
FAMILY = "DejaVu Sans"
CHARACTERS = "Page of 0123456789"
# Helvetica's widths, for a machine without DejaVu Sans (every PDF reader has Helvetica).
HELVETICA_WIDTHS = {"P": 667, "a": 556, "g": 556, "e": 556, " ": 278, "o": 556, "f": 278,
                    **dict.fromkeys("0123456789", 556)}  # fmt: skip


@dataclass(frozen=True)
class Bookmark:
    title: str
    page: int  # from 0 in the joined file


@dataclass(frozen=True)
class Label:
    """Text to print on a page of the joined file, ending at the right margin."""

    page: int  # from 0 in the joined file
    text: str
    baseline: float  # points from the top of the page
    size: float
    colour: str = TEXT  # "r g b", each 0-1


def join_parts(
    parts: Sequence[bytes],
    *,
    number_from: int = 1,
    labels: Sequence[Label] = (),
    bookmarks: Sequence[Bookmark] = (),
    link_origin: str = "",
    link_targets: Mapping[str, int] | None = None,
    title: str = "",
) -> bytes:
    """The parts as one PDF. Pages from `number_from` on (counted from 1) get "Page N of M"
    in the bottom-right corner, which the parts leave empty, and `labels` are printed.
    A link to `link_origin` + a name in `link_targets` jumps to that page (from 0); a link
    to any other name under `link_origin` is removed: what it names is not in the file."""
    writer = PdfWriter()
    for pdf in parts:
        writer.append(PdfReader(io.BytesIO(pdf)), import_outline=False)
    total = len(writer.pages)
    printed: dict[int, list[Label]] = defaultdict(list)
    for label in labels:
        printed[label.page].append(label)
    for index in range(number_from - 1, total):
        height = float(writer.pages[index].mediabox.height)
        text = f"Page {index + 1} of {total}"
        printed[index].append(Label(index, text, height - FOOTER_BASELINE, FOOTER_SIZE, GREY))
    font = _font(writer)
    save_state = DecodedStreamObject()
    save_state.set_data(b"q\n")
    save_state = _add(writer, save_state)  # shared by every page printed on
    for index, page in enumerate(writer.pages):
        if printed[index]:
            _print(writer, page, font, save_state, printed[index])
        if link_origin:
            _resolve_links(writer, page, link_origin, link_targets or {})
    for bookmark in bookmarks:
        writer.add_outline_item(title=bookmark.title, page_number=bookmark.page)
    if bookmarks:
        writer.page_mode = "/UseOutlines"
    if title:
        writer.add_metadata({"/Title": title, "/Creator": "Crossroads"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _add(writer: PdfWriter, value: PdfObject) -> IndirectObject:
    # pypdf has no public call to add an object to a file; its own page methods use this.
    return writer._add_object(value)


@dataclass(frozen=True)
class _Font:
    reference: IndirectObject
    widths: Mapping[str, float]  # in thousandths of the font size
    name: str = "/CrossroadsNumbers"

    def width(self, text: str, size: float) -> float:
        return sum(self.widths[character] for character in text) * size / 1000


def _print(writer: PdfWriter, page, font: _Font, save_state, labels: list[Label]) -> None:
    # The page's resources (and their fonts) are usually shared with the other pages of
    # its part; pypdf's [] resolves to the shared dictionaries, which get the font once.
    if "/Resources" not in page:
        page[NameObject("/Resources")] = DictionaryObject()
    resources = page["/Resources"]
    if "/Font" not in resources:
        resources[NameObject("/Font")] = DictionaryObject()
    resources["/Font"][NameObject(font.name)] = font.reference
    box = page.mediabox
    commands = []
    for label in labels:
        if set(label.text) - set(CHARACTERS):
            raise ValueError(f"{label.text!r} has characters the numbers' font lacks.")
        x = float(box.right) - RIGHT_MARGIN - font.width(label.text, label.size)
        y = float(box.top) - label.baseline
        commands.append(
            f"{label.colour} rg BT {font.name} {label.size:g} Tf {x:.2f} {y:.2f} Td "
            f"({label.text}) Tj ET"
        )
    stamp = DecodedStreamObject()
    stamp.set_data(("Q q " + " ".join(commands) + " Q\n").encode("ascii"))
    contents = page.get("/Contents")
    existing = contents.get_object() if contents is not None else ArrayObject()
    if not isinstance(existing, ArrayObject):
        existing = ArrayObject([contents])
    # The page's own drawing is wrapped in q … Q, so whatever state it leaves (WeasyPrint
    # flips the y axis) does not move the text.
    page[NameObject("/Contents")] = ArrayObject([save_state, *existing, _add(writer, stamp)])


def _resolve_links(writer: PdfWriter, page, origin: str, targets: Mapping[str, int]) -> None:
    annotations = page.get("/Annots")
    if annotations is None:
        return
    kept = ArrayObject()
    for reference in annotations.get_object():
        annotation = reference.get_object()
        action = annotation.get("/A")
        uri = str(action.get_object().get("/URI", "")) if action is not None else ""
        if not uri.startswith(origin):
            kept.append(reference)
            continue
        target = targets.get(uri.removeprefix(origin))
        if target is None:
            continue
        destination = writer.pages[target]
        annotation[NameObject("/A")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/GoTo"),
                NameObject("/D"): ArrayObject(
                    [
                        destination.indirect_reference,
                        NameObject("/XYZ"),
                        NullObject(),
                        FloatObject(float(destination.mediabox.top)),
                        NullObject(),
                    ]
                ),
            }
        )
        kept.append(reference)
    page[NameObject("/Annots")] = kept


@functools.cache
def font_subset(family: str = FAMILY) -> tuple[bytes, dict[str, float], dict[str, int]] | None:
    """The TrueType file of `family` cut down to the characters of the numbers, with their
    widths and the font's metrics; None when fontconfig finds no such file. Called once
    early by a caller that forks, so that it happens while the process is small."""
    program = shutil.which("fc-match")
    if program is None:
        return None
    found = subprocess.run(
        [program, "--format=%{family}|%{file}", family], capture_output=True, text=True
    ).stdout
    names, _, path = found.partition("|")
    if family not in names.split(",") or not path.endswith(".ttf"):
        return None
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    scale = 1000 / font["head"].unitsPerEm
    glyphs = font.getBestCmap()
    widths = {c: font["hmtx"][glyphs[ord(c)]][0] * scale for c in set(CHARACTERS)}
    head, hhea = font["head"], font["hhea"]
    metrics = {
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "ascent": round(hhea.ascent * scale),
        "descent": round(hhea.descent * scale),
        "cap_height": round(getattr(font["OS/2"], "sCapHeight", 0) * scale) or 730,
    }
    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps, which fontTools cannot cut
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=CHARACTERS)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue(), widths, metrics


def _font(writer: PdfWriter) -> _Font:
    """The numbers' font added to the file: DejaVu Sans as on the rest of the page, or
    Helvetica when the machine has no DejaVu Sans."""
    found = font_subset()
    if found is None:
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
        return _Font(_add(writer, font), HELVETICA_WIDTHS)
    data, widths, metrics = found
    program = DecodedStreamObject()
    program.set_data(data)
    program[NameObject("/Length1")] = NumberObject(len(data))
    name = NameObject("/CRSNUM+" + FAMILY.replace(" ", ""))
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): name,
            NameObject("/Flags"): NumberObject(32),  # non-symbolic: Latin text
            NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in metrics["bbox"]),
            NameObject("/ItalicAngle"): NumberObject(0),
            NameObject("/Ascent"): NumberObject(metrics["ascent"]),
            NameObject("/Descent"): NumberObject(metrics["descent"]),
            NameObject("/CapHeight"): NumberObject(metrics["cap_height"]),
            NameObject("/StemV"): NumberObject(80),
            NameObject("/FontFile2"): _add(writer, program.flate_encode()),
        }
    )
    first, last = 32, 122
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/TrueType"),
            NameObject("/BaseFont"): name,
            NameObject("/FirstChar"): NumberObject(first),
            NameObject("/LastChar"): NumberObject(last),
            NameObject("/Widths"): ArrayObject(
                FloatObject(round(widths.get(chr(code), 0), 1)) for code in range(first, last + 1)
            ),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            NameObject("/FontDescriptor"): _add(writer, descriptor),
        }
    )
    return _Font(_add(writer, font), widths)
