"""Compile the gettext catalogues (messages.po → messages.mo) without extra tools.

Run by `make` before the app starts or the tests run; the .mo files are build output.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).parent / "translations"


def compile_catalogues(root: Path = TRANSLATIONS) -> list[Path]:
    compiled = []
    for po_path in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        compiled.append(mo_path)
    return compiled


if __name__ == "__main__":
    done = compile_catalogues()
    print(f"Compiled {len(done)} catalogue(s).")
