"""Demo households in six languages, referred by different partners, and a waiting list."""

from datetime import timedelta

from sqlalchemy import update

from uitleen.extensions import db
from uitleen.households import service
from uitleen.households.models import Household, WaitingEntry

# name (or None), phone (or None), language, size, school children, partner, proof
HOUSEHOLDS = [
    ("Samira El Idrissi", "06 1234 5601", "ar", 5, 3, "School", "stadspas"),
    ("Oksana Kovalenko", "+31 6 2345 5602", "uk", 3, 2, "Taalles", "referral_letter"),
    ("Mehmet Yılmaz", "06-34565603", "tr", 4, 2, "Schuldhulp", "income_statement"),
    ("Anna Kowalska", "06 4567 5604", "pl", 2, 1, "Sociaal wijkteam", "stadspas"),
    ("Ria de Vries", "020 555 5605", "nl", 1, 0, "Bibliotheek", "stadspas"),
    (None, "06 5678 5606", "ar", 6, 4, "School", "referral_letter"),
    ("John Mensah", "06 6789 5607", "en", 2, 0, "Taalles", "income_statement"),
    ("Fatma Demir", None, "tr", 3, 1, "School", "stadspas"),
    (None, None, "nl", 2, 1, "Schuldhulp", "income_statement"),
    ("Yusuf Haddad", "06 7890 5610", "ar", 4, 2, "Sociaal wijkteam", "referral_letter"),
    ("Iryna Shevchenko", "06 8901 5611", "uk", 2, 1, "Taalles", "stadspas"),
    ("Kees Bakker", "06 9012 5612", "nl", 1, 0, "", "stadspas"),
    ("Marta Nowak", "06 1122 5613", "pl", 4, 2, "School", "income_statement"),
    ("Grace Owusu", "06 2233 5614", "en", 3, 1, "Bibliotheek", "referral_letter"),
    # Waiting for a device:
    ("Hanna Petrenko", "06 3344 5615", "uk", 3, 2, "Taalles", "referral_letter"),
    ("Abdelkader Benali", "06 4455 5616", "ar", 2, 0, "Schuldhulp", "stadspas"),
    (None, "06 5566 5617", "nl", 5, 3, "School", "stadspas"),
    ("Ayşe Kaya", "06 6677 5618", "tr", 2, 1, "Sociaal wijkteam", "income_statement"),
]
WAITING = [  # index into HOUSEHOLDS, need, note, days waiting
    (14, "language_class", "Volgt taalles op dinsdag", 40),
    (15, "work", "Solliciteert online", 26),
    (16, "school", "Drie kinderen op de basisschool", 12),
    (17, "other", "", 3),
]


def seed(demo) -> None:
    worker = demo.users["intake"]
    made = []
    for n, (name, phone, language, size, children, partner, proof) in enumerate(HOUSEHOLDS):
        registered = demo.now - timedelta(days=420 - n * 20)
        household = service.register(
            worker,
            {
                "contact_name": name,
                "phone": phone,
                "language": language,
                "household_size": size,
                "school_children": children,
                "referral_partner": partner,
                "proof_kind": proof,
                "consent_date": registered.date(),
            },
        )
        _set(Household, household.id, created_at=registered)
        made.append(household)
    for index, need, note, days in WAITING:
        entry = service.add_to_waiting_list(worker, made[index], need, note)
        _set(WaitingEntry, entry.id, created_at=demo.now - timedelta(days=days))
    db.session.expire_all()
    demo.objects["households"] = made


def _set(model, row_id: int, **values) -> None:
    """Demo only: move a row back in time, as if it was made earlier."""
    db.session.execute(update(model).where(model.id == row_id).values(**values))
