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

# The Vulkan loader and libstdc++ (dawn.node needs GLIBCXX_3.4.30, GCC 12): the machine's, or the bundled
# Debian ones unpacked into libs/ (glibc itself must be >= 2.34: it cannot be bundled).
lib() { ldconfig -p 2>/dev/null | grep -m1 "$1 " | sed 's/.*=> //'; }
{
  echo "node: $(node --version) ($(command -v node)); $(ldd --version 2>&1 | head -1)"
  if [ -n "$(lib libvulkan.so.1)" ]; then
    echo "vulkan loader: the machine's ($(lib libvulkan.so.1))"
  else
    mkdir -p libs && dpkg-deb -x debs/libvulkan1_*.deb libs && echo "vulkan loader: bundled ($(ls libs/usr/lib/x86_64-linux-gnu/libvulkan.so.1))"
  fi
  if grep -qa GLIBCXX_3.4.30 "$(lib libstdc++.so.6)" 2>/dev/null; then
    echo "libstdc++: the machine's ($(lib libstdc++.so.6))"
  else
    mkdir -p libs && dpkg-deb -x debs/libstdc++6_*.deb libs && echo "libstdc++: bundled (the machine's $(lib libstdc++.so.6) lacks GLIBCXX_3.4.30)"
  fi
  # The NVIDIA Vulkan driver lives in libGLX_nvidia.so.0; containers started with compute-only driver
  # capabilities often have the library but not the ICD manifest that tells the loader about it.
  icds=$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json 2>/dev/null)
  echo "vulkan ICD manifests: ${icds:-none}"
  if [ "$EMPATHY_WEBGPU_BACKEND" = vulkan ] && ! grep -qs nvidia $icds /dev/null; then
    glx=$(ldconfig -p 2>/dev/null | grep -m1 'libGLX_nvidia.so.0 ' | sed 's/.*=> //')
    if [ -n "$glx" ]; then
      mkdir -p libs/icd.d
      printf '{ "file_format_version": "1.0.0", "ICD": { "library_path": "%s", "api_version": "1.3.0" } }\n' "$glx" > libs/icd.d/nvidia_icd.json
      export VK_ICD_FILENAMES="$HERE/libs/icd.d/nvidia_icd.json" VK_DRIVER_FILES="$HERE/libs/icd.d/nvidia_icd.json"
      echo "vulkan ICD: wrote libs/icd.d/nvidia_icd.json for $glx"
    else
      echo "vulkan ICD: no NVIDIA manifest and no libGLX_nvidia.so.0 (the container may lack the 'graphics' driver capability): webgpu will find no GPU adapter"
    fi
  fi
  if command -v nvidia-smi >/dev/null; then nvidia-smi -L 2>&1; else echo "no nvidia-smi"; fi
} 2>&1 | tee results/environment.txt
# The block above runs in a subshell (for tee) and cannot export: repeat what it decided.
[ -d libs/usr/lib/x86_64-linux-gnu ] && export LD_LIBRARY_PATH="$HERE/libs/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
[ -f libs/icd.d/nvidia_icd.json ] && export VK_ICD_FILENAMES="$HERE/libs/icd.d/nvidia_icd.json" VK_DRIVER_FILES="$HERE/libs/icd.d/nvidia_icd.json"

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
