#!/usr/bin/env bash
# Feature extraction over NPROC processes with torchrun (rank r takes videos
# r::NPROC; rank 0 writes index.json after a barrier):
#   bash tools/dist_extract_features.sh CONFIG NPROC --out DIR [options]
set -e
CONFIG=$1
NPROC=$2
PORT=${PORT:-29510}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python; fi
fi
PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
"$PYTHON" -m torch.distributed.run --nproc_per_node="$NPROC" \
    --master_port="$PORT" "$ROOT/tools/extract_features.py" "$CONFIG" "${@:3}"
