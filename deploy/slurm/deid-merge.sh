#!/bin/bash
# After every task of deid-shards.sh has ended: one report, audit and crosswalks for the whole run, as a
# single run would have written them.
#SBATCH --job-name=dicom-deid-merge
#SBATCH --mem=1G
set -euo pipefail

DEID=${DEID:-dicom-deid}
DEID_DATA=${DEID_DATA:?set DEID_DATA to the shared folder of the shards}

shopt -s nullglob
reports=("$DEID_DATA"/reports/shard-*)
audits=()
for r in "${reports[@]}"; do audits+=("$DEID_DATA/audit/${r##*/}"); done
$DEID merge-reports "${reports[@]}" \
  --report "$DEID_DATA/reports/all" \
  --audit "$DEID_DATA/audit/all" --audit-in "${audits[@]}"
