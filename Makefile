# The two commands a newcomer needs are `make demo` and `make test`; see README.md.
# Every target delegates to tools/dev.sh, which sets up what is missing.
DEV := tools/dev.sh

.PHONY: demo test lint shell bench setup db-start db-stop i18n clean

demo:   ## Odoo with smart_dunning and demo data on http://localhost:8069 (admin / admin)
	@$(DEV) demo

test:   ## fresh test database, whole suite; non-zero exit on any failure
	@$(DEV) test $(ARGS)

lint:   ## ruff + pylint-odoo through pre-commit
	@$(DEV) lint

shell:  ## odoo shell on the demo database
	@$(DEV) shell

bench:  ## benchmarks (see bench/README.md)
	@$(DEV) bench $(ARGS)

setup:  ## venv, Odoo source and PostgreSQL cluster only
	@$(DEV) setup

db-start:
	@$(DEV) db-start

db-stop:
	@$(DEV) db-stop

i18n:   ## regenerate i18n/smart_dunning.pot and merge it into nl.po / fr.po
	@$(DEV) i18n

clean:  ## stop PostgreSQL and remove .venv and .run
	@$(DEV) clean
