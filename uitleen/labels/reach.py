"""Where labels lead: the base URL in their QR codes must be one a phone can open.

In production printing is refused otherwise; in development labels say they are test
labels. The rule itself (which addresses phones cannot open) is uitleen.config's.
"""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from uitleen.config import base_url_problem, phones_cannot_open


def _base_url() -> str:
    return current_app.config["UITLEEN_BASE_URL"]


def print_refusal() -> str | None:
    """Why printing is refused: in production, labels must lead to a public https address."""
    if current_app.config.get("ENV_NAME") != "production" or not base_url_problem(_base_url()):
        return None
    return _(
        "Deze labels zouden naar %(url)s wijzen, en dat adres kan een telefoon niet (veilig) "
        "openen. Zet UITLEEN_BASE_URL op het https-adres van deze website, bijvoorbeeld "
        "https://hulp.uw-organisatie.nl, en start Uitleen opnieuw. Daarna kunt u printen.",
        url=_base_url(),
    )


def test_label_notice() -> str:
    """In development, the line every label and the print pages show when no phone can
    open the labels' address ('' when one can)."""
    if current_app.config.get("ENV_NAME") == "production" or not phones_cannot_open(_base_url()):
        return ""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        return _("Testlabel: telefoons kunnen dit adres niet openen")


def address_warning() -> str:
    """What the print pages say about the labels' address, if anything."""
    refusal = print_refusal()
    if refusal:
        return refusal
    if test_label_notice():
        return _(
            "Testlabel: telefoons kunnen dit adres niet openen (%(url)s). Wilt u scannen met "
            "een telefoon in hetzelfde netwerk? Start dan met: make run HOST=0.0.0.0",
            url=_base_url(),
        )
    return ""
