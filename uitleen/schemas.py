"""Schemas shared by every API: the error shape and pagination."""

import marshmallow as ma


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
        load_default=None, metadata={"description": "id of the last item of the previous page"}
    )
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))
