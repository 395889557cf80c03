"""A file handed over by a page or the API: one way to name it and say how to open it."""

from collections.abc import Iterable

from flask import Response


def file_response(
    data: bytes | Iterable[str], mimetype: str, filename: str, inline: bool = False
) -> Response:
    """The bytes (or a stream) as a file the browser saves, or shows when inline."""
    disposition = "inline" if inline else "attachment"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


def pdf_response(document: bytes, filename: str, inline: bool = False) -> Response:
    return file_response(document, "application/pdf", filename, inline)
