"""Issue 16: the README lists the demo logins, as uitleen.demo makes them."""

from pathlib import Path

from uitleen.demo import DEMO_LOGINS

README = Path(__file__).parents[1] / "README.md"


def test_the_readme_lists_every_demo_login():
    text = README.read_text(encoding="utf-8")
    for email, _name, role, password in DEMO_LOGINS:
        assert f"`{email}` | `{password}`" in text, role


def test_the_readme_starts_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "make run    # sets up .venv" in text and "make test   # sets up .venv" in text
