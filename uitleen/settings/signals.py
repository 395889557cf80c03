"""News settings sends so later steps of the work can check what they print (blinker)."""

from blinker import Namespace

_signals = Namespace()

#: Sent with the setting's key (value=the new value) before it is stored. A receiver
#: returns a message when the value cannot be used (labels: it does not fit on a label),
#: else None; the first message refuses the change on the setting's field.
checking = _signals.signal("setting-checking")
