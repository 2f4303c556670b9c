#!/usr/bin/env bash
# Packs polytask, installs the tarball into an empty folder and checks that `polytask --version`
# runs on the WebAssembly kernels (the tarball ships build/kernels.wasm and dist/; nothing is
# built at install). Used by .ci/run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && npm pack --silent --pack-destination "$tmp" >/dev/null)
mkdir "$tmp/app"
cd "$tmp/app"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "$tmp"/polytask-*.tgz >/dev/null 2>"$tmp/install.log" || { cat "$tmp/install.log" >&2; exit 1; }
version="$(npx --no-install polytask --version 2>"$tmp/stderr.log")"
echo "check-pack: $version"
case "$version" in
  *"backend: wasm"*|*"backend: native"*) ;;
  *) echo "check-pack: the installed package does not run on a compiled backend" >&2; cat "$tmp/stderr.log" >&2; exit 1 ;;
esac
