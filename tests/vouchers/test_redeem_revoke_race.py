"""Redeem and revoke change a voucher only from the status they read: a voucher that moved
on meanwhile (another worker redeemed or revoked it) is refused, not overwritten."""

import threading

import pytest
from sqlalchemy import select

from tests.conftest import requires_postgres
from tests.races import committed, pooled_app, run_together
from tests.vouchers.factories import make_batch, make_household
from uitleen.audit.models import Event
from uitleen.errors import Conflict
from uitleen.extensions import db
from uitleen.vouchers import service
from uitleen.vouchers.models import Voucher

WORKERS = 20


def assigned_voucher() -> Voucher:
    batch = make_batch(codes=1)
    voucher = service.assign(None, batch.id, household_id=make_household().id)
    db.session.commit()
    return voucher


def verbs() -> list[str]:
    return list(
        db.session.scalars(
            select(Event.verb)
            .where(Event.verb.in_(("voucher.redeemed", "voucher.revoked")))
            .order_by(Event.id)
        )
    )


def read_then_let_another_worker(other_app, voucher_id: int, change) -> Voucher:
    """This worker's copy of the voucher, read before another worker changed and committed it."""
    stale = db.session.get(Voucher, voucher_id)
    db.session.expunge(stale)  # keep what was read; end the transaction (SQLite's lock)
    db.session.rollback()
    with other_app.app_context():
        change(db.session.get(Voucher, voucher_id))
        db.session.commit()
        db.session.remove()
    db.session.add(stale)
    return stale


@pytest.mark.parametrize(
    ("first", "then", "final"),
    [
        ("revoke", "redeem", "revoked"),
        ("redeem", "revoke", "redeemed"),
        ("revoke", "revoke", "revoked"),
    ],
)
def test_a_voucher_that_moved_on_since_it_was_read_is_refused(app, app_factory, first, then, final):
    voucher_id = assigned_voucher().id
    actions = {
        "redeem": lambda v: service.redeem(None, v, "Werkt."),
        "revoke": lambda v: service.revoke(None, v, "Brief kwijt."),
    }
    stale = read_then_let_another_worker(app_factory(), voucher_id, actions[first])
    assert stale.status == "assigned"  # what this worker's page still shows

    with pytest.raises(Conflict) as refused:
        actions[then](stale)

    assert refused.value.code == "voucher_changed"
    assert "net veranderd" in refused.value.message
    db.session.rollback()
    assert db.session.get(Voucher, voucher_id).status == final
    assert verbs() == [{"redeem": "voucher.redeemed", "revoke": "voucher.revoked"}[first]]


def test_redeem_and_revoke_still_work_and_refuse_from_a_wrong_status(app):
    voucher = assigned_voucher()
    service.redeem(None, voucher, "Werkt, gebeld.")
    assert (voucher.status, voucher.note) == ("redeemed", "Werkt, gebeld.")
    with pytest.raises(Conflict) as again:
        service.revoke(None, voucher, "te laat")
    assert again.value.code == "wrong_status"
    available = service.vouchers_of_batch(make_batch(codes=1).id)[0]
    service.revoke(None, available, "Aanbieder blokkeerde de code.")
    assert available.status == "revoked" and available.revoked_at is not None


@pytest.fixture
def race_app(app_factory):
    return pooled_app(app_factory, WORKERS)


@requires_postgres
def test_simultaneous_redeems_and_revokes_change_a_voucher_once(app, race_app):
    voucher_id = assigned_voucher().id
    db.session.rollback()
    all_read = threading.Barrier(WORKERS)

    def attempt(i: int):
        def change():
            voucher = db.session.get(Voucher, voucher_id)
            all_read.wait()  # every worker has seen "assigned" before anyone writes
            if i % 2:
                service.redeem(None, voucher, f"werker {i}")
            else:
                service.revoke(None, voucher, f"werker {i}")
            return voucher.status

        return committed(race_app, change)

    results = [r.code if isinstance(r, Conflict) else r for r in run_together(WORKERS, attempt)]

    won = [r for r in results if r in ("redeemed", "revoked")]
    assert len(won) == 1, results
    assert sorted(r for r in results if r not in won) == ["voucher_changed"] * (WORKERS - 1)
    db.session.expire_all()
    voucher = db.session.get(Voucher, voucher_id)
    assert voucher.status == won[0]
    assert verbs() == [f"voucher.{won[0]}"]
    assert voucher.note.count("werker") == 1
