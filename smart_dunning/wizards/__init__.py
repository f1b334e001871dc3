from . import dunning_dispute_fix
