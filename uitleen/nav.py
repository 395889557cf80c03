"""Navigation and home-page cards, contributed by each domain package.

Domains register here at import time, so adding a domain never means editing the
base layout or the home page.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, url_for


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy gettext string
    roles: frozenset[str]
    order: int


@dataclass(frozen=True)
class Card:
    title: str
    text: str
    endpoint: str
    count: int | None = None
    urgent: bool = False
    url_args: tuple = ()


_NAV: list[NavItem] = []
_CARDS: list[tuple[int, frozenset[str], Callable]] = []


def nav_item(endpoint: str, label, roles, order: int = 50) -> None:
    """Show a link to `endpoint` in the menu for these roles."""
    if any(item.endpoint == endpoint for item in _NAV):
        return
    _NAV.append(NavItem(endpoint, label, frozenset(roles), order))


def home_card(roles, order: int = 50):
    """Register a function (user) -> Card | None that the home page shows for these roles."""

    def decorator(build: Callable) -> Callable:
        _CARDS.append((order, frozenset(roles), build))
        return build

    return decorator


def nav_for(user) -> list[tuple[str, str, str]]:
    """(endpoint, url, label) for the menu of this user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    items = sorted(
        (i for i in _NAV if user.role in i.roles and i.endpoint in current_app.view_functions),
        key=lambda i: i.order,
    )
    return [(i.endpoint, url_for(i.endpoint), str(i.label)) for i in items]


def cards_for(user) -> list[Card]:
    cards = []
    for _order, roles, build in sorted(_CARDS, key=lambda c: c[0]):
        if user.role in roles:
            card = build(user)
            if card is not None and card.endpoint in current_app.view_functions:
                cards.append(card)
    return cards
