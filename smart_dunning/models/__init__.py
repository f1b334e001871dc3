from . import (
    account_move,
    dunning_demo,
    dunning_fee_scale,
    dunning_legal_rate,
    dunning_letter,
    dunning_letter_fee,
    dunning_level,
    dunning_policy,
    dunning_run,
    res_company,
    res_config_settings,
    res_partner,
)
