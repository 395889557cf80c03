"""News devices sends so later steps of the work can add their part (blinker)."""

from blinker import Namespace

_signals = Namespace()

#: Sent with the Device whose label token was retired (actor=..., reason=...), in the
#: same transaction. loans puts a "new label to hand over" task on the device's open loan:
#: the household's label stopped working.
label_retired = _signals.signal("device-label-retired")

#: Sent with the Device whose page is drawn; each receiver returns a list of short open
#: tasks to show there (loans: "new label to hand over"). No household data: volunteers
#: see this page.
device_tasks = _signals.signal("device-tasks")
