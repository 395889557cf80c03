"""dmidecode's text, read with dmiparser: the system, the chassis, the processor, memory."""

from __future__ import annotations

import re

from dmiparser import DmiParser
from flask_babel import gettext as _

from uitleen.devices.snapshot.values import refuse, text

# Chassis types (SMBIOS 3.x names as dmidecode prints them) and the kind of device they are.
CHASSIS_KINDS = {
    "laptop": "laptop",
    "notebook": "laptop",
    "portable": "laptop",
    "sub notebook": "laptop",
    "convertible": "laptop",
    "detachable": "tablet",
    "tablet": "tablet",
    "desktop": "desktop",
    "low profile desktop": "desktop",
    "mini tower": "desktop",
    "tower": "desktop",
    "mini pc": "desktop",
    "all in one": "desktop",
    "space-saving": "desktop",
}
# The names makers give themselves in firmware, and the name people use.
MAKERS = {
    "dell inc.": "Dell",
    "hewlett-packard": "HP",
    "hp": "HP",
    "lenovo": "Lenovo",
    "asustek computer inc.": "Asus",
    "acer": "Acer",
    "toshiba": "Toshiba",
    "fujitsu": "Fujitsu",
    "apple inc.": "Apple",
    "microsoft corporation": "Microsoft",
    "samsung electronics co., ltd.": "Samsung",
}
_MEMORY_SIZE = re.compile(r"^\s*(\d+)\s*(kB|MB|GB|TB)\s*$")


def read_dmidecode(output) -> list[dict]:
    """dmidecode's sections; refused when there is no System Information (type 1)."""
    if not isinstance(output, str) or not output.strip():
        raise refuse(
            "missing_section",
            _("De opname heeft geen dmidecode-gegevens (merk, model, serienummer)."),
            "data.dmidecode",
        )
    try:
        sections = DmiParser(output).data
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        sections = []
    if not first(sections, "1"):
        raise refuse(
            "missing_section",
            _(
                "dmidecode vond geen systeemgegevens (merk, model, serienummer). Dat gebeurt in "
                "een virtuele machine of zonder rootrechten. Start workbench-script op het "
                "apparaat zelf, als root."
            ),
            "data.dmidecode",
        )
    return sections


def first(sections: list[dict], dmi_type: str) -> dict:
    for section in sections:
        if section.get("handle", {}).get("type") == dmi_type:
            return section
    return {}


def every(sections: list[dict], dmi_type: str) -> list[dict]:
    return [s for s in sections if s.get("handle", {}).get("type") == dmi_type]


def prop(section: dict, name: str) -> str:
    values = section.get("props", {}).get(name, {}).get("values") or [""]
    return values[0] if isinstance(values[0], str) else ""


def model_name(make: str, system: dict) -> str:
    """Lenovo puts its machine type in Product Name and the name people know in Version."""
    model = text(prop(system, "Product Name"), "data.dmidecode: Product Name")
    version = text(prop(system, "Version"), "data.dmidecode: Version")
    if make.lower() == "lenovo" and version and not version.lower().startswith("not "):
        return version
    return model


def cpu(sections: list[dict]) -> str:
    for section in every(sections, "4"):
        if prop(section, "Status").startswith("Populated") or len(every(sections, "4")) == 1:
            name = text(prop(section, "Version"), "data.dmidecode: Processor Version")
            return " ".join(re.sub(r"\((R|TM|tm|r)\)", "", name).split())
    return ""


def ram_gb(sections: list[dict]) -> int | None:
    factor = {"kB": 1 / 1024, "MB": 1, "GB": 1024, "TB": 1024 * 1024}
    total_mb = 0.0
    for section in every(sections, "17"):
        found = _MEMORY_SIZE.match(prop(section, "Size"))
        if found:
            total_mb += int(found.group(1)) * factor[found.group(2)]
    return round(total_mb / 1024) or None
