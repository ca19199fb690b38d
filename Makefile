# The two commands: `make run` and `make test`. Everything else is a step they use.
.PHONY: run test setup train review validate check-config dict crossval bench lock clean

run:            ## set up, train if needed, start action server + Rasa + console
	bash scripts/run.sh

test:           ## set up, train if needed, run every test and the NLU evaluation
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

train: setup
	bash scripts/train.sh

review: setup   ## review queue: exports review/queue.csv; once its 标注 column is filled, imports it (REVIEW_FILE=... for another file)
	.venv/bin/python -m tuning review auto $${REVIEW_FILE:-review/queue.csv}

validate: setup
	.venv/bin/rasa data validate --fail-on-warnings

check-config: setup  ## validate store_config/ after an edit
	.venv/bin/python -m store.check

dict: setup     ## regenerate the tokenizer dictionary and lookup tables from store_config/places.yml
	.venv/bin/python scripts/build_jieba_dict.py
	.venv/bin/python scripts/build_lookups.py

crossval: setup ## compare pipelines by 3-fold cross-validation (slow: ~45 min)
	bash scripts/crossval.sh

bench: train    ## reply latency and throughput through the REST channel
	.venv/bin/python scripts/bench.py

lock:           ## re-pin dependencies from requirements.in into requirements.lock
	bash scripts/lock.sh

clean:
	rm -rf models results .rasa
