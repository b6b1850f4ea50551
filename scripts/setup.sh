#!/usr/bin/env bash
# Installs what the tests and `npm start` need beyond npm packages: Debian packages (when they are
# missing) and code-server in .cache/. `npm test` and `npm start` call it, so that on a fresh
# machine `npm ci && npm test` does all the set-up. Does nothing when everything is present.
#
# Usage: scripts/setup.sh [--no-code-server]
# Installing Debian packages needs root; as another user it prints the apt-get command and fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
with_code_server=1
[[ "${1:-}" == "--no-code-server" ]] && with_code_server=0

# git and openssl: tests of the git warning and of TLS failures; chromium: the browser of the
# end-to-end tests; libkrb5-dev, ripgrep, build-essential, python3: code-server's install.
packages=(git openssl ca-certificates)
if ((with_code_server)); then
  packages+=(chromium libkrb5-dev ripgrep build-essential python3)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  if [[ "$(id -u)" != 0 ]]; then
    echo "error: missing Debian packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ((with_code_server)); then
  bash "$root/scripts/install-code-server.sh"
fi
