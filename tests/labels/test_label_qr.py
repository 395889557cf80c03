import base64
import secrets

import pytest
import zxingcpp
from PIL import Image

from uitleen.qr import QrMatrix, is_alphanumeric, label_url, make_matrix

BASE_URL = "https://hulp.uitleen.nl"


def new_token() -> str:
    """A device token as the app makes it: 128 random bits, base32, no padding."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


def matrix_image(matrix: QrMatrix, module_px: int = 6) -> Image.Image:
    """Paint a matrix with its 4-module quiet zone, to decode it independently."""
    side = (matrix.size + 8) * module_px
    image = Image.new("L", (side, side), 255)
    for y, row in enumerate(matrix.rows()):
        for x, dark in enumerate(row):
            if dark:
                left, top = (x + 4) * module_px, (y + 4) * module_px
                image.paste(0, (left, top, left + module_px, top + module_px))
    return image


def test_label_url_is_upper_case_and_alphanumeric():
    token = new_token()
    url = label_url(BASE_URL + "/", token)
    assert url == f"HTTPS://HULP.UITLEEN.NL/H/{token}"
    assert len(token) == 26
    assert is_alphanumeric(url)
    assert not is_alphanumeric(f"{BASE_URL}/h/{token}")  # lower case needs byte mode


def test_typical_url_is_version_3_level_m_in_alphanumeric_mode():
    url = label_url(BASE_URL, new_token())
    matrix = make_matrix(url)
    assert matrix.size == 29
    assert matrix.version == 3

    [code] = zxingcpp.read_barcodes(matrix_image(matrix))
    assert code.text == url
    assert code.extra["Version"] == "3"
    assert code.extra["ECLevel"] == "M"
    # Version 3-M holds at most 42 bytes in byte mode, so 52 characters in it prove
    # the encoder used alphanumeric mode.
    assert len(url) == 52


def test_a_long_url_goes_up_a_version_instead_of_failing():
    url = label_url("https://hulp.voorbeeld-stichting-digitaal-meedoen.nl/uitleen", new_token())
    matrix = make_matrix(url)
    assert matrix.version > 3
    [code] = zxingcpp.read_barcodes(matrix_image(matrix))
    assert code.text == url


def test_short_url_stays_at_version_3():
    assert make_matrix("HTTPS://X.NL/H/A").version == 3


def test_bytes_round_trip():
    matrix = make_matrix(label_url(BASE_URL, new_token()))
    data = matrix.to_bytes()
    assert len(data) == 2 + (29 * 29 + 7) // 8
    again = QrMatrix.from_bytes(data)
    assert again == matrix
    assert again.rows() == matrix.rows()


def test_from_rows_and_rows_round_trip_any_square():
    rows = [[(x * 7 + y * 3) % 5 == 0 for x in range(21)] for y in range(21)]
    assert QrMatrix.from_rows(rows).rows() == rows


@pytest.mark.parametrize(
    "data",
    [b"", b"\x02\x1d" + bytes(106), b"\x01\x1d" + bytes(105), b"\x01\x16" + bytes(61)],
    ids=["empty", "unknown format", "short", "not a QR size"],
)
def test_from_bytes_rejects_garbage(data):
    with pytest.raises(ValueError):
        QrMatrix.from_bytes(data)


def test_from_rows_rejects_non_square():
    with pytest.raises(ValueError, match="square"):
        QrMatrix.from_rows([[True] * 21] * 20)


def test_dark_runs_cover_exactly_the_dark_modules():
    matrix = make_matrix(label_url(BASE_URL, new_token()))
    painted = [[False] * matrix.size for _ in range(matrix.size)]
    for row, column, length in matrix.dark_runs:
        assert length >= 1
        # A run is maximal: the modules just outside it are light or off the edge.
        assert column == 0 or not matrix.rows()[row][column - 1]
        end = column + length
        assert end == matrix.size or not matrix.rows()[row][end]
        for x in range(column, end):
            assert not painted[row][x]
            painted[row][x] = True
    assert painted == matrix.rows()
