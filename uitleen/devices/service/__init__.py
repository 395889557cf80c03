"""The refurbishment pipeline: intake, wipes, software, quality checks, moves and lists.

One module per job (counters, intake, moves, wipes, certificates, checks, search); this
package re-exports their public names, so callers write service.record_wipe(...).

Plain functions with the actor first; they flush but never commit (the view or CLI does).
Every state change goes through lifecycle.move, so the state machine stays the only
place that says which move is allowed.
"""

from uitleen.devices.service.certificates import (
    CertificateFacts,
    certificate,
    certificate_facts,
    verification_url,
)
from uitleen.devices.service.checks import (
    QC_RESULTS,
    SOFTWARE_ANSWERS,
    record_quality_check,
    record_software,
)
from uitleen.devices.service.counters import (
    ASSET_TAG_COUNTER,
    CERTIFICATE_COUNTER,
    assign_token,
    ensure_qr_matrix,
    label_url,
    new_public_token,
    qr_matrix_for,
    raise_counter_to,
    reserve,
    usable_matrix,
)
from uitleen.devices.service.intake import (
    DEVICE_FIELDS,
    DuplicateSerial,
    SerialOnLoan,
    create_donor,
    device_by_tag,
    donors,
    find_same_serial,
    get_device,
    normalise_serial,
    register_device,
    update_device,
)
from uitleen.devices.service.moves import (
    LOAN_TARGETS,
    NOTE_REQUIRED,
    mark_ready,
    transition,
)
from uitleen.devices.service.names import (
    DISK_RESULT_NAMES,
    KIND_NAMES,
    NEXT_STEP,
    STORAGE_NAMES,
    VERIFICATION_NAMES,
    format_bytes,
    review_reason_text,
)
from uitleen.devices.service.search import (
    DevicePage,
    DeviceWork,
    HistoryLine,
    Lookup,
    counts_by_state,
    find_exact,
    history,
    parse_lookup,
    queue_counts,
    search,
    work,
)
from uitleen.devices.service.wipes import (
    CLOCK_SLACK,
    REVIEW_NAMES,
    SIZE_PLAUSIBLE_SHARE,
    DiskInput,
    WipeInput,
    get_wipe,
    import_wipe_log,
    record_wipe,
    review_wipe,
)
from uitleen.devices.tags import format_tag

__all__ = [
    "DiskInput",
    "WipeInput",
    "ASSET_TAG_COUNTER",
    "CERTIFICATE_COUNTER",
    "CLOCK_SLACK",
    "CertificateFacts",
    "DEVICE_FIELDS",
    "DISK_RESULT_NAMES",
    "DevicePage",
    "DeviceWork",
    "DuplicateSerial",
    "HistoryLine",
    "KIND_NAMES",
    "STORAGE_NAMES",
    "LOAN_TARGETS",
    "Lookup",
    "NEXT_STEP",
    "NOTE_REQUIRED",
    "QC_RESULTS",
    "REVIEW_NAMES",
    "SIZE_PLAUSIBLE_SHARE",
    "SOFTWARE_ANSWERS",
    "SerialOnLoan",
    "VERIFICATION_NAMES",
    "assign_token",
    "certificate",
    "certificate_facts",
    "counts_by_state",
    "create_donor",
    "device_by_tag",
    "donors",
    "ensure_qr_matrix",
    "find_exact",
    "find_same_serial",
    "format_bytes",
    "format_tag",
    "get_device",
    "get_wipe",
    "history",
    "import_wipe_log",
    "label_url",
    "mark_ready",
    "new_public_token",
    "normalise_serial",
    "parse_lookup",
    "qr_matrix_for",
    "queue_counts",
    "raise_counter_to",
    "record_quality_check",
    "record_software",
    "record_wipe",
    "register_device",
    "reserve",
    "review_reason_text",
    "review_wipe",
    "search",
    "transition",
    "update_device",
    "usable_matrix",
    "verification_url",
    "work",
]
