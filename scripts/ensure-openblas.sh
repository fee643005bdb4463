#!/usr/bin/env bash
# Makes sure OpenBLAS is installed for @concord/drcl, which runs TensorFlow.js's matrix products on it
# (Debian's libopenblas0-pthread: multi-threaded, AVX-512 kernels). Needs root for apt; does nothing
# when the library is already there. Without it DRCL still trains, on the slower WASM kernels.
set -euo pipefail

if ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0'; then
  exit 0
fi

echo "ensure-openblas: installing libopenblas0-pthread from Debian" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq libopenblas0-pthread >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq libopenblas0-pthread >/dev/null
fi
