#!/usr/bin/env bash
# Builds the native search's wheels for Linux (manylinux2014, abi3: one wheel per machine for
# every CPython >= 3.11) into OUT_DIR, for each target named (default: x86-64 and aarch64).
# Cross-linking uses zig (the ziglang package from PyPI), so no cross toolchain is needed; rustup
# adds a target's standard library the first time. Cargo's build directory is shared with
# `make setup` (CARGO_TARGET_DIR), so a second build only relinks.
#
#   native/build-wheels.sh OUT_DIR [x86_64|aarch64 ...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: native/build-wheels.sh OUT_DIR [x86_64|aarch64 ...]}"
shift
if [ $# -eq 0 ]; then set -- x86_64 aarch64; fi
venv="${VENV:-$here/../.venv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/smesearch/cargo-target}"
export PATH="$venv/bin:$PATH"  # maturin finds zig through the ziglang package in the venv
for arch in "$@"; do
  triple="$arch-unknown-linux-gnu"
  if ! rustup target list --installed | grep -qx "$triple"; then
    rustup target add "$triple"
  fi
  (cd "$here" && maturin build --release --target "$triple" --zig --compatibility manylinux2014 --out "$out")
done
