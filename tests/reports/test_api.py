"""The reports API: dashboard figures and the funder report as JSON."""

from tests.reports import factories as f
from tests.reports.test_service import march  # noqa: F401 - the shared data set
from uitleen.db import utcnow
from uitleen.extensions import db


def test_dashboard_api(client, api_headers):
    f.lendable(utcnow())
    db.session.commit()
    response = client.get("/api/v1/reports/dashboard", headers=api_headers("intake"))
    assert response.status_code == 200
    body = response.json
    assert {"name": "ready", "count": 1} in body["stock"]
    assert body["ready_to_lend"] == 1
    assert len(body["months"]) == 12 and body["received"][-1] == 1
    assert body["help_open"] == 0 and body["low_stock_threshold"] == 10


def test_period_api(client, api_headers, march):  # noqa: F811
    response = client.get(
        "/api/v1/reports/period?from=2026-03-01&to=2026-03-31", headers=api_headers()
    )
    assert response.status_code == 200
    body = response.json
    assert body["from"] == "2026-03-01" and body["to"] == "2026-03-31"
    assert body["devices"]["received"] == 2 and body["households_served"] == 3
    assert {"name": "KPN", "count": 2} in body["vouchers_per_provider"]


def test_period_api_refuses_a_backwards_period(client, api_headers):
    response = client.get(
        "/api/v1/reports/period?from=2026-03-31&to=2026-03-01", headers=api_headers()
    )
    assert response.status_code == 422
    assert response.json["errors"]["to"] == ["De einddatum ligt vóór de begindatum."]


def test_period_api_is_for_coordinators(client, api_headers):
    response = client.get("/api/v1/reports/period", headers=api_headers("intake"))
    assert response.status_code == 403
