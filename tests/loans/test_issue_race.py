"""Rules 1 and 2 under load: 40 desks issue one device at the same moment, one wins."""

import pytest
from sqlalchemy import func, select

from tests.households.factories import make_household
from tests.loans.factories import make_ready_device
from tests.races import committed, pooled_app, run_together
from uitleen.auth.models import User
from uitleen.devices.models import Device
from uitleen.errors import Conflict
from uitleen.extensions import db
from uitleen.households.models import Household
from uitleen.loans import service
from uitleen.loans.models import Loan

pytestmark = pytest.mark.commits

ATTEMPTS = 40
MESSAGE = "Deze laptop is net aan iemand anders uitgeleend"


@pytest.fixture
def race_app(app_factory):
    return pooled_app(app_factory, ATTEMPTS)


def test_forty_simultaneous_issues_make_exactly_one_loan(app, race_app, make_user):
    worker = make_user("intake")
    device = make_ready_device()
    homes = [
        make_household(worker, commit=False, contact_name=f"Huis {i}") for i in range(ATTEMPTS)
    ]
    db.session.commit()
    ids = (worker.id, device.id, [h.id for h in homes])
    db.session.rollback()  # end our read transaction: on SQLite it would hold the write lock

    def attempt(i: int):
        def issue():
            actor = db.session.get(User, ids[0])
            device = db.session.get(Device, ids[1])
            return service.issue(actor, device, db.session.get(Household, ids[2][i])).id

        return committed(race_app, issue)

    results = run_together(ATTEMPTS, attempt)
    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1, results
    assert len(lost) == ATTEMPTS - 1, [r for r in results if not isinstance(r, int | Conflict)]
    assert all(r.code == "already_issued" and MESSAGE in r.message for r in lost)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 1
    assert db.session.get(Device, device.id).state == "on_loan"


def test_forty_simultaneous_api_requests_make_one_loan_and_39_conflicts(
    app, race_app, make_user, api_headers
):
    headers = api_headers("intake")
    device = make_ready_device()
    codes = [make_household(None, commit=False).code for _ in range(ATTEMPTS)]
    db.session.commit()
    tag = device.asset_tag
    db.session.rollback()  # end our read transaction: on SQLite it would hold the write lock

    def attempt(i: int):
        client = race_app.test_client()
        response = client.post(
            "/api/v1/loans", json={"device": tag, "household": codes[i]}, headers=headers
        )
        with race_app.app_context():
            db.session.remove()
        return response.status_code, response.get_json()

    results = run_together(ATTEMPTS, attempt)
    statuses = sorted(status for status, _body in results)
    assert statuses == [201] + [409] * (ATTEMPTS - 1), statuses
    refusals = [body for status, body in results if status == 409]
    assert all(MESSAGE in body["message"] for body in refusals)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 1


def test_one_household_cannot_pass_its_limit_by_asking_two_desks(app, race_app, make_user):
    worker = make_user("intake")
    household = make_household(worker)
    devices = [make_ready_device() for _ in range(10)]
    ids = (worker.id, household.id, [d.id for d in devices])
    db.session.rollback()

    def attempt(i: int):
        def issue():
            household = db.session.get(Household, ids[1])
            device = db.session.get(Device, ids[2][i])
            return service.issue(db.session.get(User, ids[0]), device, household).id

        return committed(race_app, issue)

    results = [r.code if isinstance(r, Conflict) else r for r in run_together(10, attempt)]
    assert sorted(map(str, results)) == sorted(
        [str(r) for r in results if isinstance(r, int)] + ["too_many_open_loans"] * 9
    )
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 1
