"""The gettext catalogues: in step with the code, complete, well-formed, and used by the app.

msgids are Dutch. Staff pages need English; household-facing texts need every household
language. When a test here fails after you changed a text: run `make messages`, then fill
in the empty msgstr entries it names.
"""

import ast
import re
import shutil
from gettext import GNUTranslations
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.conftest import compile_catalogues
from uitleen.extensions import babel

ROOT = Path(__file__).parents[1]
TRANSLATIONS = ROOT / "uitleen" / "translations"
LANGUAGES = ("en", "ar", "tr", "pl", "uk")
FIX = (
    "Run `make messages`, then translate the empty msgstr entries in "
    "uitleen/translations/<lang>/LC_MESSAGES/messages.po (msgid = Dutch)."
)

# Texts a household reads (the help page behind the label, the papers it takes home, the
# reminders it gets): whole files, or named top-level functions, classes and assignments.
HOUSEHOLD_FILES = (
    "uitleen/templates/helpdesk/public/",
    "uitleen/templates/errors/error.html",
    "uitleen/helpdesk/public.py",
    "uitleen/loans/agreement.py",
    "uitleen/vouchers/letter.py",
)
HOUSEHOLD_PARTS = {
    "uitleen/loans/service.py": ("reminder_text",),
    "uitleen/helpdesk/schemas.py": (
        "_check_category",
        "_check_message",
        "_check_phone",
        "AskInSchema",
    ),
    "uitleen/helpdesk/service.py": ("create_request",),
    "uitleen/labels/service.py": ("help_text",),
    "uitleen/errors.py": ("_HTTP_MESSAGES",),
}

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def message_key(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple | list) else msgid


def read_catalogue(path: Path, locale: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def catalogue(lang: str):
    return read_catalogue(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", lang)


def translated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return bool(message.string) and all(message.string)
    return bool(message.string)


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


@pytest.fixture(scope="module")
def extracted() -> dict[str, list[tuple[str, int]]]:
    """The code's texts now, as `make messages` extracts them: msgid -> [(file, line)]."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
    found: dict[str, list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        if message_key(message):
            found.setdefault(message_key(message), []).append((filename, lineno))
    return found


@pytest.fixture(scope="module")
def pot():
    return read_catalogue(TRANSLATIONS / "messages.pot")


def part_ranges() -> dict[str, list[tuple[int, int]]]:
    """Line ranges of the household-facing parts of mixed files."""
    ranges = {}
    for path, names in HOUSEHOLD_PARTS.items():
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        spans = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                spans[node.name] = (node.lineno, node.end_lineno)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        spans[target.id] = (node.lineno, node.end_lineno)
        missing = [name for name in names if name not in spans]
        assert not missing, f"{path} has no {missing}: update HOUSEHOLD_PARTS in this test"
        ranges[path] = [spans[name] for name in names]
    return ranges


@pytest.fixture(scope="module")
def household_msgids(extracted) -> set[str]:
    ranges = part_ranges()
    chosen = set()
    for msgid, places in extracted.items():
        for filename, lineno in places:
            in_part = any(a <= lineno <= b for a, b in ranges.get(filename, ()))
            if filename.startswith(HOUSEHOLD_FILES) or in_part:
                chosen.add(msgid)
    return chosen


def test_pot_is_up_to_date_with_the_code(extracted, pot):
    in_pot = {message_key(m.id) for m in pot if m.id}
    new = sorted(set(extracted) - in_pot)
    gone = sorted(in_pot - set(extracted))
    assert not new and not gone, (
        f"messages.pot is behind the code. {FIX}\n"
        f"Texts not in messages.pot ({len(new)}): {new[:20]}\n"
        f"Texts no longer in the code ({len(gone)}): {gone[:20]}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_every_text_of_the_pot(pot, lang):
    in_pot = {message_key(m.id) for m in pot if m.id}
    in_catalogue = {message_key(m.id) for m in catalogue(lang) if m.id}
    missing = sorted(in_pot - in_catalogue)
    assert not missing, f"{lang}: {len(missing)} texts missing, e.g. {missing[:10]}. {FIX}"


def test_every_text_has_an_english_translation(pot):
    english = catalogue("en")
    untranslated = sorted(
        message_key(m.id)
        for m in pot
        if m.id and (english.get(m.id) is None or not translated(english.get(m.id)))
    )
    assert not untranslated, (
        f"{len(untranslated)} texts have no English translation: {untranslated[:15]}. {FIX}"
    )


def test_household_texts_are_recognised(household_msgids):
    # The selection itself must work, or the next test would pass on nothing.
    assert "Hulp nodig? Scan mij" in household_msgids  # the label
    assert "Hallo," in household_msgids  # the reminder
    assert "Deze lening bestaat niet." not in household_msgids  # loans/service.py, staff
    assert "Uitloggen" not in household_msgids  # a staff page
    assert len(household_msgids) > 60


@pytest.mark.parametrize("lang", LANGUAGES)
def test_household_texts_are_translated(household_msgids, lang):
    cat = catalogue(lang)
    untranslated = sorted(
        msgid
        for msgid in household_msgids
        if cat.get(msgid) is None or not translated(cat.get(msgid))
    )
    assert not untranslated, (
        f"{lang}: {len(untranslated)} texts that households read are not translated: "
        f"{untranslated[:10]}. {FIX}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match(lang):
    cat = catalogue(lang)
    wrong = []
    for message in cat:
        if not message.id or not translated(message):
            continue
        if isinstance(message.id, tuple | list):
            allowed = set(placeholders(message.id[0])) | set(placeholders(message.id[1]))
            # A form may leave out the number ("one label"), never bring an unknown name.
            wrong += [(message.id[0], s) for s in message.string if set(placeholders(s)) - allowed]
        elif placeholders(message.string) != placeholders(message.id):
            wrong.append((message.id, message.string))
    assert not wrong, f"{lang}: placeholders differ from the msgid: {wrong[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_format_with_their_values(lang):
    """Filling in the msgid's values works for every translation (no stray %, no unknown name)."""
    failures = []
    for message in catalogue(lang):
        if not message.id or not translated(message):
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        values = {name: "X" for msgid in ids for name in PLACEHOLDER.findall(msgid) if name}
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for string in strings:
            try:
                string % values
            except (KeyError, ValueError, TypeError) as error:
                failures.append((string, repr(error)))
    assert not failures, f"{lang}: {failures[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_compiles_without_fuzzy_or_check_errors(lang):
    cat = catalogue(lang)
    fuzzy = [message_key(m.id) for m in cat if m.id and m.fuzzy]
    assert not fuzzy, f"{lang}: fuzzy entries are not used by the app: {fuzzy[:5]}"
    problems = [(message_key(m.id), [str(e) for e in errors]) for m, errors in cat.check()]
    assert not problems, f"{lang}: {problems[:5]}"
    buffer = BytesIO()
    write_mo(buffer, cat, use_fuzzy=False)
    buffer.seek(0)
    compiled = GNUTranslations(buffer)
    sample = next(m for m in cat if m.id and isinstance(m.id, str) and m.string)
    assert compiled.gettext(sample.id) == sample.string


@pytest.fixture
def compiled_app(app, app_factory, tmp_path):
    """An app reading the committed catalogues, compiled as the build does (`pybabel compile`)."""
    root = tmp_path / "translations"
    for lang in LANGUAGES:
        target = root / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", target)
    compile_catalogues(root)
    assert len(list(root.glob("*/LC_MESSAGES/messages.mo"))) == len(LANGUAGES)
    # Flask-Babel caches catalogues per locale on its one Domain, across apps.
    babel.domain_instance.cache.clear()
    yield app_factory(BABEL_TRANSLATION_DIRECTORIES=str(root))
    babel.domain_instance.cache.clear()


def test_staff_can_switch_the_interface_to_english(compiled_app, make_user):
    user = make_user("coordinator")
    # No app context of compiled_app around the requests: each request gets its own, so
    # Flask-Babel picks the locale afresh (it remembers it per app context).
    client = compiled_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    dutch = client.get("/start").get_data(as_text=True)
    assert "Uitloggen" in dutch and "Log out" not in dutch

    client.post("/lang/en", data={"next": "/start"})
    english = client.get("/start").get_data(as_text=True)
    assert '<html lang="en"' in english
    assert "Log out" in english and "Uitloggen" not in english
    assert "Hello, Coordinator" in english and "Goedendag" not in english
