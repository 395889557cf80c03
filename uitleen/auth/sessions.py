"""How long a login lasts: ended on the server, not only when the browser forgets it.

The session cookie holds "<user id>:<session version>:<start>" (User.get_id). The
version ends every session of an account at once (logout, password change, new role,
deactivation); the start gives the absolute lifetime; a last-seen time in the cookie
gives the idle lifetime. A copied cookie therefore dies with the session it came from.
"""

import time

from flask import current_app, session

from uitleen.auth.models import User
from uitleen.auth.service import load_session_user

SEEN_AT = "_seen_at"
# Write the last-seen time at most once a minute, so most pages do not re-send the cookie.
SEEN_EVERY_SECONDS = 60

clock = time.time


def session_user(session_id: str) -> User | None:
    """The user behind this session cookie, or None when the session has ended."""
    user_id, _sep, started = session_id.rpartition(":")
    if not started.isdigit():
        return None
    now = clock()
    config = current_app.config
    seen_at = session.get(SEEN_AT, int(started))
    if not isinstance(seen_at, int | float):
        return None
    if now - int(started) > config["SESSION_ABSOLUTE_LIFETIME"].total_seconds():
        return None
    if now - seen_at > config["SESSION_IDLE_LIFETIME"].total_seconds():
        return None
    user = load_session_user(user_id)
    if user is not None and now - seen_at >= SEEN_EVERY_SECONDS:
        session[SEEN_AT] = int(now)
    return user


def begin() -> None:
    """Forget whatever the cookie held before login, its CSRF token too (login_user follows)."""
    session.clear()
