"""Labels as a phone camera sees them: render the PDF, degrade each label, decode it.

Used by the robustness test (tests/labels/test_label_photos.py) and by
bench/label_scans.py, which prints the decode rates. Everything random comes from one
seeded ``random.Random``, so a run is repeatable.

A photo is the label stuck on a grey laptop lid, seen at an effective resolution (how
many camera pixels fall on an inch of label: about 110 at arm's length with a cheap
phone), slightly out of focus, tilted, with sensor noise and heavy JPEG compression.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageChops, ImageFilter

from uitleen.labels.formats import LabelFormat

RENDER_DPI = 400  # the "real" label the camera looks at
SURROUND_MM = 4.0  # laptop lid around the label in the photo
LID_GREY = 140  # a silver-grey lid: darker than the label, so the label edge is an edge


@dataclass(frozen=True)
class Photo:
    """How badly a phone photographs a label."""

    name: str
    dpi: float  # camera pixels per inch of label
    blur: float  # mean Gaussian blur radius in camera pixels (focus, hand shake)
    tilt: float  # degrees the phone is turned (the sign is random, ±1° jitter)
    jpeg: int  # JPEG quality the phone or the messaging app saves with
    noise: float  # standard deviation of the sensor noise in grey levels (0-255)


#: A decent photo: steady hand, good light, arm's length.
FAIR = Photo("fair", dpi=150, blur=1.0, tilt=4, jpeg=50, noise=5)
#: A poor one (issue 15): cheap camera at arm's length, some blur, 9° tilt, heavy JPEG.
POOR = Photo("poor", dpi=110, blur=1.6, tilt=9, jpeg=25, noise=9)
PHOTOS = (FAIR, POOR)


def render_pages(pdf: bytes, dpi: int = RENDER_DPI) -> list[Image.Image]:
    """Every page of a PDF as a greyscale image."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in document]
    finally:
        document.close()


def label_images(
    fmt: LabelFormat, pages: Sequence[Image.Image], count: int, dpi: int = RENDER_DPI
) -> Iterator[Image.Image]:
    """The first ``count`` labels in print order, each on a patch of laptop lid."""
    px = dpi / 25.4
    margin = round(SURROUND_MM * px)
    for index in range(count):
        page, cell = divmod(index, fmt.labels_per_page)
        left, top, width, height = fmt.cell(cell + 1)
        box = (round(left * px), round(top * px), round((left + width) * px))
        label = pages[page].crop((*box, round((top + height) * px)))
        photo = Image.new("L", (label.width + 2 * margin, label.height + 2 * margin), LID_GREY)
        photo.paste(label, (margin, margin))
        yield photo


def photograph(label: Image.Image, photo: Photo, rng: random.Random) -> Image.Image:
    """What the phone's decoder gets from one label image rendered at RENDER_DPI."""
    angle = (photo.tilt + rng.uniform(-1, 1)) * rng.choice((-1, 1))
    image = label.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=LID_GREY)
    # A random sub-pixel offset, so the camera's pixel grid does not line up with the
    # modules the same way on every label.
    shift = RENDER_DPI / photo.dpi
    image = image.transform(
        image.size,
        Image.AFFINE,
        (1, 0, rng.uniform(0, shift), 0, 1, rng.uniform(0, shift)),
        resample=Image.BILINEAR,
        fillcolor=LID_GREY,
    )
    scale = photo.dpi / RENDER_DPI
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    image = image.resize(size, Image.BOX)  # each camera pixel averages what falls on it
    # Focus and shake differ from one shot to the next: ±40 % around the mean.
    image = image.filter(ImageFilter.GaussianBlur(photo.blur * rng.uniform(0.6, 1.4)))
    image = _add_noise(image, photo.noise, rng)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=photo.jpeg)
    return Image.open(io.BytesIO(buffer.getvalue()))


def _add_noise(image: Image.Image, sd: float, rng: random.Random) -> Image.Image:
    """Add zero-mean noise: the mean of two uniform bytes is triangular with sd 52."""
    count = image.width * image.height
    first = Image.frombytes("L", image.size, rng.randbytes(count))
    second = Image.frombytes("L", image.size, rng.randbytes(count))
    triangular = ImageChops.add(first, second, scale=2)
    factor = sd / 52.0
    centred = triangular.point(lambda value: round(128 + (value - 127.5) * factor))
    return ImageChops.add(image, centred, scale=1, offset=-128)


def decodes(image: Image.Image, url: str) -> bool:
    """Whether zxing-cpp reads exactly this URL from the photo."""
    codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return any(code.text == url for code in codes)


def decode_rate(
    fmt: LabelFormat, pdf: bytes, urls: Sequence[str], photo: Photo, seed: int = 15
) -> float:
    """The share of the labels in the PDF whose code decodes from a photo of them."""
    rng = random.Random(f"{seed}-{fmt.id}-{photo.name}")
    labels = label_images(fmt, render_pages(pdf), len(urls))
    hits = sum(
        decodes(photograph(label, photo, rng), url) for label, url in zip(labels, urls, strict=True)
    )
    return hits / len(urls)
