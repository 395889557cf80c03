"""The battery, from inxi's JSON: its Battery section's condition, full/design in Wh."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from uitleen.devices.snapshot.values import json_section, refuse

_BATTERY_CONDITION = re.compile(r"^\s*([0-9.]+)\s*/\s*([0-9.]+)\s*Wh")


def read_battery(inxi) -> tuple[float | None, float | None]:
    """Full and design capacity in Wh from inxi's Battery section, if it has one."""
    if inxi is None or (isinstance(inxi, str) and not inxi.strip()):
        return None, None
    if isinstance(inxi, str):
        inxi = json_section(inxi, "data.inxi")
    if not isinstance(inxi, list):
        raise refuse("garbled_section", _("data.inxi is geen inxi-uitvoer."), "data.inxi")
    for section in inxi:
        if not isinstance(section, dict):
            continue
        for key, rows in section.items():
            if not key.endswith("#Battery") or not isinstance(rows, list):
                continue
            for row in rows:
                for field, value in row.items() if isinstance(row, dict) else ():
                    found = isinstance(value, str) and _BATTERY_CONDITION.match(value)
                    if field.endswith("#condition") and found:
                        full, design = float(found.group(1)), float(found.group(2))
                        if 0 < full < 10_000 and 0 < design < 10_000:
                            return full, design
    return None, None
