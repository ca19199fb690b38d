#!/usr/bin/env bash
# make crossval: 3-fold cross-validation of each pipeline in configs/pipelines/ on the hand-written
# training data (the generated data/nlu/augmented.yml is left out: a variant in one fold and its
# original in another would leak), plus each one trained on all of data/ and scored on both
# held-out files; writes reports/pipeline-comparison.md. Slow (tens of minutes): not in make test.
# Choose by the cross-validation columns; the held-out columns only score the finalists.
#   bash scripts/crossval.sh                       every config in configs/pipelines/
#   bash scripts/crossval.sh configs/pipelines/words_only.yml   just that one (others' results kept)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
FOLDS="${FOLDS:-3}"
mkdir -p results/crossval
$PY scripts/augment_nlu.py >/dev/null
written=$(mktemp -d)
trap 'rm -rf "$written"' EXIT
find data/nlu -name '*.yml' ! -name augmented.yml -exec cp {} "$written/" \;
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(configs/pipelines/*.yml)
for cfg in "${configs[@]}"; do
  name=$(basename "$cfg" .yml)
  out="results/crossval/$name"
  echo "crossval: $name"
  start=$(date +%s)
  $RASA test nlu --nlu "$written" --config "$cfg" --cross-validation --folds "$FOLDS" --out "$out/cv" --no-plot >"$out.cv.log" 2>&1
  echo "$(( $(date +%s) - start ))" > "$out/cv/seconds"
  start=$(date +%s)
  $RASA train nlu --config "$cfg" --nlu data/nlu --out "$out/model" --fixed-model-name nlu >"$out.train.log" 2>&1
  echo "$(( $(date +%s) - start ))" > "$out/train_seconds"
  for heldout in heldout real_register; do
    $RASA test nlu --nlu "tests/nlu/$heldout.yml" --model "$out/model/nlu.tar.gz" --out "$out/$heldout" --no-plot \
      >"$out.$heldout.log" 2>&1
  done
done
$PY scripts/report_crossval.py results/crossval > reports/pipeline-comparison.md.new
mv reports/pipeline-comparison.md.new reports/pipeline-comparison.md
cat reports/pipeline-comparison.md
