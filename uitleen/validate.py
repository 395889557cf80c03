"""marshmallow's validators, saying what to do in plain words: one voice for every form
and the API ("Maximaal 80 tekens.", "Kies een van: A, B.").

Schemas import these instead of marshmallow.validate; the OpenAPI document reads their
limits as before (they are marshmallow's own classes underneath). A Length that refuses
an empty value says what the field's required message says ("Vul het merk in."): the
base Schema (uitleen.schemas) hands that message to it.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from marshmallow import ValidationError, validate

FILL_IN = lazy_gettext("Vul dit veld in.")


class Length(validate.Length):
    """Text: 'Maximaal 80 tekens.'; a list: 'Maximaal 50 stuks.'; empty: what to fill in."""

    empty = None  # the field's required message, set by uitleen.schemas.Schema

    def __call__(self, value):
        if self.error is not None:
            return super().__call__(value)
        text = isinstance(value, str)
        length = len(value)
        if self.equal is not None and length != self.equal:
            raise ValidationError(
                _("Precies %(n)s tekens.", n=self.equal)
                if text
                else _("Precies %(n)s stuks.", n=self.equal)
            )
        if self.min is not None and length < self.min:
            if length == 0:
                raise ValidationError(str(self.empty or FILL_IN))
            raise ValidationError(
                _("Minstens %(min)s tekens.", min=self.min)
                if text
                else _("Minstens %(min)s stuks.", min=self.min)
            )
        if self.max is not None and length > self.max:
            raise ValidationError(
                _("Maximaal %(max)s tekens.", max=self.max)
                if text
                else _("Maximaal %(max)s stuks.", max=self.max)
            )
        return value


class Range(validate.Range):
    """'Vul een getal in van 1 tot en met 60.'"""

    def __call__(self, value):
        if self.error is not None:
            return super().__call__(value)
        low = self.min is not None and (
            value < self.min if self.min_inclusive else value <= self.min
        )
        high = self.max is not None and (
            value > self.max if self.max_inclusive else value >= self.max
        )
        if not (low or high):
            return value
        if self.min is not None and self.max is not None:
            raise ValidationError(
                _("Vul een getal in van %(min)s tot en met %(max)s.", min=self.min, max=self.max)
            )
        if self.min is not None:
            raise ValidationError(_("Vul een getal in van %(min)s of meer.", min=self.min))
        raise ValidationError(_("Vul een getal in van hoogstens %(max)s.", max=self.max))


class OneOf(validate.OneOf):
    """'Kies een van: laptop, tablet.'"""

    def _format_error(self, value) -> str:
        if self.error is not self.default_message:
            return super()._format_error(value)
        return _("Kies een van: %(choices)s.", choices=self.choices_text)
