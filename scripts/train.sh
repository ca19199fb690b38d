#!/usr/bin/env bash
# Trains models/store.tar.gz when the training data, domain, config or tokenizer dictionary
# changed since the last training (fingerprint in models/.fingerprint); otherwise does nothing.
# First writes data/nlu/augmented.yml (scripts/augment_nlu.py) from the hand-written examples.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

# The wrapped variants (亲 在吗 … 谢谢) are derived from the hand-written examples, never kept in git.
$PY scripts/augment_nlu.py >/dev/null
fingerprint=$(cat config.yml domain.yml requirements.lock $(find data jieba_dict -type f | sort) | sha256sum | cut -d' ' -f1)
if [ -f "$MODEL" ] && [ "$(cat models/.fingerprint 2>/dev/null)" = "$fingerprint" ] && [ "${FORCE_TRAIN:-0}" != 1 ]; then
  echo "train: model is up to date ($MODEL)"
  exit 0
fi
echo "train: training $MODEL (data or config changed)"
start=$(date +%s)
mkdir -p var/log
if ! $RASA train --config config.yml --domain domain.yml --data data --out models --fixed-model-name store \
     >var/log/train.log 2>&1; then
  tail -40 var/log/train.log >&2
  echo "train: failed; the whole log is var/log/train.log" >&2
  exit 1
fi
echo "$fingerprint" > models/.fingerprint
echo "train: done in $(( $(date +%s) - start )) s"
