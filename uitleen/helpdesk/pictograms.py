"""Pictograms for the public help pages: tiny inline SVGs drawn in currentColor.

Inline, because the page makes no extra requests; hidden from screen readers, because
every pictogram stands next to a text that says the same.
"""

from markupsafe import Markup

# Attributes shared by every pictogram: a 24-unit grid, drawn with 2-unit round strokes.
_OPEN = (
    '<svg class="{cls}" viewBox="0 0 24 24" width="24" height="24" fill="none" '
    'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
    'aria-hidden="true" focusable="false">'
)

_POWER = '<path d="M12 3v8M7.5 6a8 8 0 1 0 9 0"/>'
_WIFI = (
    '<path d="M2 9a15 15 0 0 1 20 0M5 12.5a10 10 0 0 1 14 0M8.5 16a5 5 0 0 1 7 0"/>'
    '<circle cx="12" cy="19.5" r="1"/>'
)
_SLASH = '<path d="M3 3l18 18"/>'
_CIRCLE = '<circle cx="12" cy="12" r="9"/>'

# Drawings that point one way (a paper plane) are mirrored on right-to-left pages.
_DIRECTIONAL = {"send"}

_BODIES = {
    # How to reach a person.
    "phone": (
        '<path d="M5 3h3.5l2 5-2.5 1.5a11 11 0 0 0 5.5 5.5l1.5-2.5 5 2V19a2 2 0 0 1-2 2'
        'A16 16 0 0 1 3 5a2 2 0 0 1 2-2z"/>'
    ),
    "chat": (
        '<path d="M3.5 20.5l1.3-4.2a8.5 8.5 0 1 1 3 3z"/>'
        '<path d="M9.5 8.5c0 3 3 6 6 6l1-1.5-2-1-1 1c-1 0-2.5-1.5-2.5-2.5l1-1-1-2z"/>'
    ),
    "pin": (
        '<path d="M12 21s-7-6.5-7-12a7 7 0 0 1 14 0c0 5.5-7 12-7 12z"/>'
        '<circle cx="12" cy="9" r="2.5"/>'
    ),
    "clock": _CIRCLE + '<path d="M12 7v5l3.5 2"/>',
    "globe": _CIRCLE + '<path d="M3 12h18M12 3c-4 4.5-4 13.5 0 18M12 3c4 4.5 4 13.5 0 18"/>',
    "question": _CIRCLE + '<path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7M12 17h0"/>',
    "check": _CIRCLE + '<path d="M7.5 12.5l3 3 6-6.5"/>',
    "send": '<path d="M3 11L21 3l-8 18-2.5-7.5zM10.5 13.5L21 3"/>',
    # How-to sections.
    "power": _POWER,
    "wifi": _WIFI,
    "video": '<rect x="2" y="6" width="13" height="12" rx="2"/><path d="M15 10.5l7-4v11l-7-4z"/>',
    "key": '<circle cx="7.5" cy="15.5" r="4.5"/><path d="M10.7 12.3L20 3M15.5 7.5l3 3M13 10l2 2"/>',
    "ticket": (
        '<path d="M3 6h18v4a2 2 0 0 0 0 4v4H3v-4a2 2 0 0 0 0-4z"/>'
        '<path d="M15 6v2M15 11v2M15 16v2"/>'
    ),
    "heart": (
        '<path d="M12 20s-8.5-5-8.5-11A4.5 4.5 0 0 1 12 6.5 4.5 4.5 0 0 1 20.5 9'
        'c0 6-8.5 11-8.5 11z"/>'
    ),
    # Help-request categories, one each.
    "no_start": _POWER + _SLASH,
    "no_internet": _WIFI + _SLASH,
    "password": (
        '<rect x="4" y="11" width="16" height="10" rx="2"/>'
        '<path d="M8 11V7a4 4 0 0 1 8 0v4M12 15v2"/>'
    ),
    "broken": '<path d="M4 4h16v11H4zM2 19h20M12 4l-1.5 4 3 2.5L11 15"/>',
    "sound_camera": (
        '<path d="M2 9h3l4-3.5v13L5 15H2z"/><circle cx="17" cy="10" r="4.5"/>'
        '<circle cx="17" cy="10" r="1"/><path d="M14.5 20h5M17 14.5V20"/>'
    ),
    "other": _CIRCLE + '<path d="M8 12h0M12 12h0M16 12h0"/>',
}


def _svg(name: str, body: str) -> Markup:
    """Wrap a drawing in the shared <svg> element."""
    cls = "i flip" if name in _DIRECTIONAL else "i"
    return Markup(_OPEN.format(cls=cls) + body + "</svg>")  # noqa: S704 - constant markup


PICTOGRAMS: dict[str, Markup] = {name: _svg(name, body) for name, body in _BODIES.items()}

# Which pictogram goes with which how-to section.


def pictogram(name: str) -> Markup:
    """The inline SVG for a pictogram name; an unknown name is a programming error."""
    return PICTOGRAMS[name]
