from . import (
    dunning_aging_report,
    dunning_collection_report,
    dunning_judicial_file_report,
    dunning_letter_report,
    dunning_month_report,
)
