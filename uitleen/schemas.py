"""Schemas shared by every API: the error shape, pagination and the range of an id."""

import marshmallow as ma

from uitleen.db import MAX_ID

# Every id a client sends (path, query or body): 1 to 2**31 - 1, so both databases give
# the same answer (PostgreSQL's INTEGER stops there; SQLite would just find nothing).
# Declared with the field, so the OpenAPI document says it too.
ID_RANGE = ma.validate.Range(min=1, max=MAX_ID)


class ErrorSchema(ma.Schema):
    status = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True, metadata={"description": "short machine code"})
    message = ma.fields.String(required=True, metadata={"description": "for people"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "per field: what is wrong and how to fix it"},
    )


class PageQuerySchema(ma.Schema):
    after = ma.fields.Integer(
        load_default=None,
        validate=ID_RANGE,
        metadata={"description": "id of the last item of the previous page"},
    )
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))
