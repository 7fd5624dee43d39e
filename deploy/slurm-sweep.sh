#!/usr/bin/env bash
# Slurm job array: each array task runs one deterministic shard of a sweep; a final job merges.
#   sbatch --array=0-15 deploy/slurm-sweep.sh examples/uv-logistic-sweep.json
#   (after all tasks) catapult merge sweeps/<name>/shard-* --out sweeps/<name>/merged
# Every run is keyed by the hash of its resolved config, so a resubmitted task skips what it
# already finished. Output directories must be on a shared file system.
#SBATCH --job-name=catapult-sweep
#SBATCH --cpus-per-task=2
#SBATCH --time=04:00:00
set -euo pipefail
SWEEP="${1:?sweep config}"
N="${SLURM_ARRAY_TASK_COUNT:?run as a job array}"
I="${SLURM_ARRAY_TASK_ID:?run as a job array}"
NAME="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).name ?? "sweep")' "$SWEEP")"
npx catapult sweep "$SWEEP" --shard "$I/$N" --jobs "${SLURM_CPUS_PER_TASK:-1}" --out "sweeps/$NAME/shard-$I" --quiet
