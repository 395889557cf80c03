"""The demo history gives every month of the dashboard something to show."""

import random

from uitleen.db import utcnow
from uitleen.demo import Demo
from uitleen.extensions import db
from uitleen.reports import demo as history
from uitleen.reports import service


def test_demo_history_fills_the_last_year(app, make_user):
    users = {role: make_user(role) for role in ("volunteer", "intake", "coordinator")}
    demo = Demo(users=users, rng=random.Random(7), now=utcnow())
    history.seed(demo)
    db.session.commit()
    board = service.dashboard(now=demo.now)
    assert sum(1 for n in board.received if n) >= 10  # devices came in almost every month
    assert sum(1 for n in board.issued if n) >= 8
    assert sum(board.returned) > 0
    stock = dict(board.stock)
    assert stock["recycled"] > 0 and stock["gifted"] > 0
    # Every loan starts after its device arrived, and returns after it was issued.
    from sqlalchemy import select

    from uitleen.devices.models import Device
    from uitleen.loans.models import Loan

    rows = db.session.execute(
        select(Device.created_at, Loan.issued_at, Loan.returned_at).join(
            Loan, Loan.device_id == Device.id
        )
    ).all()
    assert rows
    for created, issued, returned in rows:
        assert created < issued
        assert returned is None or issued < returned
