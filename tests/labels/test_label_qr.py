import base64
import math
import re
import secrets

import pytest
import segno
import zxingcpp
from PIL import Image

from uitleen.devices.service import new_label_token
from uitleen.qr import QrMatrix, is_alphanumeric, label_url, make_matrix

BASE_URL = "https://hulp.uitleen.nl"


def new_token() -> str:
    """A label token as the app makes it: 20 base32 characters, 100 random bits."""
    return new_label_token()


def old_token() -> str:
    """A label token as the app made it before: 128 random bits, base32, 26 characters."""
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
    assert is_alphanumeric(url)
    assert not is_alphanumeric(f"{BASE_URL}/h/{token}")  # lower case needs byte mode


def test_label_tokens_are_short_but_unguessable():
    tokens = {new_label_token() for _ in range(2000)}
    assert len(tokens) == 2000
    assert all(re.fullmatch("[A-Z2-7]{20}", token) for token in tokens)
    # 20 characters of 32 are 100 bits; every character is used in every place.
    assert 20 * math.log2(32) >= 96
    for place in range(20):
        assert len({token[place] for token in tokens}) == 32


def matrix_facts(matrix: QrMatrix) -> tuple[str, int, str]:
    """What an independent decoder reads from the matrix: text, version, level."""
    [code] = zxingcpp.read_barcodes(matrix_image(matrix))
    return code.text, int(code.extra["Version"]), code.extra["ECLevel"]


@pytest.mark.parametrize(
    "base_url",
    [
        BASE_URL,
        "https://uitleen.nl",
        "https://hulp.stichting-digitaal-meedoen.nl",
        "http://192.168.1.20:5301",
    ],
)
@pytest.mark.parametrize("token", [new_token(), old_token()], ids=["new", "old"])
def test_label_code_is_the_smallest_version_with_the_strongest_level_it_leaves_room_for(
    base_url, token
):
    url = label_url(base_url, token)
    # segno's own choice (smallest version at level L, then the strongest level that
    # still fits that version) is an independent oracle.
    expected = segno.make_qr(url, error="l", boost_error=True)
    matrix = make_matrix(url)
    assert matrix_facts(matrix) == (url, expected.version, expected.error.upper())
    assert matrix.size == expected.symbol_size(border=0)[0]


def test_a_typical_new_label_needs_version_2_where_the_old_token_needed_3():
    assert make_matrix(label_url(BASE_URL, new_token())).version == 2
    assert make_matrix(label_url(BASE_URL, old_token())).version == 3


def test_a_long_url_goes_up_a_version_instead_of_failing():
    url = label_url("https://hulp.voorbeeld-stichting-digitaal-meedoen.nl/uitleen", new_token())
    matrix = make_matrix(url)
    assert matrix.version > 3
    assert matrix_facts(matrix)[0] == url


def test_certificate_urls_in_lower_case_still_encode():
    url = "https://hulp.uitleen.nl/c/" + old_token()
    assert matrix_facts(make_matrix(url))[0] == url


def test_bytes_round_trip():
    matrix = make_matrix(label_url(BASE_URL, new_token()))
    data = matrix.to_bytes()
    assert len(data) == 2 + (matrix.size**2 + 7) // 8
    again = QrMatrix.from_bytes(data)
    assert again == matrix
    assert again.rows() == matrix.rows()


def test_from_rows_and_rows_round_trip_any_square():
    rows = [[(x * 7 + y * 3) % 5 == 0 for x in range(21)] for y in range(21)]
    assert QrMatrix.from_rows(rows).rows() == rows


@pytest.mark.parametrize(
    "data",
    [b"", b"\x03\x1d" + bytes(106), b"\x01\x1d" + bytes(105), b"\x01\x16" + bytes(61)],
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
