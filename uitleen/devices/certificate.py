"""The erasure certificate a donor receives: one A4 page, drawn on a reportlab canvas.

A certificate is only made when every disk of the device passed its wipe; anything else
raises CertificateError (uitleen.devices.certificate_facts.check), so a failed or partial
wipe can never be put on paper as proof.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib.colors import Color, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from uitleen import qr
from uitleen.devices.certificate_facts import (
    CertificateData,
    CertificateDisk,
    CertificateError,
    check,
    date_text,
    datetime_text,
    level_name,
    level_order,
    passes_text,
    serial_text,
    tool_text,
    verification_text,
)
from uitleen.devices.wipelog import NistClass
from uitleen.i18n import current_language

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SANS, SANS_BOLD = "DejaVuSans", "DejaVuSans-Bold"

INK = Color(0.12, 0.15, 0.19)
MUTED = Color(0.38, 0.41, 0.45)
ACCENT = Color(0.04, 0.38, 0.42)
TINT = Color(0.92, 0.96, 0.96)
RULE = Color(0.80, 0.83, 0.85)
PASSED_GREEN = Color(0.08, 0.45, 0.22)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
# Table text sizes tried in turn until all disks fit on the page.
TABLE_SIZES = (8.5, 8.0, 7.5, 7.0, 6.5, 6.0)
# From the thank-you line at the top to the date below the signature lines.
SIGNATURE_HEIGHT = 30 * mm


def render_certificate(data: CertificateData) -> bytes:
    """Render the certificate as a one-page A4 PDF; raise CertificateError if not all passed."""
    check(data)
    regular, bold = _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, lang=current_language())
    title = _("Certificaat van gegevensverwijdering")
    canvas.setTitle(f"{title} {data.number}")
    canvas.setAuthor(data.organisation_name)
    canvas.setSubject(_("Gegevens gewist volgens NIST SP 800-88"))
    canvas.setCreator("Uitleen")
    _draw(canvas, data, title, regular, bold)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@cache
def _fonts() -> tuple[str, str]:
    """Register DejaVu Sans once (it covers every Dutch and foreign name); else Helvetica."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, path in ((SANS, regular), (SANS_BOLD, bold)):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    # Lets <b> in table cells find the bold face.
    registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD)
    return SANS, SANS_BOLD


def _draw(canvas: Canvas, data: CertificateData, title: str, regular: str, bold: str) -> None:
    top = PAGE_HEIGHT - MARGIN
    canvas.setFillColor(ACCENT)
    canvas.rect(0, PAGE_HEIGHT - 6 * mm, PAGE_WIDTH, 6 * mm, stroke=0, fill=1)

    y = _header(canvas, data, top - 6 * mm, regular, bold)
    y = _title(canvas, title, y - 10 * mm, regular, bold)
    y = _statement(canvas, data, y - 6 * mm, regular, bold)
    y = _device(canvas, data, y - 8 * mm, regular, bold)
    y = _found_disks(canvas, data, y, regular)
    footer_top = _footer(canvas, data, regular, bold)
    y = _disks(canvas, data, y - 8 * mm, footer_top + 6 * mm + SIGNATURE_HEIGHT, regular, bold)
    _signature(canvas, data, y - 6 * mm, regular, bold)


def _header(canvas: Canvas, data: CertificateData, y: float, regular: str, bold: str) -> float:
    """Organisation at the left, certificate number and date at the right."""
    canvas.setFillColor(INK)
    canvas.setFont(bold, 13)
    canvas.drawString(MARGIN, y, data.organisation_name)
    canvas.setFont(regular, 9)
    canvas.setFillColor(MUTED)
    lines = [line.strip() for line in data.organisation_address.splitlines() if line.strip()]
    lines.append(_("Telefoon %(phone)s", phone=data.organisation_phone))
    line_y = y
    for line in lines:
        line_y -= 12
        canvas.drawString(MARGIN, line_y, line)

    right = PAGE_WIDTH - MARGIN
    canvas.setFont(regular, 8)
    canvas.drawRightString(right, y + 2, _("Certificaatnummer"))
    canvas.setFillColor(INK)
    canvas.setFont(bold, 13)
    canvas.drawRightString(right, y - 13, data.number)
    canvas.setFillColor(MUTED)
    canvas.setFont(regular, 8)
    canvas.drawRightString(right, y - 28, _("Datum van uitgifte"))
    canvas.setFillColor(INK)
    canvas.setFont(regular, 10)
    canvas.drawRightString(right, y - 41, date_text(data.issued_on))
    return min(line_y, y - 41)


def _title(canvas: Canvas, title: str, y: float, regular: str, bold: str) -> float:
    canvas.setFillColor(INK)
    size = 21.0
    while size > 14 and pdfmetrics.stringWidth(title, bold, size) > CONTENT_WIDTH:
        size -= 0.5
    canvas.setFont(bold, size)
    canvas.drawString(MARGIN, y - 21, _fit(title, bold, size, CONTENT_WIDTH))
    canvas.setFont(regular, 10.5)
    canvas.setFillColor(MUTED)
    subtitle = _("Bewijs dat de gegevens op een geschonken apparaat veilig zijn gewist")
    canvas.drawString(MARGIN, y - 38, _fit(subtitle, regular, 10.5, CONTENT_WIDTH))
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.5)
    canvas.line(MARGIN, y - 47, MARGIN + 40 * mm, y - 47)
    return y - 47


def _statement(canvas: Canvas, data: CertificateData, y: float, regular: str, bold: str) -> float:
    """The declaration itself, in a tinted box."""
    levels = sorted({NistClass(disk.nist_class) for disk in data.disks}, key=level_order)
    strong = {
        "organisation": data.organisation_name,
        "standard": "NIST SP 800-88 Rev. 1",
        "levels": " / ".join(level_name(level) for level in levels),
    }
    if data.donor_name.strip():
        strong["donor"] = data.donor_name.strip()
        sentence = _(
            "%(organisation)s verklaart dat alle gegevens op de opslag van het hieronder "
            "genoemde apparaat, geschonken door %(donor)s, zijn verwijderd volgens de richtlijn "
            "%(standard)s (Guidelines for Media Sanitization), op het niveau %(levels)s. Elke "
            "schijf is gewist met de methode in de tabel hieronder en het wissen is geslaagd.",
            **{key: f"\x00{key}\x00" for key in strong},
        )
    else:
        sentence = _(
            "%(organisation)s verklaart dat alle gegevens op de opslag van het hieronder "
            "genoemde apparaat zijn verwijderd volgens de richtlijn %(standard)s (Guidelines "
            "for Media Sanitization), op het niveau %(levels)s. Elke schijf is gewist met de "
            "methode in de tabel hieronder en het wissen is geslaagd.",
            **{key: f"\x00{key}\x00" for key in strong},
        )
    # Placeholders become markers first, so the translated text can be escaped on its own.
    text = escape(sentence)
    for key, value in strong.items():
        text = text.replace(f"\x00{key}\x00", f'<font name="{bold}">{escape(value)}</font>')
    style = ParagraphStyle("statement", fontName=regular, fontSize=10.5, leading=15, textColor=INK)
    paragraph = Paragraph(text, style)
    padding = 4 * mm
    _width, height = paragraph.wrap(CONTENT_WIDTH - 2 * padding, PAGE_HEIGHT)
    box_height = height + 2 * padding
    canvas.setFillColor(TINT)
    canvas.roundRect(MARGIN, y - box_height, CONTENT_WIDTH, box_height, 2 * mm, stroke=0, fill=1)
    canvas.setFillColor(ACCENT)
    canvas.rect(MARGIN, y - box_height, 1.2 * mm, box_height, stroke=0, fill=1)
    paragraph.drawOn(canvas, MARGIN + padding, y - padding - height)
    return y - box_height


def _device(canvas: Canvas, data: CertificateData, y: float, regular: str, bold: str) -> float:
    """The device and its donor as label/value pairs in two columns."""
    _section_heading(canvas, _("Apparaat"), y, bold)
    device = data.device
    pairs = [
        (_("Inventarisnummer"), device.asset_tag),
        (_("Soort"), device.kind),
        (_("Merk"), device.make),
        (_("Model"), device.model),
        (_("Serienummer"), device.serial or "\u2013"),
        (_("Geschonken door"), data.donor_name.strip() or "\u2013"),
    ]
    column = CONTENT_WIDTH / 2
    row_y = y - 20
    for index, (label, value) in enumerate(pairs):
        x = MARGIN + (index % 2) * column
        canvas.setFont(regular, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(x, row_y, label)
        canvas.setFont(bold, 10)
        canvas.setFillColor(INK)
        canvas.drawString(x, row_y - 12, _fit(value, bold, 10, column - 4 * mm))
        if index % 2:
            row_y -= 28
    return row_y + 28 - 12


def _disks(
    canvas: Canvas,
    data: CertificateData,
    y: float,
    bottom: float,
    regular: str,
    bold: str,
) -> float:
    """The table of wiped disks at the largest text size that leaves room for the signature;
    returns the y below it."""
    _section_heading(canvas, _("Gewiste opslag"), y, bold)
    table_top = y - 10
    for size in TABLE_SIZES:
        table, legend = _disk_table(data.disks, size, regular, bold)
        _width, table_height = table.wrap(CONTENT_WIDTH, PAGE_HEIGHT)
        _width, legend_height = legend.wrap(CONTENT_WIDTH, PAGE_HEIGHT)
        legend_bottom = table_top - table_height - 4 - legend_height
        if legend_bottom - 6 * mm >= bottom:
            table.drawOn(canvas, MARGIN, table_top - table_height)
            legend.drawOn(canvas, MARGIN, legend_bottom)
            return legend_bottom
    raise CertificateError(
        _(
            "De %(count)s schijven van dit apparaat passen niet op een certificaat van "
            "\u00e9\u00e9n pagina. Maak voor dit apparaat een certificaat met de hand.",
            count=len(data.disks),
        ),
        code="too_many_disks",
    )


def _disk_table(
    disks: Sequence[CertificateDisk], size: float, regular: str, bold: str
) -> tuple[Table, Paragraph]:
    cell = ParagraphStyle(
        "cell", fontName=regular, fontSize=size, leading=size * 1.3, textColor=INK
    )
    head = ParagraphStyle("head", parent=cell, fontName=bold, textColor=white)
    small = f'<font size="{size - 1}" color="#5f6873">'
    headers = [
        _("Schijf"),
        _("Methode"),
        _("NIST SP 800-88"),
        _("Controle"),
        _("Afgerond"),
        _("Resultaat"),
    ]
    rows = [[Paragraph(escape(text), head) for text in headers]]
    for disk in disks:
        serial = escape(serial_text(disk.serial))
        capacity = f" \u00b7 {escape(disk.size)}" if disk.size else ""
        details = [passes_text(disk.passes), tool_text(disk)]
        method_notes = " \u00b7 ".join(escape(part) for part in details if part)
        rows.append(
            [
                Paragraph(
                    f"<b>{escape(disk.model)}</b><br/>{small}{escape(_('S/N'))} {serial}"
                    f"{capacity}</font>",
                    cell,
                ),
                Paragraph(
                    escape(disk.method)
                    + (f"<br/>{small}{method_notes}</font>" if method_notes else ""),
                    cell,
                ),
                Paragraph(f"<b>{level_name(NistClass(disk.nist_class))}</b>", cell),
                Paragraph(escape(verification_text(disk.verification)), cell),
                Paragraph(
                    f"{escape(datetime_text(disk.finished_at))}<br/>{small}"
                    f"{escape(_('door %(name)s', name=disk.operator))}</font>",
                    cell,
                ),
                Paragraph(f'<font color="#14733a"><b>{escape(_("Geslaagd"))}</b></font>', cell),
            ]
        )
    widths = [0.23, 0.19, 0.11, 0.16, 0.17, 0.14]
    table = Table(rows, colWidths=[CONTENT_WIDTH * part for part in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [white, TINT]),
            ]
        )
    )
    legend_style = ParagraphStyle(
        "legend",
        fontName=regular,
        fontSize=size - 0.5,
        leading=(size - 0.5) * 1.35,
        textColor=MUTED,
    )
    legend = Paragraph(
        escape(
            _(
                "NIST-niveaus: Clear = alle gegevens overschreven; herstel met gewone software "
                "of hulpmiddelen is niet mogelijk. Purge = gewist met een opdracht van de schijf "
                "zelf (Secure Erase of Sanitize); ook herstel in een laboratorium is niet "
                "haalbaar. Destroy = de schijf is fysiek vernietigd."
            )
        ),
        legend_style,
    )
    return table, legend


def _signature(canvas: Canvas, data: CertificateData, top: float, regular: str, bold: str) -> None:
    """A word of thanks, who did the work, and a line to sign for the organisation."""
    canvas.setFillColor(INK)
    canvas.setFont(regular, 9.5)
    thanks = _("Dank u wel voor uw donatie. Zo helpt u mensen mee te doen in de digitale wereld.")
    canvas.drawString(MARGIN, top - 9.5, _fit(thanks, regular, 9.5, CONTENT_WIDTH))

    operators = ", ".join(dict.fromkeys(disk.operator for disk in data.disks if disk.operator))
    column = CONTENT_WIDTH / 2
    # Room above the lines to sign by hand.
    line_y = top - SIGNATURE_HEIGHT + 26
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, line_y, MARGIN + column - 10 * mm, line_y)
    canvas.line(MARGIN + column, line_y, PAGE_WIDTH - MARGIN, line_y)
    canvas.setFont(bold, 10)
    canvas.drawString(MARGIN, line_y + 5, _fit(operators, bold, 10, column - 12 * mm))
    canvas.setFillColor(MUTED)
    canvas.setFont(regular, 8)
    canvas.drawString(MARGIN, line_y - 11, _("Uitgevoerd door"))
    sign_label = _("Handtekening namens %(name)s", name=data.organisation_name)
    canvas.drawString(MARGIN + column, line_y - 11, _fit(sign_label, regular, 8, column))
    canvas.setFillColor(INK)
    canvas.setFont(regular, 9)
    canvas.drawString(
        MARGIN + column, line_y - 24, _("Datum: %(date)s", date=date_text(data.issued_on))
    )


QR_SIDE = 22 * mm


def _footer(canvas: Canvas, data: CertificateData, regular: str, bold: str) -> float:
    """Certificate number, the log's fingerprint and how to check both; returns its top.

    With a verification URL, a QR code at the right opens the public page that shows
    this certificate's facts, so a donor can check it without calling anyone.
    """
    y = MARGIN
    text_width = CONTENT_WIDTH - (QR_SIDE + 4 * mm if data.verification_url else 0)
    lines: list[tuple[str, str, float]] = [
        (bold, _("Certificaatnummer %(number)s", number=data.number), 8.5)
    ]
    if data.verification_url:
        lines.append((regular, _("Controleer dit certificaat op:"), 7.5))
        lines.append((bold, data.verification_url, 8))
    else:
        lines.append(
            (
                regular,
                _("Controleren? Bel %(phone)s en noem dit nummer.", phone=data.organisation_phone),
                7.5,
            )
        )
    if data.log_sha256:
        lines.append((regular, _("SHA-256 van het wislogboek van nwipe:"), 7))
        lines.append((regular, data.log_sha256, 7))
    height = sum(size + 3 for _font, _text, size in lines)
    top = y + max(height, QR_SIDE if data.verification_url else 0)
    line_y = top
    for font, text, size in lines:
        line_y -= size + 3
        canvas.setFillColor(INK if font == bold else MUTED)
        canvas.setFont(font, size)
        canvas.drawString(MARGIN, line_y, _fit(text, font, size, text_width))
    if data.verification_url:
        qr.draw_matrix(
            canvas, qr.make_matrix(data.verification_url), PAGE_WIDTH - MARGIN - QR_SIDE, y, QR_SIDE
        )
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top + 4, PAGE_WIDTH - MARGIN, top + 4)
    return top + 4


def _found_disks(canvas: Canvas, data: CertificateData, y: float, regular: str) -> float:
    """The disks the hardware snapshot found, under the device, in small print."""
    if not data.found_disks:
        return y
    y -= 14
    canvas.setFont(regular, 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN, y, _("Schijven gevonden bij de hardware-opname:"))
    canvas.setFillColor(INK)
    for line in data.found_disks[:4]:
        y -= 11
        canvas.drawString(MARGIN + 4 * mm, y, _fit(line, regular, 8, CONTENT_WIDTH - 4 * mm))
    return y


def _section_heading(canvas: Canvas, text: str, y: float, bold: str) -> None:
    canvas.setFillColor(ACCENT)
    canvas.setFont(bold, 11)
    canvas.drawString(MARGIN, y, text)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten text with an ellipsis so one line never runs into the next column."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "\u2026", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "\u2026"
