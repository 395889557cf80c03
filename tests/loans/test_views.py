"""The loan page leads on to the internet voucher for the same household."""

from tests.households.factories import make_household
from tests.loans.factories import make_loan


def test_open_loan_offers_a_voucher_for_its_household(client, login_as):
    worker = login_as("intake")
    loan = make_loan(worker, make_household(worker))
    page = client.get(f"/loans/{loan.id}").get_data(as_text=True)
    assert f"/vouchers/assign?household_id={loan.household_id}&amp;loan_id={loan.id}" in page
