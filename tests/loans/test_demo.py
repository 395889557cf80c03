"""seed-demo's households and loans: every kind of case an intake desk meets."""

import re
from datetime import date

from sqlalchemy import select

from uitleen import demo
from uitleen.devices import lifecycle
from uitleen.extensions import db
from uitleen.households import service as households
from uitleen.households.models import Household
from uitleen.loans import service as loans
from uitleen.loans.models import Loan


def test_demo_has_households_loans_and_a_waiting_list(app, client, login_as):
    seeded = demo.seed()
    db.session.commit()
    homes = seeded.objects["households"]
    made = seeded.objects["loans"]
    assert {h.language for h in homes} == {"nl", "ar", "tr", "pl", "uk", "en"}
    assert len({h.referral_partner for h in homes}) >= 4
    assert loans.count_loans("overdue") >= 2 and loans.count_loans("due_soon") >= 1
    assert {loan.outcome for loan in made} >= {None, "returned", "gifted"}
    for loan in made:
        if loan.outcome == "returned":
            assert loan.device.state == "returned"
            assert lifecycle.evidence(loan.device) == (False, False)  # to be wiped again
        elif loan.outcome is None:
            assert loan.device.state == "on_loan" and loan.due_date != date.today()
    waiting = households.waiting_list()
    assert len(waiting) == 4 and waiting[0].need == "language_class"
    assert loans.ready_devices(), "some devices stay ready for the waiting list"
    erased = list(db.session.scalars(select(Household).where(Household.erased_at.is_not(None))))
    assert len(erased) == 1 and erased[0].contact_name is None
    assert db.session.scalar(select(Loan).where(Loan.household_id == erased[0].id))
    assert households.purge(None) == 0  # the demo is already up to date with retention
    db.session.rollback()
    every_desk_page_renders(client, login_as, seeded)


def every_desk_page_renders(client, login_as, seeded) -> None:
    login_as("intake")
    urls = [
        "/start",
        "/households/",
        "/households/?q=a",
        "/households/new",
        "/households/waiting",
        "/loans/",
        "/loans/issue",
        "/loans/reminders",
    ]
    urls += [f"/loans/?status={status}" for status in loans.FILTERS]
    urls += [f"/households/{h.id}" for h in seeded.objects["households"]]
    urls += [f"/households/{h.id}/edit" for h in seeded.objects["households"][:3]]
    urls += [f"/loans/{loan.id}" for loan in seeded.objects["loans"]]
    failed, duplicated = [], []
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            failed.append((url, response.status_code))
        ids = re.findall(r'\sid="([^"]+)"', response.get_data(as_text=True))
        duplicated += [(url, i) for i in set(ids) if ids.count(i) > 1]
    assert failed == []
    assert duplicated == []  # labels point at exactly one field
