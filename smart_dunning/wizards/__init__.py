from . import dunning_dispute_fix, dunning_plan_promise
