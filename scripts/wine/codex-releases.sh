#!/usr/bin/env bash
# Fetches the Windows build of the codex releases listed in codex-releases.txt from the npm registry
# and keeps, per release, only codex's runner and its sandbox setup helper:
#   .cache/codex-releases/<release>/codex-command-runner.exe
#   .cache/codex-releases/<release>/codex-windows-sandbox-setup.exe
# Idempotent: a release whose folder exists is complete (it is only ever made by one rename), so it is
# not fetched again; a partial download (a leftover .partial-* folder) is thrown away and redone. Each
# runner is checked to speak the version and shape the list says. Any failure exits non-zero: a
# missing binary is a failed set-up, not a skipped test. Runs on Linux and in Git Bash on Windows.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
dest="$PWD/.cache/codex-releases"
mkdir -p "$dest"
rm -rf "$dest"/.partial-*

while read -r release version shape _; do
  case "$release" in '' | '#'*) continue ;; esac
  [ -d "$dest/$release" ] && continue
  echo "codex releases: fetching @openai/codex@$release-win32-x64 (protocol $shape)"
  work="$dest/.partial-$release"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/npm-cache"
  # A private npm cache: the 90-190 MB tarball must not stay in the user's cache either.
  (cd "$work" && npm pack --silent --cache "$work/npm-cache" "@openai/codex@$release-win32-x64" >/dev/null)
  (cd "$work" && tar -xzf openai-codex-*.tgz --wildcards '*/codex-command-runner.exe' '*/codex-windows-sandbox-setup.exe')
  mkdir -p "$work/out"
  for exe in codex-command-runner.exe codex-windows-sandbox-setup.exe; do
    found="$(find "$work/package" -name "$exe" -type f | head -n 1)"
    [ -n "$found" ] || { echo "codex releases: $release has no $exe" >&2; exit 1; }
    mv "$found" "$work/out/$exe"
  done
  measured="$(node "$here/codex-release-shape.mjs" "$work/out/codex-command-runner.exe")"
  if [ "$measured" != "$version $shape" ]; then
    echo "codex releases: $release's runner speaks '$measured', the list says '$version $shape'" >&2
    exit 1
  fi
  mv "$work/out" "$dest/$release"
  rm -rf "$work"
  trap - EXIT
done <"$here/codex-releases.txt"
echo "codex releases: $(ls "$dest" | tr '\n' ' ')in $dest"
