#!/usr/bin/env bash
# Runs the GPU bundle (`npm run bench:gpu-bundle`) on a machine with no network and no Node: the engine's
# training step, pairs/s and memory per backend and preset (webgpu on the GPU through Vulkan, wasm for
# reference), and the same step in PyTorch beside it for the ratio → results/gpu-check.{json,md}.
# Knobs (environment): BACKENDS=webgpu,wasm PRESETS=small,roberta-base STEPS=3 BATCH=32 SEQ_LEN=64
# PYTHON=python3 (the one with PyTorch) EMPATHY_WEBGPU_BACKEND=vulkan (opengles: the software adapter, for
# a dry run on a machine without a GPU). With data/ER.train.csv and data/ER.dev.csv beside this script
# (EMPATHY_GPU_BUNDLE_DATA at bundle time) it also trains on webgpu and checks the levels agree on wasm/cpu.
set -uo pipefail
cd "$(dirname "$0")"
HERE="$PWD"
mkdir -p results
export PATH="$HERE/node/bin:$PATH"
export EMPATHY_WEBGPU_BACKEND="${EMPATHY_WEBGPU_BACKEND:-vulkan}"

# The Vulkan loader: the machine's, or the bundled Debian one unpacked here.
{
  echo "node: $(node --version) ($(command -v node))"
  if ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
    echo "vulkan loader: the machine's ($(ldconfig -p | grep -m1 'libvulkan.so.1 ' | sed 's/.*=> //'))"
  else
    mkdir -p vulkan && for d in debs/*.deb; do dpkg-deb -x "$d" vulkan || echo "could not unpack $d"; done
    export LD_LIBRARY_PATH="$HERE/vulkan/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
    echo "vulkan loader: bundled ($(ls vulkan/usr/lib/x86_64-linux-gnu/libvulkan.so.1* 2>/dev/null | head -1))"
  fi
  # The NVIDIA Vulkan driver lives in libGLX_nvidia.so.0; containers started with compute-only driver
  # capabilities often have the library but not the ICD manifest that tells the loader about it.
  icds=$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json 2>/dev/null)
  echo "vulkan ICD manifests: ${icds:-none}"
  if [ "$EMPATHY_WEBGPU_BACKEND" = vulkan ] && ! grep -qs nvidia $icds /dev/null; then
    glx=$(ldconfig -p 2>/dev/null | grep -m1 'libGLX_nvidia.so.0 ' | sed 's/.*=> //')
    if [ -n "$glx" ]; then
      mkdir -p vulkan/icd.d
      printf '{ "file_format_version": "1.0.0", "ICD": { "library_path": "%s", "api_version": "1.3.0" } }\n' "$glx" > vulkan/icd.d/nvidia_icd.json
      export VK_ICD_FILENAMES="$HERE/vulkan/icd.d/nvidia_icd.json" VK_DRIVER_FILES="$HERE/vulkan/icd.d/nvidia_icd.json"
      echo "vulkan ICD: wrote vulkan/icd.d/nvidia_icd.json for $glx"
    else
      echo "vulkan ICD: no NVIDIA manifest and no libGLX_nvidia.so.0 (the container may lack the 'graphics' driver capability): webgpu will find no GPU adapter"
    fi
  fi
  if command -v nvidia-smi >/dev/null; then nvidia-smi -L 2>&1; else echo "no nvidia-smi"; fi
} 2>&1 | tee results/environment.txt
# The subshell above cannot export: repeat what it decided.
[ -d vulkan/usr/lib/x86_64-linux-gnu ] && export LD_LIBRARY_PATH="$HERE/vulkan/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
[ -f vulkan/icd.d/nvidia_icd.json ] && export VK_ICD_FILENAMES="$HERE/vulkan/icd.d/nvidia_icd.json" VK_DRIVER_FILES="$HERE/vulkan/icd.d/nvidia_icd.json"

node check.js --backends "${BACKENDS:-webgpu,wasm}" --preset "${PRESETS:-small,roberta-base}" --steps "${STEPS:-3}" \
  --batch "${BATCH:-32}" --seq-len "${SEQ_LEN:-64}" --torch torch_step.py --python "${PYTHON:-python3}" --out-dir results 2>&1 | tee results/check.log
status=${PIPESTATUS[0]}

if [ -f data/ER.train.csv ] && [ -f data/ER.dev.csv ]; then
  node agreement.js --cli empathy.js --train data/ER.train.csv --dev data/ER.dev.csv --preset "${AGREE_PRESET:-small}" \
    ${AGREE_ARGS:-} --out-dir results/agreement 2>&1 | tee results/agreement.log
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
fi

echo
cat results/gpu-check.md 2>/dev/null
echo "results in $HERE/results (exit $status)"
exit "$status"
