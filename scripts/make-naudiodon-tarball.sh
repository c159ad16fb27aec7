#!/usr/bin/env bash
# Rebuilds patches/naudiodon-2.3.6-namstomp.2.tgz, the naudiodon package.json installs (an
# optionalDependency "file:" tarball), from the registry's naudiodon 2.3.6 and
# patches/naudiodon-2.3.6-namstomp.patch:
#   1. `npm pack naudiodon@2.3.6` and check it against the registry's published integrity;
#   2. drop the bundled prebuilt PortAudio libraries (portaudio/) and scratch/, CRLF -> LF;
#   3. apply the patch (build against the system PortAudio via pkg-config, expose stream latency
#      and xrun counts);
#   4. `npm pack` the result.
# Deterministic: npm pack fixes file times and order, so the same inputs give the same bytes and
# the integrity in package-lock.json stays valid. Run it after editing the patch, then
# `npm install` to refresh package-lock.json.
# Usage: scripts/make-naudiodon-tarball.sh [--check]   (--check: fail if the committed tarball differs)
set -euo pipefail
cd "$(dirname "$0")/.."

upstream="naudiodon@2.3.6"
upstream_integrity="sha512-6NWMV4lAdBSoHIh3jcXG/tjCzBLCafh6uuhwUdtDbPbj8xVJ8FOgKi6lU0rkHrW22Up5AFIrWPSiAhGOxmhEQQ=="
patch_file="patches/naudiodon-2.3.6-namstomp.patch"
out="patches/naudiodon-2.3.6-namstomp.2.tgz"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

npm pack --silent --pack-destination "$work" "$upstream" >/dev/null
upstream_tgz="$work/naudiodon-2.3.6.tgz"
actual="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$upstream_tgz")"
if [ "$actual" != "$upstream_integrity" ]; then
  echo "make-naudiodon-tarball: $upstream integrity mismatch: got $actual" >&2
  exit 1
fi

mkdir "$work/src"
tar -xzf "$upstream_tgz" -C "$work/src"
pkg="$work/src/package"
rm -rf "$pkg/portaudio" "$pkg/scratch"
find "$pkg" -type f -exec sed -i 's/\r$//' {} +
patch --quiet --forward --no-backup-if-mismatch -p1 -d "$pkg" < "$patch_file"

mkdir "$work/out"
npm pack --silent --pack-destination "$work/out" "$pkg" >/dev/null
built="$work/out/naudiodon-2.3.6-namstomp.2.tgz"

if [ "${1:-}" = "--check" ]; then
  if cmp -s "$built" "$out"; then
    echo "make-naudiodon-tarball: $out is up to date"
  else
    echo "make-naudiodon-tarball: $out differs from upstream + $patch_file" >&2
    exit 1
  fi
else
  cp "$built" "$out"
  echo "make-naudiodon-tarball: wrote $out"
  # npm ci checks the tarball against package-lock.json: record the new integrity there (a
  # same-version package with new bytes is otherwise an EINTEGRITY failure).
  node - "$out" <<'JS'
const { createHash } = require("node:crypto");
const { readFileSync, writeFileSync, existsSync } = require("node:fs");
const tarball = process.argv[2];
const lockPath = "package-lock.json";
if (!existsSync(lockPath)) process.exit(0);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const entry = lock.packages && lock.packages["node_modules/naudiodon"];
if (!entry || entry.resolved !== `file:${tarball}`) process.exit(0);
const integrity = "sha512-" + createHash("sha512").update(readFileSync(tarball)).digest("base64");
if (entry.integrity !== integrity) {
  entry.integrity = integrity;
  writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
  console.log(`make-naudiodon-tarball: package-lock.json integrity updated to ${integrity}`);
}
JS
fi
