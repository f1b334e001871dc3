import sys as _sys

from ..lib import data_check, open_credit

# The mixins first, the numbered and invoice-number ones before the agreement one that inherits
# them: a model must be defined after the models it inherits, and the model files import each
# other (account_move imports dunning_dispute).
from . import dunning_invoice_names_mixin, dunning_numbered_mixin

# isort: split
from . import dunning_agreement_mixin, dunning_dated_period_mixin

# isort: split
from . import (
    account_bank_statement_line,
    account_move,
    account_move_line,
    account_partial_reconcile,
    account_payment,
    dunning_assignment_rule,
    dunning_call,
    dunning_call_reason,
    dunning_claim,
    dunning_collector_workload,
    dunning_dispute,
    dunning_dispute_reason,
    dunning_fee_scale,
    dunning_judicial_file,
    dunning_legal_rate,
    dunning_letter,
    dunning_letter_fee,
    dunning_letter_portal,
    dunning_level,
    dunning_partner_status,
    dunning_plan,
    dunning_policy,
    dunning_policy_portal,
    dunning_run,
    dunning_sales_target,
    dunning_weekly_summary,
    dunning_worklist,
    ir_actions_report,
    ir_module_module,
    mail_mail,
    res_company,
    res_company_portal,
    res_config_settings,
    res_partner,
)

# The README's public contract names two helpers by their former home under models/: they
# stay importable there (``from odoo.addons.smart_dunning.models.data_check import ...``).
_sys.modules[f"{__name__}.data_check"] = data_check
_sys.modules[f"{__name__}.open_credit"] = open_credit
