from . import dunning_invoice_report_mixin

# isort: split
from . import (
    dunning_aging_report,
    dunning_collection_report,
    dunning_data_error_report,
    dunning_judicial_file_report,
    dunning_letter_report,
    dunning_month_report,
    dunning_promise_report,
    dunning_reason_report,
    dunning_target_report,
)
