"""Issue 16: right to left done right. Numbers keep their order on Arabic pages and
papers, and a household is addressed in one register everywhere (Arabic: the respectful
plural, as the agreement and the letter always did)."""

import re

import pytest
from babel.messages.extract import extract, extract_from_dir
from babel.messages.pofile import read_po

from tests.conftest import TRANSLATIONS
from tests.helpdesk.factories import make_labelled_device, make_location
from uitleen.extensions import db
from uitleen.i18n import isolate_numbers
from uitleen.settings.helptexts import load_defaults

LRI, PDI = "\u2066", "\u2069"
PACKAGE = TRANSLATIONS.parent


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def device(translated):
    location = make_location(
        name="Werkplaats Oost",
        walk_in_hours="di en do 10:00–16:00",
        walk_in_hours_translations={"ar": "الثلاثاء والخميس 10:00–16:00"},
    )
    db.session.commit()
    return make_labelled_device(location=location)


def test_phone_numbers_and_times_are_isolated_on_an_arabic_page(translated, device):
    html = text(translated.get(f"/h/{device.public_token}?lang=ar"))
    footer = html[html.index("<footer>") :]
    assert '<bdi dir="ltr">020 123 4567</bdi>' in footer
    assert 'class="num"><bdi dir="ltr">020 123 4567</bdi>' in html  # the call button
    assert 'والخميس <bdi dir="ltr">10:00–16:00</bdi>' in html
    assert f'<bdi dir="ltr" class="tagno">{device.asset_tag}</bdi>' in html


def test_left_to_right_free_text_is_kept_as_typed():
    assert isolate_numbers("Dapperstraat 12 <b>") == "Dapperstraat 12 &lt;b&gt;"
    assert isolate_numbers("10:00 di <b>") == "10:00 di &lt;b&gt;"
    assert isolate_numbers("الهاتف +31 6 12345678 <b>") == (
        'الهاتف <bdi dir="ltr">+31 6 12345678</bdi> &lt;b&gt;'
    )


def test_the_example_numbers_in_the_arabic_phone_error_keep_their_order(translated, device):
    token = device.public_token
    form = translated.get(f"/h/{token}/hulp?lang=ar")
    form_token = re.search(r'name="form_token" value="([^"]+)"', text(form)).group(1)
    response = translated.post(
        f"/h/{token}/hulp?lang=ar",
        data={"category": "other", "phone": "12", "form_token": form_token},
    )
    assert response.status_code == 422
    assert f"{LRI}+31 6 12345678{PDI}" in text(response)
    assert f"{LRI}06 12345678{PDI}" in text(response)


# Singular imperatives and "you" forms of the masculine singular; the plural forms
# (اضغطوا, اتصلوا, ...) go on with a letter, so they never match a whole word here.
SINGULAR = [
    "اضغط", "اختر", "اتصل", "تعالَ", "اكتب", "افتح", "انتظر", "اطلب", "أرسل", "اترك",
    "تكتب", "تعطِ", "تقلق", "اتبع", "تأكد", "احفظ", "أحضر", "انتبه", "حاول", "صِل", "ضع",
    "رسالتك", "هاتفك", "رقمك", "سؤالك", "لغتك", "يمكنك", "نساعدك", "بك", "منك", "لك",
]  # fmt: skip
WORD = re.compile(r"[\u0600-\u06ff]+")


def household_msgids() -> set[str]:
    """The catalogue messages a household reads: public pages, agreement, letter, reminders."""
    templates = PACKAGE / "templates" / "helpdesk" / "public"
    found = {m for *_ignored, m, _c, _x in extract_from_dir(str(templates), method_map=[
        ("**.html", "jinja2.ext:babel_extract")])}  # fmt: skip
    keywords = {"_": None, "gettext": None, "lazy_gettext": None}
    modules = ["helpdesk/public.py", "helpdesk/schemas.py", "loans/agreement.py",
               "vouchers/letter.py", "loans/service.py"]  # fmt: skip
    for module in modules:
        with (PACKAGE / module).open("rb") as f:
            found |= {m for _l, m, _c, _x in extract("python", f, keywords=keywords)}
    return {m if isinstance(m, str) else m[0] for m in found}


def arabic_household_texts() -> list[str]:
    with (TRANSLATIONS / "ar" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="ar")
    wanted = household_msgids()
    texts = [m.string for m in catalog if m.id in wanted and isinstance(m.string, str)]
    content = load_defaults("ar")
    for section in content.sections:
        texts += [section.title, *section.steps]
    texts += [c.label for c in content.categories]
    texts += [content.retired.text, content.unknown.text, content.thanks.title]
    texts += [content.thanks.walk_in, *content.thanks.callback.values()]
    return texts


def test_arabic_addresses_the_household_in_the_plural_everywhere():
    texts = arabic_household_texts()
    assert len(texts) > 100
    singular = {
        text: sorted(set(WORD.findall(text)) & set(SINGULAR))
        for text in texts
        if set(WORD.findall(text)) & set(SINGULAR)
    }
    assert singular == {}
