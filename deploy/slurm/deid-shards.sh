#!/bin/bash
# dicom-deid over a Slurm array: one shard per array task.
#   sbatch --array=1-4 deploy/slurm/deid-shards.sh
#   sbatch --dependency=afterany:<job id> deploy/slurm/deid-merge.sh
# Every task runs `dicom-deid anonymize --shard K/N` over the same input folder with the same key and
# profile, K the array task ID and N the array's size; each writes its own output, report and audit
# folder under DEID_DATA (a file system all nodes share). See README, "Past one machine".
#SBATCH --job-name=dicom-deid
#SBATCH --cpus-per-task=4
#SBATCH --mem=2G
set -euo pipefail

DEID=${DEID:-dicom-deid}
DEID_INPUT=${DEID_INPUT:?set DEID_INPUT to the folder to de-identify}
DEID_DATA=${DEID_DATA:?set DEID_DATA to the shared folder for outputs, reports and audits}
DEID_KEY=${DEID_KEY:-$HOME/.dicom-deid/project.key}
K=${SLURM_ARRAY_TASK_ID:?run with sbatch --array=1-N}
N=${SLURM_ARRAY_TASK_COUNT:?run with sbatch --array=1-N}

status=0
$DEID anonymize "$DEID_INPUT" \
  --out "$DEID_DATA/out/shard-$K" \
  --report "$DEID_DATA/reports/shard-$K" \
  --audit "$DEID_DATA/audit/shard-$K" \
  --key-file "$DEID_KEY" \
  --workers "${SLURM_CPUS_PER_TASK:-1}" \
  --shard "$K/$N" --shard-by study || status=$?
# 1: some files failed or were held for review (the audit says which); anything else stops the array.
# A task run again after its node died resumes; within five minutes of the death it is refused (exit 2)
# while the dead task's folder locks are fresh: submit it again after that.
[ "$status" -le 1 ]
