# The two commands: `make run` and `make test`. Everything else is a step they use.
.PHONY: run test setup train promote rollback review evaluate validate check-config dict crossval bench integration lock clean

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

integration:    ## the production profile end to end: PostgreSQL, Redis, RabbitMQ, nginx, 2 Rasa, 2 consoles (INTEGRATION_SCALE=reduced: CI's shorter run)
	bash scripts/integration/run.sh

lock:           ## re-pin dependencies from requirements.in into requirements.lock
	bash scripts/lock.sh

clean:          ## keeps models/kept/ and the live pointer: the served model and its history
	rm -rf models/candidates models/test results .rasa
