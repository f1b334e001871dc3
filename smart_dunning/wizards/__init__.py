from . import account_payment_register  # noqa: F401
