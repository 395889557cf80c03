"""Staff management: create, change role, deactivate and reactivate, reset passwords."""

import re

import pytest
from sqlalchemy import select

from uitleen.auth import service as auth
from uitleen.auth.models import User
from uitleen.extensions import db


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_create_with_a_one_time_password_shown_once(client, login_as):
    login_as("coordinator")
    response = client.post(
        "/settings/staff/new", data={"email": "Vera@Test.nl", "name": "Vera", "role": "volunteer"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    password = re.search(r'<code class="count" lang="en">([a-z2-9-]+)</code>', html).group(1)
    assert len(password) == 14
    assert auth.authenticate("vera@test.nl", password).role == "volunteer"
    assert password not in client.get("/settings/staff").get_data(as_text=True)


def test_create_with_a_typed_password(client, login_as):
    login_as("coordinator")
    data = {
        "email": "ina@test.nl",
        "name": "Ina",
        "role": "intake",
        "password": "een lange zin hier",
    }
    response = client.post("/settings/staff/new", data=data)
    assert response.status_code == 302
    assert auth.authenticate("ina@test.nl", "een lange zin hier").name == "Ina"


def test_create_errors_keep_input_but_not_the_password(client, login_as, make_user):
    login_as("coordinator")
    data = {"email": "geen-adres", "name": "Ina", "role": "baas", "password": "geheim123"}
    response = client.post("/settings/staff/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Vul een geldig e-mailadres in" in html and "Kies een van" in html
    assert 'value="geen-adres"' in html and "geheim123" not in html
    short = client.post(
        "/settings/staff/new", data={"email": "a@b.nl", "role": "intake", "password": "kort"}
    )
    assert short.status_code == 422
    assert "minstens 10 tekens" in short.get_data(as_text=True)
    assert user("a@b.nl") is None


def test_change_role_and_deactivate_and_reactivate(client, login_as, make_user):
    login_as("coordinator")
    other = make_user("volunteer", email="v@test.nl")
    assert (
        client.post(f"/settings/staff/{other.id}/role", data={"role": "intake"}).status_code == 302
    )
    assert user("v@test.nl").role == "intake"
    assert (
        client.post(f"/settings/staff/{other.id}/active", data={"active": "0"}).status_code == 302
    )
    assert user("v@test.nl").active is False
    assert (
        client.post(f"/settings/staff/{other.id}/active", data={"active": "1"}).status_code == 302
    )
    assert user("v@test.nl").active is True


def test_reset_password_typed_or_generated(client, login_as, make_user):
    login_as("coordinator")
    other = make_user("intake", email="i@test.nl")
    response = client.post(f"/settings/staff/{other.id}/password", data={"password": ""})
    password = re.search(r'lang="en">([a-z2-9-]+)</code>', response.get_data(as_text=True))[1]
    assert auth.authenticate("i@test.nl", password)
    response = client.post(f"/settings/staff/{other.id}/password", data={"password": "kort"})
    assert response.status_code == 422
    assert "minstens 10 tekens" in response.get_data(as_text=True)
    assert auth.authenticate("i@test.nl", password)  # unchanged after the refusal


def test_a_coordinator_cannot_lock_themselves_out(client, login_as):
    me = login_as("coordinator")
    for url, data in [
        (f"/settings/staff/{me.id}/role", {"role": "volunteer"}),
        (f"/settings/staff/{me.id}/active", {"active": "0"}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 409
        assert "eigen account" in response.get_data(as_text=True)
    assert user(me.email).role == "coordinator" and user(me.email).active


def test_the_last_coordinator_stays(app, make_user):
    from uitleen.errors import Conflict
    from uitleen.settings import staff

    only = make_user("coordinator")
    with pytest.raises(Conflict) as refused:
        staff.change_role(None, only, "intake")
    assert refused.value.code == "last_coordinator"


@pytest.mark.parametrize("role", ["intake", "volunteer"])
def test_staff_pages_are_for_coordinators(client, login_as, make_user, role):
    login_as(role)
    other = make_user("volunteer")
    assert client.get("/settings/staff").status_code == 403
    assert (
        client.post(f"/settings/staff/{other.id}/role", data={"role": "coordinator"}).status_code
        == 403
    )
    assert user(other.email).role == "volunteer"
