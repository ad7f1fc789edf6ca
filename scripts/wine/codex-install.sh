#!/usr/bin/env bash
# Lays out ONE real codex release as `npm install -g @openai/codex@<release>` does on Windows, from the
# npm registry's own packages, under .cache/codex-install/ (git-ignored):
#   prefix/                      the npm global prefix (%APPDATA%\npm on Windows)
#     codex  codex.cmd  codex.ps1                           npm's shims, written by npm's own cmd-shim
#     node_modules/@openai/codex/{package.json,README.md,bin/codex.js}          the main package
#     node_modules/@openai/codex/node_modules/@openai/codex-win32-x64/          its optional dependency:
#       the alias of @openai/codex@<release>-win32-x64, nested as global installs nest dependencies;
#       bin/codex.js finds it with require.resolve('@openai/codex-win32-x64/package.json')
#       vendor/x86_64-pc-windows-msvc/bin/codex.exe
#       vendor/x86_64-pc-windows-msvc/codex-resources/{codex-command-runner,codex-windows-sandbox-setup}.exe
#   release                      the release laid out (read by test/helpers/codex-install.ts)
# Idempotent: the folder is only ever made by one rename, and every file the tests use is checked on each
# run (an incomplete one is thrown away and redone). Any missing file fails the set-up: it is not a
# skipped test. Then `codex.exe --version` must print `codex-cli <release>` (under the project's Wine on
# Linux, natively on Windows). Runs on Linux (after scripts/wine/setup.sh) and in Git Bash on Windows.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
release=0.171.0
triple=x86_64-pc-windows-msvc
alias_name=codex-win32-x64
dest="$PWD/.cache/codex-install"
prefix="$dest/prefix"
main_pkg="$prefix/node_modules/@openai/codex"
platform_pkg="$main_pkg/node_modules/@openai/$alias_name"
vendor="$platform_pkg/vendor/$triple"
required=(
  "$prefix/codex" "$prefix/codex.cmd" "$prefix/codex.ps1"
  "$main_pkg/package.json" "$main_pkg/bin/codex.js"
  "$platform_pkg/package.json"
  "$vendor/bin/codex.exe"
  "$vendor/codex-resources/codex-command-runner.exe"
  "$vendor/codex-resources/codex-windows-sandbox-setup.exe"
)

case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*) windows=1 ;;
  *) windows=0 ;;
esac

complete() {
  [ "$(cat "$1/release" 2>/dev/null)" = "$release" ] || return 1
  local f
  for f in "${required[@]}"; do [ -f "$1${f#"$dest"}" ] || return 1; done
}

check_version() {
  local exe="$1" out
  if [ "$windows" = 1 ]; then
    out="$("$exe" --version 2>&1 || true)"
  else
    command -v wine >/dev/null 2>&1 || { echo "codex install: Wine is missing; run bash scripts/wine/setup.sh first" >&2; exit 1; }
    [ -d "$PWD/.cache/wine/prefix" ] || { echo "codex install: no Wine prefix; run bash scripts/wine/setup.sh first" >&2; exit 1; }
    # Wine's stdout to a file, as run-suite.mjs does (a Windows program's stdout on a Unix pipe is unreliable).
    local log
    log="$(mktemp)"
    WINEPREFIX="$PWD/.cache/wine/prefix" WINEDEBUG=-all DISPLAY= wine "$exe" --version >"$log" 2>&1 || true
    out="$(tr -d '\r' <"$log")"
    rm -f "$log"
  fi
  if ! grep -qx "codex-cli $release" <<<"$out"; then
    echo "codex install: $exe --version printed '$out', expected 'codex-cli $release'" >&2
    exit 1
  fi
}

if complete "$dest"; then
  check_version "$vendor/bin/codex.exe"
  echo "codex install: $release in $dest (already there)"
  exit 0
fi
if [ -e "$dest" ]; then
  echo "codex install: $dest is incomplete or another release; laying it out again"
  rm -rf "$dest"
fi

started=$SECONDS
work="$PWD/.cache/.codex-install-partial"
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/npm-cache" "$work/tgz"
w_prefix="$work/out/prefix"
w_main="${main_pkg/#"$prefix"/"$w_prefix"}"
w_platform="${platform_pkg/#"$prefix"/"$w_prefix"}"

# A private npm cache: the platform tarball (~150 MB) must not stay in the user's cache.
echo "codex install: fetching @openai/codex@$release and @openai/codex@$release-win32-x64 (one release, ~150 MB)"
(cd "$work/tgz" && npm pack --silent --cache "$work/npm-cache" "@openai/codex@$release" "@openai/codex@$release-win32-x64" >/dev/null)
main_tgz="$work/tgz/openai-codex-$release.tgz"
platform_tgz="$work/tgz/openai-codex-$release-win32-x64.tgz"
for f in "$main_tgz" "$platform_tgz"; do
  [ -f "$f" ] || { echo "codex install: npm pack did not produce $f" >&2; exit 1; }
done
downloaded="$(du -ch "$main_tgz" "$platform_tgz" | tail -n 1 | cut -f1)"

# npm unpacks a tarball's package/ folder as the package's folder.
mkdir -p "$w_main" "$w_platform"
tar -xzf "$main_tgz" -C "$w_main" --strip-components=1
tar -xzf "$platform_tgz" -C "$w_platform" --strip-components=1

# The main package must name the platform package by the alias this layout uses, for this release.
node -e '
  const [pkgFile, alias, want] = process.argv.slice(1);
  const pkg = require(pkgFile);
  const got = (pkg.optionalDependencies || {})["@openai/" + alias];
  if (got !== want) { console.error(`codex install: ${pkgFile} maps @openai/${alias} to ${got}, expected ${want}`); process.exit(1); }
  if (!pkg.bin || pkg.bin.codex !== "bin/codex.js") { console.error(`codex install: ${pkgFile} has no bin codex -> bin/codex.js`); process.exit(1); }
' "$w_main/package.json" "$alias_name" "npm:@openai/codex@$release-win32-x64"

# npm's shims for the bin, written by the cmd-shim that npm itself bundles (what bin-links calls on Windows).
npm_root="$(npm root -g)"
cmd_shim="$npm_root/npm/node_modules/cmd-shim"
[ -d "$cmd_shim" ] || { echo "codex install: npm's cmd-shim not found at $cmd_shim" >&2; exit 1; }
node -e '
  const [shim, from, to] = process.argv.slice(1);
  require(shim)(from, to).catch((e) => { console.error(`codex install: cmd-shim failed: ${e.message}`); process.exit(1); });
' "$cmd_shim" "$w_main/bin/codex.js" "$w_prefix/codex"

echo "$release" >"$work/out/release"
complete "$work/out" || {
  for f in "${required[@]}"; do [ -f "$work/out${f#"$dest"}" ] || echo "codex install: missing ${f#"$dest/"}" >&2; done
  exit 1
}
mv "$work/out" "$dest"
rm -rf "$work"
trap - EXIT

check_version "$vendor/bin/codex.exe"
echo "codex install: $release in $dest ($downloaded downloaded, $(du -sh "$dest" | cut -f1) on disk, $((SECONDS - started)) s)"
