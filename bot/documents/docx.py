"""A small writer over python-docx: title page, TOC field, Heading styles, tables that repeat their header row.

Paragraphs and tables are written as WordprocessingML text: python-docx's object model costs about a
millisecond per cell and style lookup, and moving parsed elements into its tree costs as much again, while
500 register entries must render in well under two seconds. python-docx owns the package, styles, sections
and pictures; the text blocks stand in its body as marker paragraphs and are spliced into the saved
document.xml (checked: every marker must be replaced exactly once).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from cards.needs import fmt_number

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TABLE_TEXT, TABLE_HEAD = "Tabelltekst", "Tabelloverskrift"
HEAD_FILL = "D5E3E6"  # light teal behind header cells
STATUS_COLOUR = "C0392B"
TWIPS_PER_CM = 567
MARKER = "\u241f"  # a character register text cannot hold unnoticed: clean() removes it from user text
# XML 1.0 forbids most control characters; register text may hold them (pasted from other systems).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\u241f]")
_W = nsdecls("w")


def clean(value: object) -> str:
    """Text safe for the document: no characters XML forbids, Windows line ends made plain."""
    s = "" if value is None else str(value)
    return _NOT_XML.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))


def num(value: float | None) -> str:
    """Norwegian number: '1 234 567,50', whole numbers without decimals ('350 000')."""
    if value is None:
        return ""
    return fmt_number(value, "nb", decimals=0 if float(value).is_integer() else 2)


def day(value: date | datetime | None) -> str:
    """Norwegian short date: '07.12.2026'."""
    return value.strftime("%d.%m.%Y") if value else ""


def _runs(text: str, props: str = "") -> str:
    """One run per line of text, with line breaks between (an empty text gives no run)."""
    text = clean(text)
    if not text:
        return ""
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{xml_escape(line)}</w:t>' for line in text.split("\n"))
    return f"<w:r>{rpr}{body}</w:r>"


def _p(style: str, text: str, props: str = "") -> str:
    """A WordprocessingML paragraph in `style`."""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{_runs(text, props)}</w:p>'


class Writer:
    """Builds one DOCX document; every method appends to the end."""

    def __init__(self, *, title: str, subject: str, author: str, created: datetime, language: str = "nb-NO") -> None:
        self.doc = Document()
        self._pending: list[str] = []  # blocks since the last flush
        self._blocks: list[str] = []  # flushed blocks, by marker number
        props = self.doc.core_properties
        props.title, props.subject, props.author, props.language = clean(title), clean(subject), clean(author), language
        props.created = props.modified = created.replace(tzinfo=None)
        props.comments, props.last_modified_by = "Utkast", clean(author)
        self._styles(language)
        self._ids = {name: self.doc.styles[name].style_id for name in
                     ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "Caption", "TOC Heading",
                      "Table Grid", TABLE_TEXT, TABLE_HEAD)}
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, not python-docx's US Letter
        section.left_margin = section.right_margin = Cm(2.5)

    def _styles(self, language: str) -> None:
        """Set the document's fonts, heading styles and default (spell-check) language."""
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.name, normal.font.size = "Calibri", Pt(10.5)
        # Word spell-checks in Norwegian when the document's default language says so.
        rpr = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), language)
        for name, bold in ((TABLE_TEXT, False), (TABLE_HEAD, True)):
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = normal
            style.font.size, style.font.bold = Pt(8.5), bold
            style.paragraph_format.space_after = Pt(0)

    def _append(self, xml: str) -> None:
        """Queue a block (paragraphs or a table) for the body; queued blocks become one marker at the next flush."""
        self._pending.append(xml)

    def _flush(self) -> None:
        """Put a marker paragraph for the queued blocks where they belong (before a section break or a picture)."""
        if not self._pending:
            return
        self._blocks.append("".join(self._pending))
        self._pending.clear()
        marker = parse_xml(f"<w:p {_W}><w:r><w:t>{_marker(len(self._blocks) - 1)}</w:t></w:r></w:p>")
        self.doc.element.body.sectPr.addprevious(marker)

    # -- text -------------------------------------------------------------------------------------
    def heading(self, text: str, level: int) -> None:
        """A heading in Word's own 'Heading n' style, so the table of contents finds it."""
        self._append(_p(self._ids[f"Heading {level}"], text))

    def para(self, text: str, *, style: str = "Normal", bold: bool = False, italic: bool = False) -> None:
        """A paragraph."""
        self._append(_p(self._ids[style], text, ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")))

    def bullets(self, items: Sequence[str]) -> None:
        """A bulleted list."""
        if items:
            self._append("".join(_p(self._ids["List Bullet"], item) for item in items))

    def page_break(self) -> None:
        """Start a new page."""
        self._append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')

    # -- title page and table of contents -----------------------------------------------------------
    def title_page(self, title: str, status: str, facts: Sequence[tuple[str, str]]) -> None:
        """The document title, its status ('Utkast') and facts (project, cooperation, date, version), then a new page."""
        self._append(_p(self._ids["Title"], title)
                     + _p(self._ids["Normal"], status, f'<w:b/><w:color w:val="{STATUS_COLOUR}"/><w:sz w:val="40"/>'))
        self.key_values(facts, widths=(4.0, 12.0))
        self.page_break()

    def toc(self, heading: str, hint: str) -> None:
        """A TOC field over heading levels 1–2; Word fills it when the document opens (updateFields)."""
        field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                 '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                 f'{_runs(hint, "<w:i/>")}'
                 '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
        self._append(_p(self._ids["TOC Heading"], heading) + f"<w:p>{field}</w:p>")
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        self.doc.settings.element.append(update)
        self.page_break()

    # -- tables -------------------------------------------------------------------------------------
    def table(self, headers: Sequence[str] | None, rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        """A grid table; the header row (if any) repeats on every page, and rows may break across pages."""
        twips = [round(w * TWIPS_PER_CM) for w in widths]
        text_style, head_style = self._ids[TABLE_TEXT], self._ids[TABLE_HEAD]
        head_fill = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEAD_FILL}"/>'

        def row(values: Sequence[str], *, header: bool = False, first_bold: bool = False) -> str:
            """One table row as WordprocessingML; header rows repeat on every page."""
            cells = []
            for c, (value, width) in enumerate(zip(values, twips, strict=True)):
                style = head_style if header or (first_bold and c == 0) else text_style
                cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{head_fill if header else ""}</w:tcPr>'
                             f"{_p(style, value)}</w:tc>")
            tr_pr = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
            return f"<w:tr>{tr_pr}{''.join(cells)}</w:tr>"

        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
        parts = [f'<w:tbl><w:tblPr><w:tblStyle w:val="{self._ids["Table Grid"]}"/><w:tblW w:w="{sum(twips)}" w:type="dxa"/>'
                 f'<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
                 f'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>']
        if headers is not None:
            parts.append(row(headers, header=True))
        parts.extend(row(r, first_bold=headers is None) for r in rows)
        parts.append("</w:tbl>")
        # Word needs a paragraph between two tables, or it merges them.
        self._append("".join(parts) + _p(self._ids["Normal"], ""))

    def key_values(self, pairs: Sequence[tuple[str, str]], widths: tuple[float, float] = (4.5, 11.5)) -> None:
        """A two-column table of label (bold) and value, without a header row."""
        self.table(None, [list(p) for p in pairs], widths)

    # -- layout -------------------------------------------------------------------------------------
    def orientation(self, orient: WD_ORIENT) -> None:
        """Start a new section on a new page in portrait or landscape (wide tables)."""
        self._flush()
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        if section.orientation != orient:
            section.orientation = orient
            section.page_width, section.page_height = section.page_height, section.page_width

    def picture(self, png: bytes, caption: str, width_cm: float = 16.0) -> None:
        """An image with a caption under it."""
        self._flush()
        self.doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
        self._append(_p(self._ids["Caption"], caption))

    def to_bytes(self) -> bytes:
        """The finished document: python-docx's package with the text blocks spliced in for their markers."""
        self._flush()
        saved = io.BytesIO()
        self.doc.save(saved)
        return _splice(saved.getvalue(), self._blocks)


def _marker(n: int) -> str:
    """The placeholder text that stands for flushed block `n` until the document is saved."""
    return f"{MARKER}{n}{MARKER}"


_MARKER_P = re.compile(f"<w:p><w:r><w:t>{MARKER}(\\d+){MARKER}</w:t></w:r></w:p>")


def _fill(xml: str, blocks: list[str]) -> str:
    """document.xml with each marker paragraph replaced by its block; every block must be used exactly once."""
    used: list[int] = []

    def block(m: re.Match[str]) -> str:
        """The XML of the block a marker stands for (and remember that it was used)."""
        used.append(int(m.group(1)))
        return blocks[used[-1]]

    out = _MARKER_P.sub(block, xml)
    if sorted(used) != list(range(len(blocks))):
        raise RuntimeError("document text blocks and their markers do not match")
    return out


def _splice(package: bytes, blocks: list[str]) -> bytes:
    """The package with word/document.xml filled in; the other parts are copied unchanged."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = _fill(data.decode("utf-8"), blocks).encode("utf-8")
            dst.writestr(item, data)
    return out.getvalue()
