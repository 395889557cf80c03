"""Read the log that nwipe (the disk-erasure tool of ShredOS) writes, and judge each disk.

The format follows nwipe's own source (src/logging.c, nwipe.c, method.c, options.c, device.c
in martijnvanbrummelen/nwipe), versions 0.28 to 0.3x/0.4x:

- every event line starts with ``[YYYY/MM/DD HH:MM:SS]`` and a level label (``info:``,
  `` notice:``, ``warning:``, ``  error:``, ``  fatal:``); before 0.28 also ``nwipe:``;
- ``nwipe_log_summary`` ends a wipe with an "Error Summary" table (0.31+), a
  "Drive Status" table (0.28+) with one row per wiped disk, and a line
  ``Total Throughput 120 MB/s, DoD Short, 1R+B+VL`` (rounds, blanking, verification);
- the run ends with "Nwipe successfully completed", "Nwipe exited with errors" or
  "Nwipe was aborted by the user".

A disk counts as passed only when nwipe's summary says "Erased", its error counters are
zero, nwipe logged that its final round finished and no failure line names it. Anything
short of that is failed or aborted: a device must never go out with data on it.
Times in the log are the wiping machine's local time and are returned as naive datetimes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import gettext as _

from uitleen.devices.tags import find_tags
from uitleen.errors import Refusal

TOOL = "nwipe"

# A serial whose bytes are not readable text is kept as this prefix and its bytes in hex.
UNREADABLE_SERIAL = "hex:"


# "[2023/02/14 15:04:33]  notice: message"; before 0.28 "[...] nwipe: notice: message".
_EVENT_RE = re.compile(
    r"^\[(?P<y>\d{4})/(?P<mo>\d{2})/(?P<d>\d{2}) (?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})\]\s+"
    r"(?:nwipe:\s+)?"
    r"(?:(?P<level>debug|info|notice|warning|error|fatal|sanity|level \d+):\s?)?"
    r"(?P<msg>.*)$"
)

_BANNER_RE = re.compile(r"^nwipe (?P<version>\d+(?:\.\d+)+)")
_OPTION_RE = re.compile(r"^(?P<key>banner|method|rounds|verify|prng)\s+=\s+(?P<value>.*)$")
_DMI_RE = re.compile(r"^(?P<key>[a-z]+(?:-[a-z]+)+) = (?P<value>.*)$")
_FOUND_RE = re.compile(r"^Found (?P<dev>/[^\s,]+), (?P<rest>.*?),? S/N=(?P<serial>.*)$")
_SERIAL_RE = re.compile(r"^(?:Device )?(?P<dev>/[^\s,]+) has serial number (?P<serial>.*)$")
_SIZE_RE = re.compile(r"^(?P<dev>/[^\s,]+), sect/blk/dev \d+/\d+/(?P<bytes>\d+)$")
_OLD_SIZE_RE = re.compile(r"^Device '(?P<dev>[^']+)' is size (?P<bytes>\d+)\.?$")
_INVOKE_RE = re.compile(r"^Invoking method '(?P<method>[^']+)' on (?:device )?'?(?P<dev>/[^\s']+)")
_PASS_RE = re.compile(
    r"^Starting pass \d+(?:/| of )(?P<count>\d+), round \d+(?:/| of )(?P<rounds>\d+), "
    r"on (?:device )?'?(?P<dev>/[^\s']+)"
)
_ROUND_DONE_RE = re.compile(
    r"^Finished (?:final )?round (?P<round>\d+) of (?P<count>\d+) "
    r"on (?:device )?'?(?P<dev>/[^\s']+)"
)
_VERIFY_PASS_RE = re.compile(r"^Verifying pass (?P<num>\d+) of (?P<count>\d+)")
_ERROR_COUNT_RE = re.compile(
    r"^(?P<count>\d+) (?P<kind>verification|wipe) errors on '(?P<dev>[^']+)'"
)
# Lines nwipe writes only when a particular disk went wrong. nwipe 0.30 still prints
# "Erased" for a disk whose writes failed, so these lines decide as much as the table.
_DISK_FAILURE_RES = (
    re.compile(r"^\[FAILURE\]"),
    re.compile(r">>> ?FAILURE! ?<<<"),
    re.compile(r"^Nwipe exited with (?:non )?(?:fatal )?errors on device = "),
    re.compile(r"^Buffer flush failure on "),
    re.compile(r"^Unable to write to "),
    re.compile(r"^Wrote \d+ bytes on "),  # fewer bytes than the disk holds
    re.compile(r"verification errors, not empty", re.IGNORECASE),
)
# nwipe's debug line per disk at the end: "Status: /dev/sda, result=0, pass_errors=0, …".
_STATUS_DEBUG_RE = re.compile(
    r"^Status: (?P<dev>/\S+), result=(?P<result>-?\d+), pass_errors=(?P<passes>\d+), "
    r"verify_errors=(?P<verify>\d+), fsync_errors=(?P<sync>\d+)"
)

# 0.31 and later say "completed"; 0.30 said "exited".
_SUCCESS_MESSAGES = ("Nwipe successfully completed", "Nwipe successfully exited")
_RUN_END_MESSAGES = (
    *_SUCCESS_MESSAGES,
    "Nwipe exited with errors,",
    "Nwipe was aborted by the user",
)

# Control characters other than tab, line ends and form feed, and decoding failures.
_ODD_CHARS_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd\udc80-\udcff]")
_SUMMARY_TITLE_RE = re.compile(r"^\*+ Drive Status \*+$")
# The table's header row; 0.30 printed it under a plain rule of stars, without a title.
_SUMMARY_HEADER_RE = re.compile(r"^!\s+Device \| Status \|")
_ERRORS_TITLE_RE = re.compile(r"^\*+ Error Summary \*+$")
_STATUS_ROW_RE = re.compile(
    r"^(?P<flag>[! ])?\s*(?P<dev>\S+)\s*\|(?P<status>[^|]*)\|\s*(?P<thru>[^|]*?)\s*\|"
    r"\s*(?P<h>\d+):(?P<m>\d{2}):(?P<s>\d{2})\s*\|\s?(?P<model_serial>.*)$"
)
_ERRORS_ROW_RE = re.compile(
    r"^(?P<flag>[! ])?\s*(?P<dev>\S+)\s*\|\s*(?P<passes>\d+)\s*\|\s*(?P<verify>\d+)\s*"
    r"(?:\|\s*(?P<sync>\d+)\s*)?\|?\s*$"
)
_TOTAL_RE = re.compile(
    r"Total Throughput (?P<thru>.+?/s), (?P<method>.+), (?P<rounds>\d+)R\+"
    r"(?P<blank>N?B)\+(?P<verify>NV|VL|VA)\s*$"
)

_BUS_TYPES = {
    "UNK",
    "IDE",
    "SCSI",
    "CPQ",
    "USB",
    "1394",
    "IEEE1394",
    "ATA",
    "NVME",
    "VIRT",
    "SAS",
    "MMC",
}

# Values BIOS vendors leave in DMI fields that identify nothing; -q logs X's instead.
_PLACEHOLDERS = {
    "",
    "0",
    "none",
    "n/a",
    "na",
    "null",
    "not specified",
    "not applicable",
    "not available",
    "default string",
    "to be filled by o.e.m.",
    "to be filled by oem",
    "system serial number",
    "chassis serial number",
    "base board serial number",
    "serial number",
    "invalid",
    "unknown",
    "0123456789",
    "123456789",
    "1234567890",
    # The dummy UUID that many boards (e.g. AMI defaults) report.
    "03000200-0400-0500-0006-000700080009",
}


class NistClass(StrEnum):
    """Sanitisation level from NIST SP 800-88 Rev. 1."""

    CLEAR = "clear"
    PURGE = "purge"
    DESTROY = "destroy"


class Verification(StrEnum):
    NONE = "none"
    LAST = "last"
    ALL = "all"


class DiskResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ABORTED = "aborted"


class Outcome(StrEnum):
    """The verdict on a whole log: partial means some disks passed and some did not."""

    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    ABORTED = "aborted"


class WipeLogError(Refusal):
    """A file that cannot be read as a complete nwipe log; the message says what was expected."""


@dataclass(frozen=True)
class WipedDisk:
    """One disk in nwipe's summary, with nwipe's facts and our verdict."""

    device: str
    model: str
    serial: str | None
    size_bytes: int | None
    size_text: str | None
    bus: str | None
    status: str
    result: DiskResult
    started_at: datetime | None
    finished_at: datetime | None
    duration: timedelta | None
    throughput: str | None
    pass_errors: int
    verify_errors: int
    sync_errors: int
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.result is DiskResult.PASSED


@dataclass(frozen=True)
class WipeLog:
    """What an nwipe log says about one wipe run."""

    version: str | None
    method: str
    nist_class: NistClass | None
    rounds: int
    passes: int | None
    verification: Verification
    blanking: bool
    prng: str | None
    disks: tuple[WipedDisk, ...]
    asset_tags: tuple[str, ...]
    system_serial: str | None
    system_uuid: str | None
    dmi: dict[str, str] = field(default_factory=dict)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    aborted_by_user: bool = False
    final_message: str | None = None
    tool: str = TOOL

    @property
    def passed(self) -> bool:
        """True only when nwipe ended the run without errors and every disk it found passed."""
        return (
            bool(self.disks)
            and all(disk.passed for disk in self.disks)
            and (self.final_message or "").startswith(_SUCCESS_MESSAGES)
        )

    @property
    def outcome(self) -> Outcome:
        if self.passed:
            return Outcome.PASSED
        if all(disk.passed for disk in self.disks) and not self.aborted_by_user:
            return Outcome.FAILED  # every row says Erased, but nwipe itself reported errors
        if any(disk.passed for disk in self.disks):
            return Outcome.PARTIAL
        if self.aborted_by_user or any(d.result is DiskResult.ABORTED for d in self.disks):
            return Outcome.ABORTED
        return Outcome.FAILED

    @property
    def asset_tag(self) -> str | None:
        """The one asset tag the log points to; None when there is none or they disagree."""
        return self.asset_tags[0] if len(self.asset_tags) == 1 else None


_DESTROY_WORDS = (
    "destroy",
    "destruct",
    "vernietig",
    "shredded",
    "shredder",
    "disintegrat",
    "pulveri",
    "incinerat",
    "crush",
    "doorbor",
    "drilled",
)
_PURGE_WORDS = (
    "secure erase",
    "secure-erase",
    "security erase",
    "sanitize",
    "sanitise",
    "crypto",
    "block erase",
    "degauss",
    "nvme format",
    "format nvm",
)
_CLEAR_WORDS = (
    "dod",
    "gutmann",
    "prng",
    "random",
    "zero",
    "one fill",
    "fill with",
    "quick erase",
    "ops-ii",
    "tssit",
    "is5",
    "schneier",
    "bmb21",
    "overwrite",
    "overschrijf",
    "overschrijv",
    "nullen",
)


def nist_class(method: str) -> NistClass | None:
    """NIST SP 800-88 level of an nwipe method or a hand-recorded method; None if unknown."""
    name = " ".join(method.lower().split())
    if any(word in name for word in _DESTROY_WORDS):
        return NistClass.DESTROY
    # nwipe's "Verify Zeros"/"Verify Ones" only read the disk; they erase nothing.
    if name.startswith(("verify", "controle")):
        return None
    if any(word in name for word in _PURGE_WORDS):
        return NistClass.PURGE
    if any(word in name for word in _CLEAR_WORDS):
        return NistClass.CLEAR
    return None


def find_asset_tags(*texts: str) -> tuple[str, ...]:
    """Distinct asset tags (UIT-00042) in the given texts, in order of appearance."""
    return find_tags(*texts)


def parse_nwipe_log(text: str | bytes, filename: str = "") -> WipeLog:
    """Parse an nwipe log; raise WipeLogError when it is not a whole nwipe log.

    A log is whole when its last run ends the way nwipe ends every run: both summary tables
    closed by their rules, a row for every disk the run worked on, and nwipe's last words.
    A file cut anywhere short of that is refused: it proves nothing about the disks.
    """
    lines = _text_lines(text)
    events = [_event(line) for line in lines]
    if not _looks_like_nwipe(lines, events):
        raise WipeLogError(
            _(
                "Dit bestand is geen nwipe-logboek: er staan geen regels van nwipe in. "
                "Verwacht werden regels zoals \u201c[2025/03/01 10:15:12]  notice: Found "
                "/dev/sda, \u2026\u201d en aan het eind de tabel \u201cDrive Status\u201d. "
                "Kies het logbestand dat ShredOS of nwipe na het wissen heeft opgeslagen."
            ),
            code="not_nwipe",
        )
    summary_at = _last_summary_index(lines)
    if summary_at is None:
        raise WipeLogError(
            _(
                "Dit nwipe-logboek is niet compleet: de tabel \u201cDrive Status\u201d aan het "
                "eind ontbreekt. Misschien is het wissen niet afgemaakt of is het bestand te "
                "vroeg gekopieerd. Wis de schijf opnieuw en kies het logboek van die keer."
            ),
            code="no_summary",
        )
    # A log file may hold several runs (nwipe appends); only the last complete run counts.
    start, end = _run_bounds(events, summary_at)
    missing = _missing_parts(lines, events, start, end, summary_at)
    if missing:
        raise WipeLogError(
            _(
                "Dit nwipe-logboek is niet compleet, dus het bewijst niet dat de schijven "
                "gewist zijn: %(missing)s. Kopieer het hele logbestand opnieuw van de "
                "wiscomputer en lees het dan in, of wis opnieuw.",
                missing="; ".join(missing),
            ),
            code="incomplete",
        )
    return _readable_log(_build(lines[start:end], events[start:end], summary_at - start, filename))


def _readable_log(log: WipeLog) -> WipeLog:
    """The parsed log with every text readable (serials were made readable while parsing)."""

    def clean(value):
        if type(value) is str:  # not the enums, which are str too
            return _readable(value)
        if isinstance(value, tuple):
            return tuple(clean(item) for item in value)
        return value

    disks = tuple(
        replace(disk, **{f.name: clean(getattr(disk, f.name)) for f in fields(disk)})
        for disk in log.disks
    )
    return replace(
        log,
        **{
            f.name: clean(getattr(log, f.name))
            for f in fields(log)
            if f.name not in ("disks", "dmi")
        },
        dmi={_readable(key): _readable(value) for key, value in log.dmi.items()},
        disks=disks,
    )


def _text_lines(text: str | bytes) -> list[str]:
    """Decode and split, refusing empty and binary input with a clear message."""
    if isinstance(text, bytes):
        if text.lstrip().startswith(b"%PDF"):
            raise WipeLogError(
                _(
                    "Dit bestand is geen nwipe-logboek maar een PDF (waarschijnlijk het "
                    "rapport van nwipe). Kies het tekstbestand (.txt of .log) dat nwipe naast "
                    "het rapport opslaat."
                ),
                code="pdf",
            )
        # surrogateescape keeps bytes that are not UTF-8, so a garbled serial can be shown
        # as its bytes; _readable turns them into U+FFFD everywhere else.
        text = text.decode("utf-8", errors="surrogateescape")
    if not text.strip():
        raise WipeLogError(
            _(
                "Het bestand is leeg. Kies het logbestand dat nwipe na het wissen heeft "
                "opgeslagen, bijvoorbeeld nwipe_log_20250301-101512.txt."
            ),
            code="empty",
        )
    if _is_binary(text):
        raise WipeLogError(
            _(
                "Dit bestand is geen nwipe-logboek: het is geen tekstbestand. Verwacht werd "
                "het tekstbestand dat nwipe na het wissen opslaat (bijvoorbeeld "
                "nwipe_log_20250301-101512.txt), geen PDF, foto of schijfkopie."
            ),
            code="binary",
        )
    return [line.rstrip() for line in text.splitlines()]


def _is_binary(text: str) -> bool:
    sample = text[:65536]
    if "\x00" in sample:
        return True
    return len(_ODD_CHARS_RE.findall(sample)) > len(sample) * 0.02


@dataclass(frozen=True)
class _Event:
    at: datetime
    level: str | None
    msg: str


def _event(line: str) -> _Event | None:
    match = _EVENT_RE.match(line)
    if not match:
        return None
    try:  # by hand: strptime took most of the parse time of a long log
        at = datetime(*(int(match[key]) for key in ("y", "mo", "d", "h", "mi", "s")))
    except ValueError:
        return None
    return _Event(at, match["level"], match["msg"].strip())


def _looks_like_nwipe(lines: list[str], events: list[_Event | None]) -> bool:
    """Timestamped lines plus at least one line only nwipe writes."""
    if not any(events):
        return False
    markers = (_BANNER_RE, _FOUND_RE, _INVOKE_RE, _OPTION_RE)
    for event in events:
        if event and any(marker.match(event.msg) for marker in markers):
            return True
    return any(_SUMMARY_TITLE_RE.match(line.strip()) for line in lines)


def _last_summary_index(lines: list[str]) -> int | None:
    """The title line (or 0.30's rule of stars) of the last Drive Status table."""
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].strip()
        if _SUMMARY_TITLE_RE.match(stripped):
            return index
        if (
            _SUMMARY_HEADER_RE.match(stripped)
            and index > 0
            and lines[index - 1].strip().startswith("***")
            and not _ERRORS_TITLE_RE.match(lines[index - 1].strip())
        ):
            return index - 1
    return None


def _run_bounds(events: list[_Event | None], summary_at: int) -> tuple[int, int]:
    """Lines of the run whose summary is at summary_at: after the previous run's last words,
    up to and including this run's own last words (or the end of the file without them)."""
    start = 0
    for index in range(summary_at - 1, -1, -1):
        event = events[index]
        if event and (_is_run_end(event.msg) or _TOTAL_RE.search(event.msg)):
            start = index + 1
            break
    end = len(events)
    for index in range(summary_at + 1, len(events)):
        event = events[index]
        if event and _is_run_end(event.msg):
            end = index + 1
            break
    return start, end


@dataclass(frozen=True)
class _Table:
    """A summary table as nwipe prints it: title, header, rule, rows, closing rule."""

    body: list[str]
    closed: bool
    end_at: int  # the index just after the closing rule (or the end of the lines)


def _table(lines: list[str], title_at: int) -> _Table:
    body: list[str] = []
    started = False
    for index in range(title_at + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped.startswith(("---", "***")):
            if started:
                return _Table(body, True, index + 1)
            started = stripped.startswith("---")
            continue
        if started and stripped:
            body.append(lines[index])
    return _Table(body, False, len(lines))


def _missing_parts(
    lines: list[str], events: list[_Event | None], start: int, end: int, summary_at: int
) -> list[str]:
    """What a whole run has and this one lacks, in plain words; empty when it is whole."""
    missing: list[str] = []
    errors_at = _errors_title_index(lines, summary_at)
    if errors_at is not None and not _table(lines, errors_at).closed:
        missing.append(_("de tabel \u201cError Summary\u201d is afgebroken"))

    status = _table(lines, summary_at)
    if not status.closed:
        missing.append(_("de tabel \u201cDrive Status\u201d is afgebroken"))
    elif not _status_table_footer(lines, status.end_at):
        missing.append(_("de regel \u201cTotal Throughput\u201d onder de tabel ontbreekt"))
    for line in status.body:
        if not _STATUS_ROW_RE.match(line):
            missing.append(
                _(
                    "deze regel van de tabel is afgebroken: \u201c%(line)s\u201d",
                    line=_readable(line.strip()),
                )
            )

    final = events[end - 1] if end > start else None
    if final is None or not _is_run_end(final.msg):
        missing.append(
            _(
                "de laatste regel van nwipe (\u201cNwipe successfully completed\u201d, "
                "\u201cNwipe exited with errors\u201d of \u201cNwipe was aborted by the "
                "user\u201d) ontbreekt"
            )
        )
    elif any(line.strip() for line in lines[end:]):
        missing.append(_("na het einde begint een nieuwe wisbeurt die niet af is"))

    if status.closed:
        listed = {match["dev"] for line in status.body if (match := _STATUS_ROW_RE.match(line))}
        for device in _worked_on(events[start:end]):
            if device.rsplit("/", 1)[-1] not in listed:
                missing.append(
                    _(
                        "nwipe begon aan %(device)s, maar die schijf staat niet in de tabel",
                        device=device,
                    )
                )
    return missing


def _status_table_footer(lines: list[str], after: int) -> bool:
    """nwipe closes the Drive Status table with the Total Throughput line and a star rule."""
    rest = [line.strip() for line in lines[after:] if line.strip()]
    return len(rest) >= 2 and bool(_TOTAL_RE.search(rest[0])) and rest[1].startswith("***")


def _errors_title_index(lines: list[str], summary_at: int) -> int | None:
    """The Error Summary title that belongs to this Drive Status table (0.31+), if any."""
    for index in range(summary_at - 1, -1, -1):
        stripped = lines[index].strip()
        if _ERRORS_TITLE_RE.match(stripped):
            return index
        if _SUMMARY_TITLE_RE.match(stripped) or _event(lines[index]):
            return None
    return None


def _worked_on(events: list[_Event | None]) -> list[str]:
    """Devices the run started a wipe method on, in order."""
    devices: dict[str, None] = {}
    for event in events:
        if event and (match := _INVOKE_RE.match(event.msg)):
            devices.setdefault(_device(match["dev"]), None)
    return list(devices)


def _is_run_end(msg: str) -> bool:
    return msg.startswith(_RUN_END_MESSAGES)


@dataclass
class _DiskFacts:
    """Everything the event lines say about one device path."""

    found: bool = False  # nwipe logged "Found /dev/…" for it
    model: str | None = None
    bus: str | None = None
    size_text: str | None = None
    size_bytes: int | None = None
    serial: str | None = None
    method: str | None = None
    started_at: datetime | None = None
    last_seen: datetime | None = None
    finished_rounds: bool = False
    pass_errors: int = 0
    verify_errors: int = 0
    sync_errors: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class _RunFacts:
    version: str | None = None
    method: str | None = None
    rounds: int | None = None
    verify: Verification | None = None
    noblank: bool | None = None
    prng: str | None = None
    passes: int | None = None
    verified_passes: set[int] = field(default_factory=set)
    blanked: bool = False
    dmi: dict[str, str] = field(default_factory=dict)
    disks: dict[str, _DiskFacts] = field(default_factory=dict)
    total: re.Match[str] | None = None
    final_message: str | None = None
    aborted: bool = False

    def disk(self, device: str) -> _DiskFacts:
        return self.disks.setdefault(device, _DiskFacts())


def _build(
    lines: list[str], events: list[_Event | None], summary_at: int, filename: str
) -> WipeLog:
    facts = _RunFacts()
    for event in events:
        if event is not None:
            _read_event(facts, event)

    rows = _status_rows(lines, summary_at)
    if not rows:
        raise WipeLogError(
            _(
                "Dit nwipe-logboek is niet compleet: de tabel \u201cDrive Status\u201d bevat "
                "geen schijven. Wis de schijf opnieuw en kies het logboek van die keer."
            ),
            code="no_summary",
        )
    error_rows = _error_rows(lines, summary_at)

    method = facts.method or (facts.total["method"].strip() if facts.total else None)
    if not method:
        method = next((d.method for d in facts.disks.values() if d.method), None)
    if not method:
        raise WipeLogError(
            _(
                "In dit nwipe-logboek staat niet welke wismethode is gebruikt (de regel "
                "\u201cmethod = \u2026\u201d ontbreekt). Voer het wissen met de hand in."
            ),
            code="no_method",
        )

    disks = tuple(_disk(facts, row, error_rows) for row in rows) + _left_alone(facts, rows)
    timestamps = [event.at for event in events if event]
    full_text = "\n".join(lines)
    return WipeLog(
        version=facts.version,
        method=method,
        nist_class=nist_class(method),
        rounds=_rounds(facts),
        passes=facts.passes,
        verification=_verification(facts),
        blanking=_blanking(facts),
        prng=facts.prng,
        disks=disks,
        asset_tags=find_asset_tags(filename, full_text),
        system_serial=_identifier(facts.dmi.get("system-serial-number")),
        system_uuid=_identifier(facts.dmi.get("system-uuid")),
        dmi=dict(facts.dmi),
        started_at=min(timestamps) if timestamps else None,
        finished_at=max(timestamps) if timestamps else None,
        aborted_by_user=facts.aborted,
        final_message=facts.final_message,
    )


def _read_event(facts: _RunFacts, event: _Event) -> None:
    """Fold one event line into the run's facts."""
    msg = event.msg
    if msg.startswith("Program options are set as follows"):
        # nwipe only logs the blanking option when it is switched off.
        facts.noblank = bool(facts.noblank)
    elif msg == "do not perform a final blank pass":
        facts.noblank = True
    elif match := _OPTION_RE.match(msg):
        _read_option(facts, match["key"], match["value"].strip())
    elif match := _BANNER_RE.match(msg):
        facts.version = match["version"]
    elif match := _DMI_RE.match(msg):
        facts.dmi.setdefault(match["key"], match["value"].strip())
    elif match := _FOUND_RE.match(msg):
        _read_found(facts.disk(match["dev"]), match["rest"], match["serial"])
        facts.disk(match["dev"]).found = True
    elif match := _SERIAL_RE.match(msg):
        disk = facts.disk(match["dev"])
        disk.serial = disk.serial or _serial(match["serial"])
    elif match := (_SIZE_RE.match(msg) or _OLD_SIZE_RE.match(msg)):
        facts.disk(match["dev"]).size_bytes = int(match["bytes"])
    elif match := _INVOKE_RE.match(msg):
        disk = facts.disk(_device(match["dev"]))
        disk.method = match["method"]
        disk.started_at = disk.started_at or event.at
    elif match := _PASS_RE.match(msg):
        facts.passes = int(match["count"])
        facts.rounds = facts.rounds or int(match["rounds"])
    elif match := _ROUND_DONE_RE.match(msg):
        if match["round"] == match["count"]:
            facts.disk(_device(match["dev"])).finished_rounds = True
    elif match := _VERIFY_PASS_RE.match(msg):
        facts.verified_passes.add(int(match["num"]))
    elif match := _ERROR_COUNT_RE.match(msg):
        disk = facts.disk(match["dev"])
        if match["kind"] == "verification":
            disk.verify_errors = max(disk.verify_errors, int(match["count"]))
        else:
            disk.pass_errors = max(disk.pass_errors, int(match["count"]))
    elif match := _STATUS_DEBUG_RE.match(msg):
        disk = facts.disk(match["dev"])
        disk.pass_errors = max(disk.pass_errors, int(match["passes"]))
        disk.verify_errors = max(disk.verify_errors, int(match["verify"]))
        disk.sync_errors = max(disk.sync_errors, int(match["sync"]))
        if match["result"] != "0":
            disk.failures.append(msg)
    elif match := _TOTAL_RE.search(msg):
        facts.total = match
    elif msg.startswith("Blanking device"):
        facts.blanked = True
    elif _is_run_end(msg):
        facts.final_message = msg
        facts.aborted = msg.startswith("Nwipe was aborted by the user")

    for device, disk in facts.disks.items():
        if _mentions(msg, device):
            disk.last_seen = event.at
            if any(rule.search(msg) for rule in _DISK_FAILURE_RES):
                disk.failures.append(msg)


def _device(value: str) -> str:
    """'/dev/sdb' from old-style quoting such as '/dev/sdb'."""
    return value.rstrip(".'")


def _read_option(facts: _RunFacts, key: str, value: str) -> None:
    if key == "method":
        facts.method = value
    elif key == "rounds" and value.isdigit():
        facts.rounds = int(value)
    elif key == "prng":
        facts.prng = value
    elif key == "banner" and (match := _BANNER_RE.match(value)):
        facts.version = facts.version or match["version"]
    elif key == "verify":
        if "all" in value:
            facts.verify = Verification.ALL
        elif "last" in value:
            facts.verify = Verification.LAST
        elif "off" in value or value.startswith("0"):
            facts.verify = Verification.NONE


def _read_found(disk: _DiskFacts, rest: str, serial: str) -> None:
    """'ATA    , WDC WD5000LPCX-2, 500 GB' (0.3x) or 'ATA WDC WD1600AAJS-2, 160GB' (0.28)."""
    parts = [part.strip() for part in rest.split(",")]
    if len(parts) >= 2:
        disk.size_text = parts[-1]
        parts = parts[:-1]
    if len(parts) >= 2 and parts[0].removesuffix("-SSD").strip().upper() in _BUS_TYPES:
        disk.bus = parts[0]
        parts = parts[1:]
    model = ", ".join(parts).strip()
    # libparted prefixes ATA models with "ATA "; nwipe strips it since 0.3x.
    disk.model = model.removeprefix("ATA ").strip() or None
    disk.serial = _serial(serial) or disk.serial


@dataclass(frozen=True)
class _StatusRow:
    name: str
    flag: str
    status: str
    throughput: str | None
    duration: timedelta
    model: str
    serial: str | None


def _status_rows(lines: list[str], summary_at: int) -> list[_StatusRow]:
    rows = []
    for line in _table(lines, summary_at).body:
        match = _STATUS_ROW_RE.match(line)
        if not match:
            continue
        model, _slash, serial = match["model_serial"].rpartition("/")
        if not _slash:
            model, serial = serial, ""
        duration = timedelta(
            hours=int(match["h"]), minutes=int(match["m"]), seconds=int(match["s"])
        )
        rows.append(
            _StatusRow(
                name=match["dev"],
                flag=(match["flag"] or " "),
                status=match["status"].strip(),
                throughput=match["thru"].strip() or None,
                duration=duration,
                model=model.strip(),
                serial=_serial(serial),
            )
        )
    return rows


def _error_rows(lines: list[str], summary_at: int) -> dict[str, tuple[int, int, int]]:
    """Pass, verification and fdatasync error counts per short device name."""
    errors_at = _errors_title_index(lines, summary_at)
    if errors_at is None:
        return {}
    counts = {}
    for line in _table(lines, errors_at).body:
        match = _ERRORS_ROW_RE.match(line)
        if match:
            sync = int(match["sync"]) if match["sync"] else 0
            counts[match["dev"]] = (int(match["passes"]), int(match["verify"]), sync)
    return counts


def _disk(
    facts: _RunFacts, row: _StatusRow, error_rows: dict[str, tuple[int, int, int]]
) -> WipedDisk:
    device = _device_path(facts, row.name)
    known = facts.disks.get(device, _DiskFacts())
    pass_errors, verify_errors, sync_errors = error_rows.get(row.name, (0, 0, 0))
    pass_errors = max(pass_errors, known.pass_errors)
    verify_errors = max(verify_errors, known.verify_errors)
    sync_errors = max(sync_errors, known.sync_errors)

    status = row.status.strip("-").strip().upper()
    notes: list[str] = []
    if status == "ERASED":
        result = DiskResult.PASSED
    elif status in {"UABORTED", "ABORTED"}:
        result = DiskResult.ABORTED
        notes.append(_("Het wissen is onderbroken voordat het klaar was."))
    else:
        result = DiskResult.FAILED
        notes.append(_("nwipe meldt dat het wissen is mislukt (%(status)s).", status=row.status))

    if pass_errors or verify_errors or sync_errors:
        result = DiskResult.FAILED if result is DiskResult.PASSED else result
        notes.append(
            _(
                "Fouten: %(passes)s bij schrijven, %(verify)s bij controleren, "
                "%(sync)s bij wegschrijven naar de schijf.",
                passes=pass_errors,
                verify=verify_errors,
                sync=sync_errors,
            )
        )
    if known.failures:
        result = DiskResult.FAILED if result is DiskResult.PASSED else result
        notes.append(_("Het logboek meldt: %(line)s", line=known.failures[0]))
    if result is DiskResult.PASSED and not known.finished_rounds:
        # Old nwipe could print "Erased" after a wipe thread had died early.
        result = DiskResult.FAILED
        notes.append(_("In het logboek staat niet dat de laatste wisronde klaar was."))

    return WipedDisk(
        device=device,
        model=known.model or row.model,
        serial=known.serial or row.serial,
        size_bytes=known.size_bytes,
        size_text=known.size_text,
        bus=known.bus,
        status=row.status,
        result=result,
        started_at=known.started_at,
        # nwipe's own end time: the summary's duration counts from the method's start.
        finished_at=known.started_at + row.duration if known.started_at else known.last_seen,
        duration=row.duration,
        throughput=row.throughput,
        pass_errors=pass_errors,
        verify_errors=verify_errors,
        sync_errors=sync_errors,
        notes=tuple(notes),
    )


def _left_alone(facts: _RunFacts, rows: list[_StatusRow]) -> tuple[WipedDisk, ...]:
    """Disks nwipe found but did not wipe: their data is still there, so they fail."""
    listed = {row.name for row in rows}
    return tuple(
        WipedDisk(
            device=device,
            model=known.model or "",
            serial=known.serial,
            size_bytes=known.size_bytes,
            size_text=known.size_text,
            bus=known.bus,
            status="",
            result=DiskResult.FAILED,
            started_at=None,
            finished_at=None,
            duration=None,
            throughput=None,
            pass_errors=0,
            verify_errors=0,
            sync_errors=0,
            notes=(_("nwipe vond deze schijf, maar heeft hem niet gewist."),),
        )
        for device, known in facts.disks.items()
        if known.found and device.rsplit("/", 1)[-1] not in listed
    )


def _device_path(facts: _RunFacts, name: str) -> str:
    """The summary shows 'sda'; the event lines use '/dev/sda'."""
    for device in facts.disks:
        if device == name or device.rsplit("/", 1)[-1] == name:
            return device
    return name if name.startswith("/") else f"/dev/{name}"


def _mentions(msg: str, device: str) -> bool:
    """Whether a message names this device (and not, say, /dev/sda1 for /dev/sda)."""
    start = msg.find(device)
    while start != -1:
        end = start + len(device)
        if end == len(msg) or not msg[end].isalnum():
            return True
        start = msg.find(device, end)
    return False


def _rounds(facts: _RunFacts) -> int:
    if facts.rounds:
        return facts.rounds
    if facts.total:
        return int(facts.total["rounds"])
    return 1


def _verification(facts: _RunFacts) -> Verification:
    if facts.verify is not None:
        return facts.verify
    if facts.total:
        return {"NV": Verification.NONE, "VL": Verification.LAST, "VA": Verification.ALL}[
            facts.total["verify"]
        ]
    if facts.passes and len(facts.verified_passes) > 1:
        return Verification.ALL
    return Verification.LAST if facts.verified_passes else Verification.NONE


def _blanking(facts: _RunFacts) -> bool:
    if facts.noblank is not None:
        return not facts.noblank
    if facts.total:
        return facts.total["blank"] == "B"
    return facts.blanked


def _serial(value: str) -> str | None:
    """A disk serial, or None when nwipe had none or anonymised it (-q).

    Serial bytes that are not readable text (a firmware's garbage, a cut multi-byte
    character) are kept as their hex bytes behind UNREADABLE_SERIAL, never guessed at.
    """
    serial = value.strip()
    if not serial or set(serial) <= {"X", "?"} or serial.startswith("(no ATA pass thru)"):
        return None
    readable = _readable(serial)
    if "\ufffd" in readable or not readable.isprintable():
        return UNREADABLE_SERIAL + serial.encode("utf-8", "surrogateescape").hex(" ")
    return serial


def _readable(text: str) -> str:
    """Text for people and databases: bytes that were not UTF-8 become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _identifier(value: str | None) -> str | None:
    """A DMI serial or UUID that really identifies a machine, else None."""
    if value is None:
        return None
    cleaned = value.strip()
    lowered = cleaned.lower()
    if lowered in _PLACEHOLDERS or set(cleaned) <= {"X", "?", "0", "-", " "}:
        return None
    if set(lowered) <= {"f", "-"}:
        return None
    return cleaned
