#!/usr/bin/env bash
# Installs what Paradux's demo and tests need on a fresh Debian machine with Node.js:
# Deno (pinned, from the npm registry) and the Debian packages of the external tools.
# Idempotent: installs only what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail

DENO_VERSION=2.9.6
# Tools the demo needs, then the ones only the tests and protocols need.
DEMO_PACKAGES=(cryptsetup-bin rsync tar poppler-utils)
TEST_PACKAGES=(openssh-server openssh-client restic rclone age qrencode python3 python3-pycryptodome
  python3-pyftpdlib vsftpd systemd openssl ca-certificates time libarchive-tools chromium
  firefox-esr)

want="${1:-test}" # demo | test
packages=("${DEMO_PACKAGES[@]}")
[ "$want" = "test" ] && packages+=("${TEST_PACKAGES[@]}")

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)

if ! command -v deno >/dev/null 2>&1 || ! deno --version 2>/dev/null | grep -q "^deno ${DENO_VERSION} "; then
  echo "install-deps: installing deno ${DENO_VERSION} from the npm registry" >&2
  "${sudo_cmd[@]}" npm install -g --no-fund --no-audit "deno@${DENO_VERSION}" >&2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >&2
fi
# Cache the npm dependencies named in deno.lock so tests do not race to download them.
deno install --frozen >/dev/null 2>&1 || deno install >&2
