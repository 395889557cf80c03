"""Device labels: formats as data, QR matrices made once per token, PDF rendering."""

from uitleen.labels.formats import (
    DEFAULT_FORMATS_DIR,
    LabelFormat,
    LabelFormatError,
    LabelLayout,
    available_formats,
    load_format,
)
from uitleen.labels.render import LabelContent, render_labels, write_labels
from uitleen.qr import QrMatrix, is_alphanumeric, label_url, make_matrix

__all__ = [
    "DEFAULT_FORMATS_DIR",
    "LabelContent",
    "LabelFormat",
    "LabelFormatError",
    "LabelLayout",
    "QrMatrix",
    "available_formats",
    "is_alphanumeric",
    "label_url",
    "load_format",
    "make_matrix",
    "render_labels",
    "write_labels",
]
