"""The erasure certificate: one A4 page with the facts, and never for a wipe that failed."""

import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pypdf
import pytest

from uitleen.devices import certificate
from uitleen.devices.certificate import render_certificate
from uitleen.devices.certificate_facts import (
    CertificateData,
    CertificateDevice,
    CertificateDisk,
    CertificateError,
)
from uitleen.devices.wipelog import DiskResult, NistClass, Verification, parse_nwipe_log

SAMPLES = Path(__file__).parent / "samples"


def disk(**changes) -> CertificateDisk:
    values = dict(
        model="SAMSUNG MZ7LN256HAJQ-000L7",
        serial="S3YJNX0K812345",
        method="DoD Short",
        nist_class=NistClass.CLEAR,
        passes=3,
        verification=Verification.LAST,
        result=DiskResult.PASSED,
        finished_at=datetime(2025, 3, 1, 11, 3, 50),
        operator="Henk de Vries",
        tool="nwipe",
        tool_version="0.35",
    )
    return CertificateDisk(**(values | changes))


def certificate_data(*disks: CertificateDisk, **changes) -> CertificateData:
    values = dict(
        number="EC-2026-00017",
        organisation_name="Stichting Digitaal Samen",
        organisation_address="Kanaalweg 12\n3526 KL Utrecht",
        organisation_phone="030 123 45 67",
        donor_name="Bakkerij Van der Linden B.V.",
        device=CertificateDevice(
            asset_tag="UIT-00017", kind="Laptop", make="Lenovo", model="ThinkPad T470"
        ),
        issued_on=date(2026, 3, 2),
        disks=list(disks) or [disk()],
    )
    return CertificateData(**(values | changes))


def pdf_text(pdf: bytes) -> tuple[int, str]:
    """Page count and the page's text with whitespace collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def test_certificate_is_one_page_with_number_serials_methods_and_nist_levels():
    second = disk(
        model="WDC WD5000LPCX-24VHAT0",
        serial="WD-WXA1E64ABCDE",
        method="ATA Secure Erase",
        nist_class=NistClass.PURGE,
        passes=None,
        verification=None,
        tool=None,
        tool_version=None,
        operator="Fatima El Amrani",
    )

    pdf = render_certificate(certificate_data(disk(), second))

    assert pdf.startswith(b"%PDF")
    pages, text = pdf_text(pdf)
    assert pages == 1
    assert "Certificaat van gegevensverwijdering" in text
    assert text.count("EC-2026-00017") >= 2  # header and footer
    for expected in (
        "S3YJNX0K812345",
        "WD-WXA1E64ABCDE",
        "DoD Short",
        "ATA Secure Erase",
        "Clear",
        "Purge",
        "NIST SP 800-88",
        "UIT-00017",
        "Bakkerij Van der Linden B.V.",
        "Henk de Vries",
        "Fatima El Amrani",
        "nwipe 0.35",
    ):
        assert expected in text


def test_statement_names_only_the_levels_that_were_reached():
    _, text = pdf_text(render_certificate(certificate_data(disk())))

    assert "op het niveau Clear." in text
    assert "niveau Clear / Purge" not in text


def test_certificate_from_a_parsed_nwipe_log():
    log = parse_nwipe_log((SAMPLES / "dodshort_passed.log").read_text())
    disks = [
        CertificateDisk(
            model=wiped.model,
            serial=wiped.serial,
            method=log.method,
            nist_class=log.nist_class,
            passes=log.passes,
            verification=log.verification,
            result=wiped.result,
            finished_at=wiped.finished_at,
            operator="Henk de Vries",
            tool=log.tool,
            tool_version=log.version,
        )
        for wiped in log.disks
    ]

    _, text = pdf_text(render_certificate(certificate_data(*disks)))

    assert "S3YJNX0K812345" in text
    assert "3 doorgangen" in text
    assert "Laatste doorgang gecontroleerd" in text


@pytest.mark.parametrize("result", [DiskResult.FAILED, DiskResult.ABORTED, "failed"])
def test_refuses_a_disk_that_did_not_pass(result):
    with pytest.raises(CertificateError) as error:
        render_certificate(certificate_data(disk(result=result)))

    assert error.value.code == "not_passed"
    assert "S3YJNX0K812345" in error.value.message


def test_refuses_a_partial_wipe_where_one_disk_failed():
    failed = disk(serial="WD-WCC6Y3KL9T2A", result=DiskResult.FAILED)

    with pytest.raises(CertificateError) as error:
        render_certificate(certificate_data(disk(), failed))

    assert "WD-WCC6Y3KL9T2A" in error.value.message


def test_refuses_the_failed_disks_of_a_parsed_partial_log():
    log = parse_nwipe_log((SAMPLES / "two_disks_one_failed.log").read_text())
    disks = [
        disk(serial=wiped.serial, model=wiped.model, result=wiped.result) for wiped in log.disks
    ]

    with pytest.raises(CertificateError):
        render_certificate(certificate_data(*disks))


def test_refuses_a_method_without_nist_level():
    with pytest.raises(CertificateError) as error:
        render_certificate(certificate_data(disk(method="Verify Zeros (0x00)", nist_class=None)))

    assert error.value.code == "unknown_method"


def test_refuses_a_certificate_without_disks():
    data = replace(certificate_data(), disks=[])

    with pytest.raises(CertificateError) as error:
        render_certificate(data)

    assert error.value.code == "no_disks"
    assert isinstance(error.value, ValueError)


def test_refuses_more_disks_than_fit_on_one_page():
    disks = [disk(serial=f"SERIAL{number:04d}") for number in range(12)]

    with pytest.raises(CertificateError) as error:
        render_certificate(certificate_data(*disks))

    assert error.value.code == "too_many_disks"


def test_four_disks_still_fit_on_one_page():
    disks = [disk(serial=f"SERIAL{number:04d}") for number in range(4)]

    pages, text = pdf_text(render_certificate(certificate_data(*disks)))

    assert pages == 1
    assert all(f"SERIAL{number:04d}" in text for number in range(4))


def test_names_with_markup_characters_are_printed_as_written():
    data = certificate_data(
        organisation_name="Repair Café <Noord> & Co",
        donor_name="Jansen & Zonen",
    )

    _, text = pdf_text(render_certificate(data))

    assert "Repair Café <Noord> & Co" in text
    assert "Jansen & Zonen" in text


def test_same_data_gives_the_same_bytes():
    assert render_certificate(certificate_data()) == render_certificate(certificate_data())


@pytest.fixture
def without_dejavu(monkeypatch, tmp_path):
    monkeypatch.setattr(certificate, "FONT_DIR", tmp_path)
    certificate._fonts.cache_clear()
    yield
    certificate._fonts.cache_clear()


def test_falls_back_to_helvetica_without_dejavu(without_dejavu):
    pdf = render_certificate(certificate_data())

    pages, text = pdf_text(pdf)
    assert pages == 1
    assert "EC-2026-00017" in text
    assert b"/Helvetica" in pdf
    assert b"DejaVu" not in pdf


@pytest.mark.skipif(
    not (certificate.FONT_DIR / "DejaVuSans.ttf").is_file(), reason="DejaVu fonts not installed"
)
def test_embeds_dejavu_when_installed():
    certificate._fonts.cache_clear()

    assert b"DejaVuSans" in render_certificate(certificate_data())
