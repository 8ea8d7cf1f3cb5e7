#!/usr/bin/env bash
# The data-efficiency table of docs/RESULTS.md (issue 16): the policy finetuned on 10, 25, 50, 100 and 200
# labelled arm episodes, from the pretrained bundle and from scratch, each scored in closed loop on the same
# held-out seeds. Single PyTorch thread, fixed seeds.
#   bash models/policy/data-efficiency.sh [OUT_DIR] [EPISODES_PER_FAMILY] [FIRST_SEED]
# defaults: /tmp/mantis-data-efficiency, 200 episodes per family, seeds 7000000.. (never used for training or
# development). Training: arm expert seeds 500000.. (the first N); the 10 seeds after them are held out for the offline
# figures. The bundles are written to OUT_DIR/{pretrained,scratch}-N; the table to OUT_DIR/table.md.
# Roughly 1 h of training and, at 200 episodes per family, several hours of evaluation on 2 cores.
# PLAN=1: score each bundle with the goal-frame plan learned from video (written to OUT_DIR/{...}-N-plan; the
# same plan for every bundle), as the table of 2026-12-04 was.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out="${1:-/tmp/mantis-data-efficiency}"
per_family="${2:-200}"
first_seed="${3:-7000000}"
sizes="${SIZES:-10 25 50 100 200}"
export OMP_NUM_THREADS=1
mkdir -p "$out"
policies=""
for n in $sizes; do
  for init in pretrained scratch; do
    dir="$out/$init-$n"
    if [ ! -f "$dir/model-card.json" ]; then
      from="models/policy/pretrained"
      [ "$init" = scratch ] && from=none
      ./mantis policy finetune --init "$from" --out "$dir" --episodes "$n" --first-seed 500000 \
        --held-out-episodes 10 --steps 1500 --seed 0
    fi
    if [ "${PLAN:-0}" = 1 ]; then
      if [ ! -f "$dir-plan/goal-frame.bin" ]; then
        ./mantis policy goal-frame --init "$dir" --out "$dir-plan" --video-episodes 2000 --first-seed 0 \
          --neighbours 2
      fi
      dir="$dir-plan"
    fi
    policies="$policies${policies:+,}bundle:$dir"
  done
done
./mantis eval --policies "$policies" --episodes "$per_family" --first-seed "$first_seed" --streams 2 \
  --markdown "$out/table.md" --json "$out/table.json"
echo "table: $out/table.md"
