"""The batch list in the API counts every batch's codes in one query: the stock is read
by the service, never by the output schema while it dumps each batch."""

from contextlib import contextmanager

from sqlalchemy import event

from tests.vouchers.factories import make_batch
from uitleen.extensions import db
from uitleen.vouchers import service
from uitleen.vouchers.schemas import BatchWithStockSchema


@contextmanager
def counted_queries():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def listed(client, headers) -> tuple[int, list]:
    with counted_queries() as statements:
        response = client.get("/api/v1/voucher-batches", headers=headers)
    assert response.status_code == 200
    return len(statements), response.json


def test_listing_more_batches_runs_no_more_queries(client, api_headers):
    headers = api_headers("intake")
    make_batch(codes=2)
    db.session.commit()
    one, body = listed(client, headers)
    assert [b["stock"]["available"] for b in body] == [2]
    for _ in range(4):
        make_batch(codes=1)
    db.session.commit()
    five, body = listed(client, headers)
    assert sorted(b["stock"]["available"] for b in body) == [1, 1, 1, 1, 2]
    assert five == one


def test_the_output_schema_runs_no_query(app):
    batch = make_batch(codes=3)
    db.session.commit()
    shown = service.with_stock([batch])[0]
    with counted_queries() as statements:
        dumped = BatchWithStockSchema().dump(shown)
    assert statements == []
    assert dumped["stock"]["available"] == 3 and dumped["provider"] == batch.provider
