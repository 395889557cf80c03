"""Households for tests, made through the service so they look like real ones."""

from datetime import date

from uitleen.extensions import db
from uitleen.households import service
from uitleen.households.models import Household


def make_household(actor=None, commit: bool = True, **fields) -> Household:
    data = {
        "contact_name": "Amina Test",
        "phone": "06 12345678",
        "language": "nl",
        "proof_kind": "stadspas",
        "consent_date": date(2026, 1, 5),
        "referral_partner": "School",
        **fields,
    }
    household = service.register(actor, data)
    if commit:
        db.session.commit()
    return household
