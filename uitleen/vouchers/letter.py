"""The letter that goes with an internet voucher: one A4 page in large type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from reportlab.lib.units import mm

from uitleen.pdf import MONO, SANS_BOLD, Page, render_page, wrap

# Large type for readers with poor eyesight: the body never goes below 14 pt.
BODY_SIZES = (16.0, 15.0, 14.0)
CODE_SIZE = 26.0


@dataclass(frozen=True)
class LetterData:
    """A voucher code with its batch's provider, product and activation steps."""

    organisation: str
    phone: str
    provider: str
    product: str
    code: str
    # Plain-text steps in the household's language, as the batch provides them.
    steps: Sequence[str] = field(default_factory=tuple)
    expires_on: date | None = None
    whatsapp: str | None = None
    address: str | None = None
    household_code: str | None = None

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise ValueError("the voucher code is empty")


def group_code(code: str, block: int = 4) -> str:
    """Show a code in blocks of four ("K7PX 9Q2M"), unless it has its own dashes."""
    compact = "".join(code.split())
    if "-" in compact:
        return compact
    return " ".join(compact[i : i + block] for i in range(0, len(compact), block))


def render_voucher_letter(data: LetterData, lang: str) -> bytes:
    """Render the voucher letter as a one-page A4 PDF in lang (needs a Flask-Babel context)."""
    with force_locale(lang):
        title = _("Uw code voor internet")
        return render_page(
            lambda page, size: _draw(page, size, data, title), BODY_SIZES, lang=lang, title=title
        )


def _draw(page: Page, size: float, data: LetterData, title: str) -> None:
    page.paragraph(data.organisation, size * 1.1, SANS_BOLD, after=0.2)
    page.paragraph(title, size * 1.8, SANS_BOLD, leading=1.2, after=0.4)
    page.rows([(_("Aanbieder"), data.provider), (_("Wat u krijgt"), data.product)], size)
    _code_box(page, size, data.code)
    if data.expires_on is not None:
        expiry = format_date(data.expires_on, "long")
        page.paragraph(_("Gebruik de code vóór %(date)s.", date=expiry), size, SANS_BOLD)

    if data.steps:
        page.heading(_("Zo zet u het internet aan"), size * 1.25)
        page.bullets(list(data.steps), size, numbered=True)

    page.heading(_("Hulp nodig?"), size * 1.25)
    page.paragraph(
        _("Lukt het niet? Dat is niet erg. Wij helpen u graag.") + " " + _("Dat kost niets."),
        size,
    )
    contacts = [(_("Bellen"), data.phone)]
    if data.whatsapp:
        contacts.append((_("WhatsApp"), data.whatsapp))
    if data.address:
        contacts.append((_("Langskomen"), data.address))
    page.rows(contacts, size)

    page.space(size * 0.5)
    page.paragraph(_("Bewaar deze brief goed. Geef uw code niet aan anderen."), size)
    if data.household_code:
        household = _("Huishouden")
        page.paragraph(f"{household}: {data.household_code}", size)


def _code_box(page: Page, size: float, code: str) -> None:
    """The code centred in a box, large and monospaced, wrapped between blocks if needed."""
    pad = 4 * mm
    grouped = group_code(code)
    page.space(size * 0.4)
    top = page.y
    with page.inset(start=pad, end=pad):
        page.take(pad / 2)
        page.paragraph(_("Uw code"), size, SANS_BOLD, after=0.1, align="center")
        for line in wrap(grouped, MONO, CODE_SIZE, page.width, glue_numbers=False):
            page.take(CODE_SIZE * 1.3)
            page.draw_line(line, MONO, CODE_SIZE, align="center")
        if " " in grouped:
            page.paragraph(_("De spaties hoeft u niet te typen."), size, align="center")
        page.take(pad / 2)
    page.canvas.setLineWidth(2)
    page.canvas.roundRect(page.left, page.y, page.width, top - page.y, 3 * mm)
    page.space(size * 0.6)
