#!/usr/bin/env bash
# Sets up everything the tests need, idempotently: system packages (Chromium for the panel's
# e2e, Wine for the Win32 suite, mingw-w64 for a DLL Wine lacks), npm packages, and the Wine prefix
# with Windows node.exe + koffi, plus the real codex releases' runners (scripts/wine/setup.sh), and
# one codex release installed as `npm install -g` lays it out on Windows (scripts/wine/codex-install.sh).
# Needs root (or sudo) only when a system package is missing.
# On Windows (Git Bash) there is no apt and no Wine: the Win32 suite runs natively, so this only
# installs the npm packages, fetches the Electron binary the e2e and the packaging check run, and
# the real codex releases (scripts/wine/codex-releases.sh: the binaries are Windows ones either way)
# and one codex install as `npm install -g` lays it out (scripts/wine/codex-install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*) windows=1 ;;
  *) windows=0 ;;
esac

if [ "$windows" = 1 ]; then
  # The e2e's chromium-harness uses the system's Microsoft Edge: no browser download.
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  unset ELECTRON_SKIP_BINARY_DOWNLOAD
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
  # electron >= 42 has no install script: its binary is fetched on first use. Fetch it now (from
  # the download cache when it is there), so the tests find it and nothing downloads mid-test.
  node node_modules/electron/install.js
  echo "setup: Electron $(node node_modules/electron/cli.js --version)"
  bash scripts/wine/codex-releases.sh
  bash scripts/wine/codex-install.sh
  echo "setup: done"
  exit 0
fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v wine >/dev/null 2>&1 || missing+=(wine wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing+=(gcc-mingw-w64-x86-64-win32)
# node-pty (a dev dependency: the upstream suite and the bench compare against it) compiles with node-gyp.
for tool in g++ make python3; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} from Debian"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1
# node-gyp builds node-pty against the running node's own headers (Debian's and the official
# tarballs ship include/node), instead of downloading them from nodejs.org.
nodedir="$(node -p 'require("path").resolve(process.execPath, "..", "..")')"
[ -f "$nodedir/include/node/node_version.h" ] && export npm_config_nodedir="$nodedir"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi

bash scripts/wine/setup.sh
# One codex release installed as npm lays it out on Windows (codex.exe itself: the oracle's tests).
bash scripts/wine/codex-install.sh
echo "setup: done"
