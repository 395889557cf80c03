"""The voucher part of seed-demo: two batches, one nearly empty, steps in six languages."""

import random

from sqlalchemy import select

from tests.vouchers.factories import make_household
from uitleen.audit.models import Event
from uitleen.auth import service as auth
from uitleen.db import utcnow
from uitleen.demo import Demo
from uitleen.extensions import db
from uitleen.i18n import SUPPORTED
from uitleen.vouchers import demo as voucher_demo
from uitleen.vouchers import service


def make_demo(households) -> Demo:
    users = {
        role: auth.create_user(None, f"{role}@demo.test", role, role, "correct horse")
        for role in ("coordinator", "intake")
    }
    return Demo(users=users, rng=random.Random(7), now=utcnow(), objects={"households": households})


def test_demo_batches_with_households(app):
    households = [make_household(referral_partner="School") for _ in range(6)]
    demo = make_demo(households)
    voucher_demo.seed(demo)
    db.session.commit()
    sim, home = demo.objects["voucher_batches"]
    assert set(sim.activation_steps) == set(home.activation_steps) == set(SUPPORTED)
    stock = {s.batch_id: s for s in service.stock_by_batch()}
    assert stock[home.id].low_stock and not stock[sim.id].low_stock
    assert stock[sim.id].redeemed == 1 and stock[sim.id].revoked == 1
    given = demo.objects["vouchers"]
    assert len({v.code for v in given}) == len(given) == 6
    codes = [v.code for v in given]
    logged = " ".join(str(e.data) for e in db.session.scalars(select(Event)))
    assert not any(code in logged for code in codes)


def test_demo_without_households_still_makes_both_batches(app):
    demo = make_demo([])
    voucher_demo.seed(demo)
    db.session.commit()
    stock = service.stock_by_batch()
    assert len(stock) == 2
    assert sum(s.low_stock for s in stock) == 1
    assert sum(s.assigned for s in stock) == 0


def test_every_demo_letter_fits_on_one_page(app):
    demo = make_demo([make_household(language=lang) for lang in SUPPORTED])
    voucher_demo.seed(demo)
    for voucher in demo.objects["vouchers"]:
        assert service.print_letter(None, voucher).startswith(b"%PDF")


def test_seed_demo_command_includes_vouchers(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert len(service.stock_by_batch()) == 2
