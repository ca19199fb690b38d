#!/usr/bin/env bash
# Trains a model into MODEL_OUT (default models/candidates/).
#   MODEL_NAME unset: a new candidate now, named YYYYMMDD-HHMMSS-<first 8 hex of its sha256>
#     (China time), as the owner's loop expects; it goes live only through `make promote`.
#   MODEL_NAME set (e.g. test.sh: models/test/store.tar.gz): retrained only when the training
#     data, domain, config or tokenizer dictionary changed since its last training (fingerprint
#     in $MODEL_OUT/$MODEL_NAME.fingerprint, next to it); FORCE_TRAIN=1 forces it.
# First writes data/nlu/augmented.yml (scripts/augment_nlu.py) from the hand-written examples.
# The last line of output is `train: model <path>`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
MODEL_OUT="${MODEL_OUT:-models/candidates}"
MODEL_NAME="${MODEL_NAME:-}"
mkdir -p "$MODEL_OUT" var/log

# The wrapped variants (亲 在吗 … 谢谢) are derived from the hand-written examples, never kept in git.
$PY scripts/augment_nlu.py >/dev/null
fingerprint=$(data_fingerprint)
if [ -n "$MODEL_NAME" ]; then
  target="$MODEL_OUT/$MODEL_NAME.tar.gz"
  if [ -f "$target" ] && [ "$(cat "$MODEL_OUT/$MODEL_NAME.fingerprint" 2>/dev/null)" = "$fingerprint" ] \
     && [ "${FORCE_TRAIN:-0}" != 1 ]; then
    echo "train: model is up to date ($target)"
    echo "train: model $target"
    exit 0
  fi
fi
partial="training-$$"
echo "train: training into $MODEL_OUT/ (log: var/log/train.log)"
start=$(date +%s)
if ! $RASA train --config config.yml --domain domain.yml --data data --out "$MODEL_OUT" --fixed-model-name "$partial" \
     >var/log/train.log 2>&1; then
  rm -f "$MODEL_OUT/$partial.tar.gz"
  tail -40 var/log/train.log >&2
  echo "train: failed; the whole log is var/log/train.log" >&2
  exit 1
fi
if [ -z "$MODEL_NAME" ]; then
  target="$MODEL_OUT/$(TZ=Asia/Shanghai date +%Y%m%d-%H%M%S)-$(sha256sum "$MODEL_OUT/$partial.tar.gz" | cut -c1-8).tar.gz"
fi
mv "$MODEL_OUT/$partial.tar.gz" "$target"
if [ -n "$MODEL_NAME" ]; then echo "$fingerprint" > "$MODEL_OUT/$MODEL_NAME.fingerprint"; fi
echo "train: done in $(( $(date +%s) - start )) s"
echo "train: model $target"
