# The two commands: `make run` and `make test`. Everything else is a step they use.
.PHONY: audit run test setup train promote rollback review evaluate validate check-config dict crossval bench soak status faults integration lock clean migrate backup restore purge forget fuzz stall

run:            ## set up, train if needed, start action server + Rasa + console
	bash scripts/run.sh

test:           ## set up, train if needed, run every test and the NLU evaluation
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

train: setup    ## train and evaluate a candidate model now, into models/candidates/ (it goes live only by `make promote`)
	.venv/bin/python -m tuning retrain

promote: setup  ## the newest candidate (or CANDIDATE=name) goes live if the guard allows; REASON="..." overrides; YES=1 skips the question
	.venv/bin/python -m tuning promote $${CANDIDATE:+"$$CANDIDATE"} $${REASON:+--reason "$$REASON"} $${YES:+--yes}

rollback: setup ## the previous model goes live again (YES=1 skips the question)
	.venv/bin/python -m tuning rollback $${YES:+--yes}

review: setup   ## review queue: exports review/queue.csv; once its 标注 column is filled, imports it (REVIEW_FILE=... for another file)
	.venv/bin/python -m tuning review auto $${REVIEW_FILE:-review/queue.csv}

evaluate: setup ## the newest candidate (or CANDIDATE=name) against the live model: results/evaluations/<name>/, results/intent_report.json
	.venv/bin/python -m tuning evaluate $${CANDIDATE:+"$$CANDIDATE"}

validate: setup
	.venv/bin/rasa data validate --fail-on-warnings

check-config: setup  ## validate store_config/ after an edit
	.venv/bin/python -m store.check

dict: setup     ## regenerate the tokenizer dictionary and lookup tables from store_config/places.yml
	.venv/bin/python scripts/build_jieba_dict.py
	.venv/bin/python scripts/build_lookups.py

crossval: setup ## compare pipelines by 3-fold cross-validation (slow: ~45 min)
	bash scripts/crossval.sh

bench: setup    ## the assistant against stock Rasa 3.6.21 in one run: throughput, latency, capacity, memory, start-up, training, F1 (results/bench/)
	.venv/bin/python -m benchmark $(BENCH_ARGS)

status:         ## the supervised processes of `make run` (supervisorctl through .run/supervisor.sock)
	RUN_DIR=$${RUN_DIR:-.run} .venv/bin/supervisorctl -c deploy/supervisord.conf status

faults: setup   ## kill and stop the real processes and servers (every scripts/faults/*.py with a main()): figures in results/faults/
	@failed=0; for script in scripts/faults/*.py; do \
	  grep -q '^def main' "$$script" || continue; \
	  module=$$(echo "$${script%.py}" | tr / .); echo "faults: $$module"; \
	  .venv/bin/python -m "$$module" || failed=1; \
	done; exit $$failed

soak: setup     ## load (200 shoppers, 10 min) then soak (30 min at 80% of the bench's highest rate) through the console's socket.io: results/soak/ (SOAK_ARGS=--quick: 2 + 3 min; LOAD_MINUTES, LOAD_SHOPPERS, SOAK_MINUTES, SOAK_RATE, SOAK_SHOPPERS)
	.venv/bin/python -m soak $(SOAK_ARGS)

stall: setup    ## Rasa stopped 15 s under the soak's rate, with the console's request slots and without: recovery in results/soak/stall.json (~8 min)
	.venv/bin/python -m soak.stall

integration:    ## the production profile end to end: PostgreSQL, Redis, RabbitMQ, nginx, 2 Rasa, 2 consoles (INTEGRATION_SCALE=reduced: CI's shorter run)
	bash scripts/integration/run.sh

migrate: setup  ## bring the helpdesk database (HELPDESK_DB_URL, else var/helpdesk.db) to the newest schema revision; prints from → to
	.venv/bin/python -m helpdesk.migrations upgrade

audit: setup    ## bandit on the production packages + pip-audit of requirements.lock (exceptions and reasons: security/)
	.venv/bin/python security/audit.py

backup: setup   ## one archive of the store while it runs: both databases (online), live + previous models, owner files, secrets (flagged) → backups/store-<time>.tar (BACKUP_DIR=…, NO_SECRETS=1)
	.venv/bin/python -m ops backup $${BACKUP_DIR:+--dir "$$BACKUP_DIR"} $${NO_SECRETS:+--no-secrets}

restore: setup  ## BACKUP=backups/store-….tar back into this directory (stop the assistant first) or into RESTORE_DIR=…; checksums checked, counts printed (NO_SECRETS=1 keeps today's secrets)
	.venv/bin/python -m ops restore "$${BACKUP:?set BACKUP=backups/store-....tar}" $${RESTORE_DIR:+--into "$$RESTORE_DIR"} $${NO_SECRETS:+--no-secrets}

purge: setup    ## erase conversations older than privacy.retention_days (store_config/store.yml) now; the console also does it daily
	.venv/bin/python -m ops purge

forget: setup   ## CONVERSATION=<id>: erase one shopper's conversation everywhere, while the assistant runs; prints what was deleted
	.venv/bin/python -m ops forget "$${CONVERSATION:?set CONVERSATION=<conversation id>}"

fuzz: setup     ## hostile input on every public surface of the console app, 10x make test's examples (FUZZ_FACTOR), figures in results/fuzz/summary.json
	status=0; FUZZ_PROFILE=long FUZZ_SUMMARY=results/fuzz/summary.json .venv/bin/python -m pytest -q tests/fuzz || status=1; \
	.venv/bin/python scripts/fuzz_report.py results/fuzz/summary.json || status=1; exit $$status

lock:           ## re-pin dependencies from requirements.in into requirements.lock
	bash scripts/lock.sh

clean:          ## keeps models/kept/ and the live pointer: the served model and its history
	rm -rf models/candidates models/test results .rasa
