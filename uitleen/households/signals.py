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


def context_from(signal, sender) -> dict:
    """The template context every receiver of `signal` returned for `sender`, merged."""
    context = {}
    for _receiver, extra in signal.send(sender):
        context.update(extra)
    return context
