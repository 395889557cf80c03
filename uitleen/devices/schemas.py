"""One schema per input (API and HTML form alike), and output schemas without household data."""

import marshmallow as ma
from flask_babel import lazy_gettext

from uitleen import validate
from uitleen.devices.lifecycle import STATES
from uitleen.devices.models import GRADES, KINDS, STORAGE_TYPES
from uitleen.devices.service import QC_RESULTS, SOFTWARE_ANSWERS
from uitleen.devices.wipelog import DiskResult, NistClass, Verification
from uitleen.inputs import MAX_ID
from uitleen.schemas import Schema, required, required_text

ID_RANGE = validate.Range(min=1, max=MAX_ID)  # ids are 32-bit INTEGER on PostgreSQL

F = ma.fields


def _blank_to_none(data: dict, keys) -> dict:
    """HTML forms send '' for an empty number or choice; treat that as not given."""
    return {k: (None if k in keys and v == "" else v) for k, v in data.items()}


class DeviceInSchema(Schema):
    """Intake of a device, and its edit (partial): the same fields in the API and the form."""

    class Meta:
        unknown = ma.EXCLUDE

    kind = F.String(load_default="laptop", validate=validate.OneOf(KINDS))
    make = required_text(lazy_gettext("Vul het merk in."), 80)
    model = required_text(lazy_gettext("Vul het model in."), 120)
    serial = F.String(load_default="", validate=validate.Length(max=120))
    cpu = F.String(load_default="", validate=validate.Length(max=120))
    ram_gb = F.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 4096))
    storage_gb = F.Integer(
        load_default=None, allow_none=True, validate=validate.Range(0, 1_000_000)
    )
    storage_type = F.String(
        load_default="", validate=validate.OneOf(("", *STORAGE_TYPES)), allow_none=True
    )
    battery_health = F.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 100))
    screen_inches = F.Float(load_default=None, allow_none=True, validate=validate.Range(1, 100))
    os_licence = F.String(load_default="", validate=validate.Length(max=120))
    condition_grade = F.String(load_default="B", validate=validate.OneOf(GRADES))
    condition_notes = F.String(load_default="")
    notes = F.String(load_default="")
    donor_id = F.Integer(
        load_default=None,
        allow_none=True,
        validate=ID_RANGE,
        metadata={"description": "an existing donor"},
    )
    new_donor_name = F.String(
        load_default="", validate=validate.Length(max=160), metadata={"description": "or a new one"}
    )
    new_donor_is_organisation = F.Boolean(load_default=False)
    new_donor_contact = F.String(load_default="", validate=validate.Length(max=200))
    new_donor_wants_certificate = F.Boolean(load_default=False)
    location_id = F.Integer(load_default=None, allow_none=True, validate=ID_RANGE)
    confirm_duplicate = F.Boolean(
        load_default=False,
        metadata={"description": "register although the same make and serial exist"},
    )
    duplicate_reason = F.String(load_default="", validate=validate.Length(max=300))

    @ma.pre_load
    def blanks(self, data, **kwargs):
        keys = {
            "ram_gb",
            "storage_gb",
            "battery_health",
            "screen_inches",
            "donor_id",
            "location_id",
        }
        return _blank_to_none(dict(data), keys)


class DevicePatchSchema(DeviceInSchema):
    """The same fields as intake; load it with partial=True so only sent fields change."""


class DonorSchema(Schema):
    id = F.Integer()
    name = F.String()
    is_organisation = F.Boolean()
    wants_certificate = F.Boolean()


class PlaceSchema(Schema):
    id = F.Integer()
    name = F.String()


class DeviceSchema(Schema):
    """A device as every staff role sees it: no household fields, ever."""

    id = F.Integer()
    asset_tag = F.String()
    public_token = F.String()
    kind = F.String()
    make = F.String()
    model = F.String()
    serial = F.String()
    cpu = F.String()
    ram_gb = F.Integer(allow_none=True)
    storage_gb = F.Integer(allow_none=True)
    storage_type = F.String()
    battery_health = F.Integer(allow_none=True)
    screen_inches = F.Float(allow_none=True)
    os_licence = F.String()
    condition_grade = F.String()
    condition_notes = F.String()
    notes = F.String()
    state = F.String()
    state_changed_at = F.DateTime()
    donor = F.Nested(DonorSchema, allow_none=True)
    location = F.Nested(PlaceSchema, allow_none=True)
    created_at = F.DateTime()


class DevicePageSchema(Schema):
    items = F.List(F.Nested(DeviceSchema))
    next_after = F.Integer(
        allow_none=True, metadata={"description": "pass as `after` for the next page"}
    )


class DeviceQuerySchema(Schema):
    q = F.String(
        load_default="",
        metadata={"description": "tag (UIT-00042, uit-42, 42), label URL, serial, make or model"},
    )
    state = F.String(
        load_default=None,
        validate=validate.OneOf(STATES),
        metadata={
            "description": "devices in this state; `ready` lists only those ready to lend "
            "(a passed wipe and a passed check since the latest intake or return)"
        },
    )
    kind = F.String(load_default=None, validate=validate.OneOf(KINDS))
    location_id = F.Integer(load_default=None, validate=ID_RANGE)
    after = F.Integer(
        load_default=None,
        validate=ID_RANGE,
        metadata={"description": "id of the last item of the previous page"},
    )
    limit = F.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    order = F.String(load_default="desc", validate=validate.OneOf(("asc", "desc")))

    @ma.pre_load
    def blanks(self, data, **kwargs):
        return _blank_to_none(dict(data), {"state", "kind", "location_id", "after"})


class TransitionSchema(Schema):
    target = F.String(
        required=True,
        validate=validate.OneOf(STATES),
        error_messages=required(lazy_gettext("Kies een nieuwe status.")),
    )
    note = F.String(load_default="", validate=validate.Length(max=1000))


# A time without an offset is refused, not guessed: read as UTC it was an hour or two off
# for people, and read as local time it is ambiguous in the autumn fold. The form turns
# its local datetime-local fields into offsets itself (views._wipe_form).
MOMENT_IN = {
    "load_default": None,
    "allow_none": True,
    "error_messages": {
        "invalid_awareness": lazy_gettext(
            "Zet de tijdzone achter de tijd, bijvoorbeeld 2026-03-01T14:30:00+01:00."
        )
    },
}


class WipeDiskInSchema(Schema):
    disk_model = F.String(load_default="", validate=validate.Length(max=120))
    disk_serial = F.String(load_default="", validate=validate.Length(max=120))
    size_bytes = F.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=2**63 - 1)
    )
    result = F.String(
        required=True,
        validate=validate.OneOf([r.value for r in DiskResult]),
        error_messages=required(lazy_gettext("Kies de uitkomst van het wissen.")),
    )
    started_at = F.AwareDateTime(**MOMENT_IN)
    finished_at = F.AwareDateTime(**MOMENT_IN)
    errors = F.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))


class WipeInSchema(Schema):
    """A wipe recorded by hand: the tool's method name, and one row per disk."""

    method = required_text(
        lazy_gettext("Vul de wismethode in."),
        60,
        metadata={"description": "the tool's own name: DoD Short, PRNG Stream, ATA sanitize…"},
    )
    nist_class = F.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([c.value for c in NistClass]),
        metadata={"description": "derived from the method when left out"},
    )
    tool = F.String(load_default="", validate=validate.Length(max=60))
    tool_version = F.String(load_default="", validate=validate.Length(max=40))
    passes = F.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100))
    verification = F.String(
        load_default="", validate=validate.OneOf(["", *[v.value for v in Verification]])
    )
    disks = F.List(
        F.Nested(WipeDiskInSchema),
        required=True,
        validate=validate.Length(min=1),
        error_messages=required(lazy_gettext("Vul minstens één schijf in.")),
    )

    @ma.pre_load
    def blanks(self, data, **kwargs):
        return _blank_to_none(dict(data), {"nist_class", "passes"})


class WipeDiskSchema(Schema):
    id = F.Integer()
    disk_model = F.String()
    disk_serial = F.String()
    size_bytes = F.Integer(allow_none=True)
    result = F.String()
    started_at = F.DateTime(allow_none=True)
    finished_at = F.DateTime(allow_none=True)
    errors = F.Integer()


class WipeSchema(Schema):
    id = F.Integer()
    device_id = F.Integer()
    method = F.String()
    nist_class = F.String()
    tool = F.String()
    tool_version = F.String()
    passes = F.Integer(allow_none=True)
    verification = F.String()
    passed = F.Boolean()
    started_at = F.DateTime(allow_none=True)
    finished_at = F.DateTime()
    operator_id = F.Integer(allow_none=True)
    source = F.String()
    log_filename = F.String()
    log_sha256 = F.String(allow_none=True, metadata={"description": "of the original log"})
    review_status = F.String(
        metadata={"description": "'' (nothing to review), needs_review, accepted or rejected"}
    )
    review_reasons = F.List(F.Dict(), metadata={"description": "why it needs review"})
    review_note = F.String()
    certificate_number = F.String(allow_none=True)
    recorded_at = F.DateTime()
    disks = F.List(F.Nested(WipeDiskSchema))


class WipeReviewInSchema(Schema):
    decision = F.String(
        required=True,
        validate=validate.OneOf(("accept", "reject")),
        metadata={"description": "accept: the wipe counts; reject: it never will"},
        error_messages=required(lazy_gettext("Kies goedkeuren of afkeuren.")),
    )
    note = required_text(
        lazy_gettext("Vul in waarom."),
        2000,
        metadata={"description": "why, for a colleague reading it later"},
    )


class WipeLogUploadSchema(Schema):
    file = F.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "the nwipe log file"},
        error_messages=required(lazy_gettext("Kies eerst een bestand om in te lezen.")),
    )


class SoftwareAnswer(F.Field):
    """One software checklist item: done, not_done or na.

    Before n.v.t. existed an item was true or false; those still mean done and not done.
    """

    default_error_messages = {
        "invalid": lazy_gettext("Kies gedaan (done), niet gedaan (not_done) of n.v.t. (na).")
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True:
            return "done"
        if value is False:
            return "not_done"
        if isinstance(value, str) and value in SOFTWARE_ANSWERS:
            return value
        raise self.make_error("invalid")


class SoftwareInSchema(Schema):
    os_name = required_text(
        lazy_gettext("Vul het besturingssysteem in."),
        80,
        metadata={"description": "Linux Mint, Windows 11, ChromeOS Flex…"},
    )
    os_version = F.String(
        load_default="", validate=validate.Length(max=80), metadata={"description": "or image"}
    )
    checklist = F.Dict(
        keys=F.String(),
        values=SoftwareAnswer(
            metadata={
                "oneOf": [
                    {"type": "string", "enum": list(SOFTWARE_ANSWERS)},
                    {"type": "boolean"},
                ]
            }
        ),
        load_default=dict,
        metadata={
            "description": "an answer for every checklist item: done, not_done or na "
            "(true and false are read as done and not_done); leave it out with all_done"
        },
    )
    all_done = F.Boolean(
        load_default=False,
        metadata={
            "description": "true: every checklist item was done (the form's 'Alles gedaan'); "
            "refused when an item in checklist says otherwise"
        },
    )
    notes = F.String(load_default="")


class SoftwareSchema(Schema):
    id = F.Integer()
    device_id = F.Integer()
    os_name = F.String()
    os_version = F.String()
    checklist = F.Dict(
        keys=F.String(),
        values=F.Boolean(allow_none=True),
        metadata={"description": "per item: true done, false not done, null not applicable"},
    )
    notes = F.String()
    operator_id = F.Integer(allow_none=True)
    recorded_at = F.DateTime()


class QualityCheckInSchema(Schema):
    results = F.Dict(
        keys=F.String(),
        values=F.String(validate=validate.OneOf(QC_RESULTS)),
        load_default=dict,
        metadata={
            "description": "an answer for every checklist item: pass, fail or na; "
            "leave it out with all_pass"
        },
    )
    all_pass = F.Boolean(
        load_default=False,
        metadata={
            "description": "true: every checklist item passed (the form's 'Alles in orde'); "
            "refused when an item in results says otherwise"
        },
    )
    notes = F.String(load_default="")


class QualityCheckSchema(Schema):
    id = F.Integer()
    device_id = F.Integer()
    results = F.Dict(keys=F.String(), values=F.String())
    passed = F.Boolean()
    notes = F.String()
    operator_id = F.Integer(allow_none=True)
    recorded_at = F.DateTime()


QC_LABELS = {
    "pass": lazy_gettext("Goed"),
    "fail": lazy_gettext("Fout"),
    "na": lazy_gettext("N.v.t."),
}

SOFTWARE_LABELS = {
    "done": lazy_gettext("Gedaan"),
    "not_done": lazy_gettext("Niet gedaan"),
    "na": lazy_gettext("N.v.t."),
}


class SnapshotDiskSchema(ma.Schema):
    device_name = F.String()
    model = F.String()
    serial = F.String()
    size_bytes = F.Integer(allow_none=True)
    kind = F.String(metadata={"description": "ssd, hdd, nvme or other"})
    smart_passed = F.Boolean(allow_none=True)
    power_on_hours = F.Integer(allow_none=True)
    reallocated_sectors = F.Integer(allow_none=True)
    pending_sectors = F.Integer(allow_none=True)


class SnapshotResultSchema(ma.Schema):
    """What a hardware snapshot did: the device, what changed, what it found wrong.

    `public_url` and `dhid` are the names workbench-script prints after sending (in its
    legacy mode): the device's page in Uitleen and its asset tag.
    """

    snapshot_id = F.Integer(attribute="record.id")
    uuid = F.String(attribute="record.uuid")
    created = F.Boolean(metadata={"description": "a new device was registered"})
    replayed = F.Boolean(metadata={"description": "this uuid was imported before"})
    device = F.Nested(DeviceSchema)
    changes = F.Dict(
        keys=F.String(), values=F.List(F.Raw()), metadata={"description": "field: [old, new]"}
    )
    findings = F.List(F.Dict(), metadata={"description": "what failed, with the figures"})
    disks = F.List(F.Nested(SnapshotDiskSchema), attribute="record.disks")
    skipped = F.List(F.Dict(), metadata={"description": "disks smartctl could not read"})
    public_url = F.String()
    dhid = F.String(attribute="device.asset_tag")
