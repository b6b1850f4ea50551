#!/usr/bin/env bash
# Installs code-server (VS Code published on the npm registry) into .cache/code-server/, outside
# the project's node_modules, for `npm start` and the end-to-end tests. Needs only the npm
# registry: it never downloads from GitHub or Microsoft. Safe to run again: it does nothing when
# the expected version is already installed.
#
# Usage: scripts/install-code-server.sh
# Environment: CODE_SERVER_VERSION (default 4.100.3), IBKR_CACHE_DIR (default <repo>/.cache).
# Prerequisites (Debian): apt-get install -y libkrb5-dev ripgrep
set -euo pipefail

# 4.100.3 is VS Code 1.100.3, the version engines.vscode targets; later releases need Node 22+.
version="${CODE_SERVER_VERSION:-4.100.3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${IBKR_CACHE_DIR:-$root/.cache}"
prefix="$cache/code-server"
bin="$prefix/node_modules/.bin/code-server"

# Prints `code-server --version`. Even that creates a config file with a password and a log
# folder under the XDG folders, so they point into a temporary folder that is removed after.
installed_version() {
  local scratch status=0
  scratch="$(mktemp -d)"
  HOME="$scratch" XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" "$bin" --version 2>/dev/null || status=$?
  rm -rf "$scratch"
  return "$status"
}

if [[ -x "$bin" ]] && installed_version | grep -q "^$version "; then
  echo "code-server $version is already installed in $prefix"
  exit 0
fi

missing=()
# A native module of VS Code (kerberos) compiles against gssapi.h.
if [[ ! -e /usr/include/gssapi/gssapi.h && ! -e /usr/include/gssapi.h ]]; then missing+=(libkrb5-dev); fi
if ! command -v rg >/dev/null; then missing+=(ripgrep); fi
if ! command -v make >/dev/null || ! command -v g++ >/dev/null; then missing+=(build-essential); fi
if ! command -v python3 >/dev/null; then missing+=(python3); fi
if ((${#missing[@]} > 0)); then
  echo "error: code-server needs these Debian packages to install: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

# @vscode/ripgrep 1.15.11 (a dependency of VS Code 1.100) downloads rg from GitHub in its
# postinstall (lib/postinstall.js) unless this archive is already in its cache folder under $TMPDIR. A gzipped tar
# holding the single file `rg` is all it reads, so Debian's rg serves.
case "$(uname -m)" in
  x86_64) target=x86_64-unknown-linux-musl ;;
  aarch64) target=aarch64-unknown-linux-musl ;;
  *) echo "error: no ripgrep archive name known for machine $(uname -m)" >&2; exit 1 ;;
esac
ripgrep_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
ripgrep_archive="$ripgrep_cache/ripgrep-v13.0.0-10-$target.tar.gz"
if [[ ! -s "$ripgrep_archive" ]]; then
  mkdir -p "$ripgrep_cache"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$ripgrep_archive" -C "$staging" rg
  rm -rf "$staging"
fi

mkdir -p "$prefix"
if [[ ! -f "$prefix/package.json" ]]; then
  printf '{ "name": "ibkr-code-server-cache", "private": true }\n' >"$prefix/package.json"
fi

echo "Installing code-server $version into $prefix (about a minute or two)..."
start=$SECONDS
# code-server's postinstall refuses to run as root without unsafe-perm, and a native module
# runs `npx node-gyp`, which would otherwise wait for a yes at a prompt.
npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --prefix "$prefix" --no-audit --no-fund "code-server@$version"

if ! installed_version | grep -q "^$version "; then
  echo "error: $bin --version does not report $version after the install" >&2
  exit 1
fi
echo "code-server $version installed in $prefix in $((SECONDS - start)) s"
