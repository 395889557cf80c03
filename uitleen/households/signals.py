"""News households sends so later steps of the work can add their part (blinker).

Households never imports loans: a household's loans are a question for loans, which
subscribes to these signals (uitleen.loans.subscribers, connected in create_app).
"""

from blinker import Namespace

_signals = Namespace()

#: Sent with the Household whose page is drawn; each receiver returns a dict of template
#: context (loans: the household's loans, their reminders and the names of kinds and outcomes).
household_page = _signals.signal("household-page")

#: Sent (sender None) when the waiting list is drawn; receivers return template context
#: (loans: how many devices are ready).
waiting_list_page = _signals.signal("waiting-list-page")


#: Sent with the Household that asks to be erased, before anything changes; a receiver
#: raises a domain error to refuse (loans: while the household still has a device).
erase_requested = _signals.signal("household-erase-requested")

#: Sent (sender None, household_ids=[...]) while those households are erased, in the same
#: transaction. Each receiver blanks the free text of its own rows about them and returns
#: {event subject type: ids} of those rows, whose events are scrubbed too ("loans" ids
#: also pick the device events that name one of those loans, under "devices").
erasing = _signals.signal("household-erasing")

#: Sent with the retention cutoff (a datetime). Each receiver returns an SQL condition,
#: correlated with Household, that keeps a household's data past it (loans: an open loan
#: or one that ended after the cutoff).
retention_holds = _signals.signal("household-retention-holds")


def context_from(signal, sender) -> dict:
    """The template context every receiver of `signal` returned for `sender`, merged."""
    context = {}
    for _receiver, extra in signal.send(sender):
        context.update(extra)
    return context
