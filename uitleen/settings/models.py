"""Key-value settings and the organisation's locations."""

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from uitleen.extensions import db
from uitleen.i18n import missing_translations


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class Location(db.Model):
    """A workshop, library desk or community centre where devices live and people walk in."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    walk_in_hours: Mapped[str] = mapped_column(Text, default="")  # Dutch, the source
    # {language code: walk-in hours in that language}: what households read on the help page.
    walk_in_hours_translations: Mapped[dict] = mapped_column(JSON, default=dict)
    phone: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def missing_translations(self) -> list[str]:
        """Household languages the walk-in hours are not yet written in."""
        return missing_translations(self.walk_in_hours, self.walk_in_hours_translations)
