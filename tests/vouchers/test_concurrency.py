"""50 workers click "give voucher" at the same moment: no code is ever handed out twice.

Real requests in real threads, each with its own app context and database connection,
committing for real; on SQLite and (with DATABASE_URL) on PostgreSQL.
"""

from collections import Counter

import pytest
from sqlalchemy import select

from tests.races import run_together
from tests.vouchers.factories import make_batch, make_household
from uitleen.extensions import db
from uitleen.settings import service as settings
from uitleen.vouchers.models import Voucher

pytestmark = pytest.mark.commits

WORKERS = 50


def assign_in_parallel(app, headers: dict, batch_id: int, household_ids: list[int]) -> list:
    def assign(i: int):
        response = app.test_client().post(
            "/api/v1/vouchers/assign",
            json={"batch_id": batch_id, "household_id": household_ids[i]},
            headers=headers,
        )
        return response.status_code, response.get_json()

    return run_together(len(household_ids), assign)


@pytest.mark.parametrize(("codes", "handed_out"), [(30, 30), (100, 50)])
def test_parallel_assignments_never_share_a_code(app, api_headers, codes, handed_out):
    headers = api_headers("intake")
    batch = make_batch(codes=codes)
    households = [make_household().id for _ in range(WORKERS)]
    batch_id = batch.id
    # Reading ids after a commit opened a (writing) transaction here; end it, or every
    # worker would wait for this thread's SQLite lock.
    db.session.rollback()

    results = assign_in_parallel(app, headers, batch_id, households)

    statuses = Counter(status for status, _body in results)
    assert statuses == Counter({201: handed_out, 409: WORKERS - handed_out})
    given = [body["code"] for status, body in results if status == 201]
    assert len(set(given)) == handed_out
    refusals = [body for status, body in results if status == 409]
    assert all(body["code"] == "no_codes_left" for body in refusals)
    assert all("Lees nieuwe codes in" in body["message"] for body in refusals)

    db.session.expire_all()
    rows = db.session.scalars(select(Voucher).where(Voucher.status == "assigned")).all()
    assert sorted(v.code for v in rows) == sorted(given)
    # Each household that was told "yes" holds exactly the code it was told.
    told = {body["household_id"]: body["code"] for status, body in results if status == 201}
    assert {v.household_id: v.code for v in rows} == told


@pytest.mark.parametrize("limit", [1, 3])
def test_parallel_assignments_to_one_household_respect_the_limit(app, api_headers, limit):
    """Ten desks give the same household a code at the same moment: the limit holds."""
    settings.put(None, "max_open_vouchers_per_household", limit)
    headers = api_headers("intake")
    batch_id = make_batch(codes=20).id
    household_id = make_household().id
    db.session.rollback()

    results = assign_in_parallel(app, headers, batch_id, [household_id] * 10)

    statuses = Counter(status for status, _body in results)
    assert statuses == Counter({201: limit, 409: 10 - limit}), results
    assert {body["code"] for status, body in results if status == 409} == {"voucher_limit"}
    db.session.expire_all()
    held = db.session.scalars(select(Voucher).where(Voucher.household_id == household_id)).all()
    assert len(held) == limit and {v.status for v in held} == {"assigned"}
