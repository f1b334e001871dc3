from . import (
    account_payment_register,
    dunning_call_log,
    dunning_callcentre_export,
    dunning_callcentre_import,
    dunning_dispute_fix,
    dunning_level_preview,
    dunning_plan_promise,
    dunning_term_move,
)
