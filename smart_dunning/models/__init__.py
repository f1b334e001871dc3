from . import (
    account_move,
    account_partial_reconcile,
    dunning_demo,
    dunning_dispute,
    dunning_dispute_reason,
    dunning_letter,
    dunning_level,
    dunning_plan,
    dunning_policy,
    dunning_run,
    res_company,
    res_config_settings,
    res_partner,
)
from . import dunning_call
