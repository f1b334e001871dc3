from . import (
    account_move,
    dunning_demo,
    dunning_dispute,
    dunning_dispute_reason,
    dunning_letter,
    dunning_level,
    dunning_policy,
    dunning_run,
    res_company,
    res_config_settings,
    res_partner,
)
