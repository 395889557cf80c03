"""Merge staging translations (translations/staging/<topic>/<lang>.po) into the catalogues.

For every msgid that is in both a staging file and a catalogue, the staging translation
fills the catalogue's empty msgstr. With --overwrite it also replaces a different one.
Safe to run again: `make messages` runs it after extracting and updating.

    python -m uitleen.translations_merge [--overwrite]
"""

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).parent / "translations"
WIDTH = 76  # the same line width as pybabel, so a merge after `pybabel update` adds no churn


@dataclass
class MergeResult:
    filled: int = 0
    replaced: int = 0
    conflicts: list[str] = field(default_factory=list)  # msgids whose texts differ, kept


def is_translated(string) -> bool:
    """A msgstr with text (for plurals: every form has text)."""
    if isinstance(string, tuple | list):
        return bool(string) and all(string)
    return bool(string)


def merge(target: Catalog, source: Catalog, overwrite: bool = False) -> MergeResult:
    """Copy source's translations into target for the msgids target already has."""
    result = MergeResult()
    for message in source:
        if not message.id or not is_translated(message.string):
            continue
        existing = target.get(message.id)
        if existing is None:
            continue  # not (or no longer) in the code: nothing to translate
        if not is_translated(existing.string):
            existing.string = message.string
            result.filled += 1
        elif existing.string != message.string:
            if overwrite:
                existing.string = message.string
                result.replaced += 1
            else:
                singular = message.id if isinstance(message.id, str) else message.id[0]
                result.conflicts.append(singular)
        existing.flags.discard("fuzzy")
    return result


def read_catalogue(path: Path, locale: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def write_catalogue(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as f:
        write_po(f, catalog, width=WIDTH)


def merge_all(root: Path = TRANSLATIONS, overwrite: bool = False) -> dict[str, MergeResult]:
    """Merge every staging topic into the catalogue of its language; returns what changed."""
    results = {}
    for po_path in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        lang = po_path.parent.parent.name
        catalog = read_catalogue(po_path, lang)
        total = MergeResult()
        for staging in sorted((root / "staging").glob(f"*/{lang}.po")):
            part = merge(catalog, read_catalogue(staging, lang), overwrite)
            total.filled += part.filled
            total.replaced += part.replaced
            total.conflicts += part.conflicts
        if total.filled or total.replaced:
            write_catalogue(po_path, catalog)
        results[lang] = total
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--overwrite", action="store_true", help="staging wins where both have a translation"
    )
    args = parser.parse_args(argv)
    for lang, result in merge_all(overwrite=args.overwrite).items():
        line = f"{lang}: {result.filled} filled, {result.replaced} replaced from staging"
        if result.conflicts:
            line += f"; {len(result.conflicts)} kept the catalogue's own text (--overwrite)"
        print(line)


if __name__ == "__main__":
    main()
