"""A file handed over by a page or the API: one way to name it and say how to open it."""

from collections.abc import Iterable

from flask import Response


def file_response(
    data: bytes | Iterable[str], content_type: str, filename: str, inline: bool = False
) -> Response:
    """The bytes (or a stream) as a file the browser saves, or shows when inline.

    content_type as given: Flask adds "; charset=utf-8" to a text mimetype, so a type
    that already names its charset would end up with it twice.
    """
    disposition = "inline" if inline else "attachment"
    return Response(
        data,
        content_type=content_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


def pdf_response(document: bytes, filename: str, inline: bool = False) -> Response:
    return file_response(document, "application/pdf", filename, inline)
