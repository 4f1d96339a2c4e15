#!/usr/bin/env bash
# Spark GPU discovery script for executors (spark.executor.resource.gpu.discoveryScript):
# prints the GPUs this machine has as Spark's ResourceInformation JSON, for example
#   {"name": "gpu", "addresses": ["0", "1"]}
# Each TrustLens task then runs TorchScript on the GPU Spark assigned to it (io.trustlens.model.Devices).
set -euo pipefail
addresses=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed -e 's/^ *//' -e 's/ *$//' \
  | awk 'NF { printf "%s\"%s\"", (n++ ? "," : ""), $0 }')
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
