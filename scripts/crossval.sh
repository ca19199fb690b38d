#!/usr/bin/env bash
# make crossval: 3-fold cross-validation of each pipeline in configs/pipelines/ on the training
# data, plus each one trained on all of data/ and scored on the held-out file; writes
# reports/pipeline-comparison.md. Slow (tens of minutes): not part of make test.
#   bash scripts/crossval.sh                       every config in configs/pipelines/
#   bash scripts/crossval.sh configs/pipelines/words_only.yml   just that one (others' results kept)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
FOLDS="${FOLDS:-3}"
mkdir -p results/crossval
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(configs/pipelines/*.yml)
for cfg in "${configs[@]}"; do
  name=$(basename "$cfg" .yml)
  out="results/crossval/$name"
  echo "crossval: $name"
  start=$(date +%s)
  $RASA test nlu --nlu data/nlu --config "$cfg" --cross-validation --folds "$FOLDS" --out "$out/cv" --no-plot >"$out.cv.log" 2>&1
  echo "$(( $(date +%s) - start ))" > "$out/cv/seconds"
  start=$(date +%s)
  $RASA train nlu --config "$cfg" --nlu data/nlu --out "$out/model" --fixed-model-name nlu >"$out.train.log" 2>&1
  echo "$(( $(date +%s) - start ))" > "$out/train_seconds"
  $RASA test nlu --nlu tests/nlu/heldout.yml --model "$out/model/nlu.tar.gz" --out "$out/heldout" --no-plot >"$out.heldout.log" 2>&1
done
$PY scripts/report_crossval.py results/crossval > reports/pipeline-comparison.md.new
mv reports/pipeline-comparison.md.new reports/pipeline-comparison.md
cat reports/pipeline-comparison.md
