"""Reads a generated DOCX back with python-docx, in body order: headings, paragraphs and tables as plain data."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from docx.document import Document as DocumentType
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph


@dataclass
class Block:
    """A paragraph (style and text) or a table (rows of cell texts, and whether its first row repeats)."""

    kind: str
    style: str = ""
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    repeats_header: bool = False


@dataclass
class Read:
    """A document read back: the python-docx object and its blocks."""

    doc: DocumentType
    blocks: list[Block]

    def paragraphs(self, style_prefix: str = "") -> list[Block]:
        return [b for b in self.blocks if b.kind == "p" and b.style.startswith(style_prefix)]

    def headings(self, level: int | None = None) -> list[str]:
        want = f"Heading {level}" if level else "Heading"
        return [b.text for b in self.paragraphs(want)]

    def text(self) -> str:
        parts = []
        for b in self.blocks:
            parts.append(b.text if b.kind == "p" else "\n".join(" | ".join(r) for r in b.rows))
        return "\n".join(parts)

    def table_after(self, heading: str) -> Block:
        """The first table after the heading with this text."""
        start = next(i for i, b in enumerate(self.blocks) if b.kind == "p" and b.style.startswith("Heading")
                     and b.text == heading)
        return next(b for b in self.blocks[start + 1:] if b.kind == "t")

    def tables(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "t"]


def read(content: bytes) -> Read:
    """Open DOCX bytes (fails if the package is not a valid document)."""
    doc = Document(io.BytesIO(content))
    blocks: list[Block] = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            p = Paragraph(el, doc)
            blocks.append(Block("p", style=p.style.name if p.style is not None else "", text=p.text))
        elif el.tag == qn("w:tbl"):
            table = Table(el, doc)
            first = el.find(qn("w:tr"))
            tr_pr = first.find(qn("w:trPr")) if first is not None else None
            repeats = tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
            blocks.append(Block("t", rows=[[c.text for c in row.cells] for row in table.rows], repeats_header=repeats))
    return Read(doc, blocks)
