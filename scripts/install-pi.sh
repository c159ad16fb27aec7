#!/usr/bin/env bash
# Installs namstomp as a headless appliance on 64-bit Raspberry Pi OS (bookworm or later) on a
# Raspberry Pi 4 or 5, from this checkout:
#   Debian packages (PortAudio, ALSA, gpiod, build tools) · Node.js >= 20 check · system user
#   "namstomp" in the audio and gpio groups · /var/lib/namstomp · /etc/default/namstomp (kept
#   once written) · the app in /opt/namstomp · namstomp.service enabled and (re)started · CPU
#   governor "performance" at every boot · no USB autosuspend for audio interfaces.
# Idempotent: run it again after `git pull` to update; files already right are left alone.
# Optional steps (an isolated audio core, a Wi-Fi access point fallback): scripts/README-install.md.
#
# Usage: sudo scripts/install-pi.sh [--root DIR] [--dry-run] [--no-start] [--skip-build] [--node PATH]
#   --root DIR    write every file under DIR (a fake root, for tests); commands that would change
#                 the machine (apt-get, useradd, npm, systemctl, udevadm, ...) are only printed
#   --dry-run     print what would be written and run; change nothing
#   --no-start    enable the service but do not (re)start it
#   --skip-build  deploy the checkout's existing dist/ (no npm ci / npm run build in the checkout)
#   --node PATH   the Node.js binary the service runs (default: `command -v node`)
set -euo pipefail

readonly APP_DIR=/opt/namstomp
readonly DATA_DIR=/var/lib/namstomp
readonly SERVICE_USER=namstomp
readonly SERVICE_GROUPS=(audio gpio)
readonly UNIT_DIR=/etc/systemd/system
readonly MIN_NODE_MAJOR=20
readonly DEFAULT_NODE=/usr/bin/node
# portaudio19-dev + libasound2-dev + pkg-config + build tools: naudiodon and unix-dgram build
# from source at `npm ci`; gpiod: the gpiod footswitch backend runs gpiomon/gpioset.
readonly APT_PACKAGES=(build-essential python3 pkg-config portaudio19-dev libasound2-dev alsa-utils gpiod rsync)

SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly SOURCE_DIR

ROOT=""
DRY_RUN=0
NO_START=0
SKIP_BUILD=0
NODE_BIN=""

usage() {
  sed -n '/^# Usage:/,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

die() {
  echo "install-pi: $*" >&2
  exit 1
}

warn() {
  echo "install-pi: warning: $*" >&2
}

step() {
  echo "==> $*"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --root)
      [ $# -ge 2 ] || die "--root needs a directory"
      ROOT="$(cd "$2" && pwd)" || die "--root $2: no such directory"
      [ "$ROOT" != "/" ] || ROOT=""
      shift 2
      ;;
    --dry-run) DRY_RUN=1; shift ;;
    --no-start) NO_START=1; shift ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --node)
      [ $# -ge 2 ] || die "--node needs a path"
      NODE_BIN="$2"
      shift 2
      ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

# Commands that change the machine only run for real on the real root.
simulating() {
  [ -n "$ROOT" ] || [ "$DRY_RUN" -eq 1 ]
}

# Runs a command, or prints it ("+ cmd args") when simulating.
run() {
  if simulating; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

# Writes stdin to ROOT/PATH with MODE when the content or mode differs. Never follows a symlink
# out of the root: the file is replaced, not written through.
write_file() {
  local path="$1" mode="$2" target="$ROOT$1" content
  content="$(cat)"$'\n'
  if [ -f "$target" ] && [ ! -L "$target" ] && [ "$(cat "$target")"$'\n' = "$content" ] \
    && [ "$(stat -c %a "$target")" = "${mode#0}" ]; then
    echo "    unchanged $path"
    return
  fi
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "    would write $path (mode $mode)"
    return
  fi
  mkdir -p "$(dirname "$target")"
  local temporary
  temporary="$(mktemp "$(dirname "$target")/.install-pi.XXXXXX")"
  printf '%s' "$content" >"$temporary"
  chmod "$mode" "$temporary"
  mv -f "$temporary" "$target"
  echo "    wrote $path"
}

# Like write_file, but never replaces a file that exists (settings a person may have edited).
write_file_once() {
  if [ -e "$ROOT$1" ]; then
    cat >/dev/null
    echo "    kept $1 (exists)"
    return
  fi
  write_file "$@"
}

remove_file() {
  [ -e "$ROOT$1" ] || [ -L "$ROOT$1" ] || return 0
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "    would remove $1"
  else
    rm -f "$ROOT$1"
    echo "    removed $1"
  fi
}

ensure_dir() {
  local path="$1" mode="$2"
  if [ "$DRY_RUN" -eq 1 ]; then
    [ -d "$ROOT$path" ] || echo "    would create $path (mode $mode)"
  else
    mkdir -p "$ROOT$path"
    chmod "$mode" "$ROOT$path"
  fi
}

# Users and groups of the target: getent on the real system, the fake root's files otherwise.
account_exists() {
  local database="$1" name="$2"
  if [ -n "$ROOT" ]; then
    grep -q "^${name}:" "$ROOT/etc/$database" 2>/dev/null
  else
    getent "$database" "$name" >/dev/null
  fi
}

# ── checks ────────────────────────────────────────────────────────────────────────────────────

check_privileges() {
  if ! simulating && [ "$(id -u)" -ne 0 ]; then
    die "run as root (sudo $0), or try --dry-run"
  fi
}

check_board() {
  local model=""
  if [ -r "$ROOT/proc/device-tree/model" ]; then
    model="$(tr -d '\0' <"$ROOT/proc/device-tree/model")"
  fi
  case "$model" in
    # "Raspberry Pi 4" also matches the Pi 400, "Raspberry Pi 5" the Pi 500.
    "Raspberry Pi "[45]* | "Raspberry Pi Compute Module "[45]*)
      echo "    board: $model"
      ;;
    "") warn "no device-tree model: not a Raspberry Pi; installing anyway (mock footswitches)" ;;
    *) warn "board \"$model\" is not a Raspberry Pi 4 or 5; installing anyway" ;;
  esac
  if [ -r "$ROOT/etc/os-release" ]; then
    local id codename
    # shellcheck source=/dev/null
    id="$(. "$ROOT/etc/os-release" && echo "${ID:-}")"
    # shellcheck source=/dev/null
    codename="$(. "$ROOT/etc/os-release" && echo "${VERSION_CODENAME:-}")"
    case "$codename" in
      bookworm | trixie | forky) echo "    system: $id $codename" ;;
      *) warn "system \"$id ${codename:-unknown}\" is not Raspberry Pi OS / Debian bookworm or later" ;;
    esac
  fi
  if [ -z "$ROOT" ]; then
    local machine
    machine="$(uname -m)"
    [ "$machine" = aarch64 ] || warn "machine $machine: namstomp targets 64-bit Raspberry Pi OS (aarch64)"
  fi
}

check_node() {
  if [ -z "$NODE_BIN" ]; then
    NODE_BIN="$(command -v node || true)"
  fi
  if [ -z "$NODE_BIN" ] || [ ! -x "$NODE_BIN" ]; then
    die "Node.js $MIN_NODE_MAJOR or newer is needed: ${NODE_BIN:-no node on the PATH}${NODE_BIN:+ is not executable}.
Debian bookworm's own nodejs is 18: install Node.js $MIN_NODE_MAJOR+ from NodeSource's apt repository
(package nodejs) or the official linux-arm64 tarball, then run this again (or pass --node PATH)."
  fi
  local version
  version="$("$NODE_BIN" -p 'process.versions.node')" || die "$NODE_BIN does not run"
  [ "${version%%.*}" -ge "$MIN_NODE_MAJOR" ] || die "Node.js $version at $NODE_BIN: namstomp needs $MIN_NODE_MAJOR or newer"
  echo "    node: $NODE_BIN ($version)"
}

# ── steps ─────────────────────────────────────────────────────────────────────────────────────

install_packages() {
  step "Debian packages"
  run apt-get update
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}"
}

create_user() {
  step "system user $SERVICE_USER"
  if account_exists passwd "$SERVICE_USER"; then
    echo "    $SERVICE_USER exists"
  else
    run useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "namstomp pedal daemon" "$SERVICE_USER"
  fi
  local group
  for group in "${SERVICE_GROUPS[@]}"; do
    if account_exists group "$group"; then
      run usermod --append --groups "$group" "$SERVICE_USER"
    else
      warn "no group $group here (not Raspberry Pi OS?): $SERVICE_USER is not added to it"
    fi
  done
}

create_data_dir() {
  step "data directory $DATA_DIR"
  ensure_dir "$DATA_DIR" 0750
  run chown "$SERVICE_USER:$SERVICE_USER" "$DATA_DIR"
}

write_config() {
  step "settings /etc/default/namstomp"
  write_file_once /etc/default/namstomp 0644 <<EOF
# namstomp daemon environment, read by namstomp.service (EnvironmentFile=). Kept by re-installs.
# The settings themselves (audio device, period, footswitches, ...) are in $DATA_DIR/config.json.

# Models, IRs, presets and config.json.
NAMSTOMP_DATA_DIR=$DATA_DIR

# Extra Node.js flags, e.g. relaxed SIMD on Node 20 (faster A1 Standard models):
#NODE_OPTIONS=--experimental-wasm-relaxed-simd
EOF
}

deploy_app() {
  step "application $APP_DIR"
  if [ "$SKIP_BUILD" -eq 0 ]; then
    # Build as the person who cloned the checkout, so it stays theirs.
    local as_owner=()
    if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
      as_owner=(runuser -u "$SUDO_USER" --)
    fi
    run "${as_owner[@]}" npm --prefix "$SOURCE_DIR" ci
    run "${as_owner[@]}" npm --prefix "$SOURCE_DIR" run build
  elif [ ! -d "$SOURCE_DIR/dist/firmware" ]; then
    simulating || die "--skip-build: $SOURCE_DIR/dist is not built (npm ci && npm run build)"
  fi
  ensure_dir "$APP_DIR" 0755
  run rsync --archive --delete --chown=root:root --exclude=/dist/test/ \
    "$SOURCE_DIR/package.json" "$SOURCE_DIR/package-lock.json" "$SOURCE_DIR/dist" \
    "$SOURCE_DIR/patches" "$SOURCE_DIR/systemd" "$SOURCE_DIR/scripts" "$APP_DIR/"
  # Runtime dependencies only; builds naudiodon against the system PortAudio.
  run npm --prefix "$APP_DIR" ci --omit=dev
}

install_units() {
  step "systemd units"
  write_file "$UNIT_DIR/namstomp.service" 0644 <"$SOURCE_DIR/systemd/namstomp.service"
  write_file "$UNIT_DIR/namstomp-cpu-performance.service" 0644 <"$SOURCE_DIR/systemd/namstomp-cpu-performance.service"
  if [ "$NODE_BIN" != "$DEFAULT_NODE" ]; then
    write_file "$UNIT_DIR/namstomp.service.d/10-node.conf" 0644 <<EOF
# Written by install-pi.sh: Node.js is not at $DEFAULT_NODE on this system.
[Service]
ExecStart=
ExecStart=$NODE_BIN $APP_DIR/dist/firmware/cli/main.js start
EOF
  else
    remove_file "$UNIT_DIR/namstomp.service.d/10-node.conf"
  fi
}

install_usb_rule() {
  step "USB audio: no autosuspend"
  # ID_USB_INTERFACES (":ccsspp:" per interface, from 50-udev-default.rules) lists class 01 for
  # any audio interface; power/control "on" keeps the device out of runtime suspend.
  write_file /etc/udev/rules.d/90-namstomp-usb-audio.rules 0644 <<'EOF'
# namstomp (install-pi.sh): never autosuspend a USB device with an audio interface (class 01);
# a suspended interface wakes with a click and an xrun, or not at all.
ACTION!="remove", SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ENV{ID_USB_INTERFACES}=="*:01????:*", ATTR{power/control}="on"
EOF
  run udevadm control --reload-rules
  run udevadm trigger --action=change --subsystem-match=usb --property-match=DEVTYPE=usb_device
}

enable_service() {
  step "enable the service"
  run systemctl daemon-reload
  run systemctl enable namstomp-cpu-performance.service namstomp.service
  if [ "$NO_START" -eq 1 ]; then
    echo "    not started (--no-start): systemctl start namstomp"
    return
  fi
  run systemctl restart namstomp-cpu-performance.service
  run systemctl restart namstomp.service
}

main() {
  if [ "$DRY_RUN" -eq 1 ]; then
    step "dry run: nothing is written or run${ROOT:+ (root $ROOT)}"
  elif [ -n "$ROOT" ]; then
    step "fake root $ROOT: files are written there, commands only printed"
  fi
  check_privileges
  step "checks"
  check_board
  check_node
  install_packages
  create_user
  create_data_dir
  write_config
  deploy_app
  install_units
  install_usb_rule
  enable_service
  step "done"
  echo "    status: systemctl status namstomp · log: journalctl -u namstomp -f"
  echo "    optional (isolated audio core, Wi-Fi access point): $APP_DIR/scripts/README-install.md"
}

main
