from odoo import models


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        # The user chose the invoices this payment pays: a letter reference in its memo must
        # not send it elsewhere.
        return super(
            AccountPaymentRegister, self.with_context(dunning_skip_reference_match=True)
        )._create_payments()
