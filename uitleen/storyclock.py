"""The demo's story clock: service calls stamped at a moment of a made-up past."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from uitleen.db import STORY_TIME
from uitleen.extensions import db


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Run real service calls as if it were `moment`.

    The demo is made through the same service functions as real work, so every state
    follows from its records by the same rules. Those services stamp records, moves and
    events with uitleen.db.utcnow(); setting its clock here (rather than rewriting the
    rows afterwards) keeps records, states and the audit log telling one story.
    Column defaults (an event's time) are filled in at flush, so the block flushes what
    came before it and what it made, each under its own clock.
    """
    db.session.flush()
    token = STORY_TIME.set(moment)
    try:
        yield
        db.session.flush()
    finally:
        STORY_TIME.reset(token)
