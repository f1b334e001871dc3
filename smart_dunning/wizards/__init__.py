from . import account_payment_register, dunning_dispute_fix, dunning_plan_promise
