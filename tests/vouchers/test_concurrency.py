"""50 workers click "give voucher" at the same moment: no code is ever handed out twice.

Real requests in real threads, each with its own app context and database connection,
committing for real; on SQLite and (with DATABASE_URL) on PostgreSQL.
"""

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from tests.vouchers.factories import make_batch, make_household
from uitleen.extensions import db
from uitleen.vouchers.models import Voucher

WORKERS = 50


def assign_in_parallel(app, headers: dict, batch_id: int, household_ids: list[int]) -> list:
    barrier = threading.Barrier(len(household_ids))
    results: list = [None] * len(household_ids)

    def work(index: int, household_id: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/vouchers/assign",
            json={"batch_id": batch_id, "household_id": household_id},
            headers=headers,
        )
        results[index] = (response.status_code, response.get_json())

    threads = [
        threading.Thread(target=work, args=(i, household_id))
        for i, household_id in enumerate(household_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


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
