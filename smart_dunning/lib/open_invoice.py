"""What makes a customer invoice open: the one rule read by the models, the run, the worklist
and the payment status, so that they never disagree about which invoices a customer owes."""

# Odoo's payment states of an invoice that still has something to pay.
OPEN_PAYMENT_STATES = ("not_paid", "partial")
