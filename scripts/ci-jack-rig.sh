#!/usr/bin/env bash
# A real-time-clocked virtual ALSA device for tests on machines without a sound card (CI), with
# no kernel modules: JACK's dummy driver keeps the clock, its loopback driver (-L 5) hands what
# is played on loopback:playback_N back on loopback:capture_N one JACK period later, and the ALSA
# "jack" PCM plugin (libasound2-plugins) makes those ALSA devices PortAudio lists (declared in
# /etc/alsa/conf.d/60-namstomp-jack.conf):
#
#   namstomp_jack    2 in / 2 out, each channel looped back to itself (ports 1, 2): a device
#                    that hears what it plays (naudiodon-backend.test.ts)
#   namstomp_pedal   1 in / 1 out: plays on port 3, hears port 4 — the pedal under test
#   namstomp_probe   2 in / 2 out: plays on ports 5 and 4 (the pedal's input), hears ports 5 and
#                    3 (the pedal's output) — a second process that feeds the pedal and records
#                    it, with a self loop on channel 0 that times its own round trip
#
# The pedal never hears itself, and the three devices share no port, so test files that use
# them may run at the same time.
#
#   scripts/ci-jack-rig.sh start    starts jackd (if not already running), waits until it is
#                                   ready, prints the ALSA device name on stdout
#   scripts/ci-jack-rig.sh stop     stops the jackd it started and removes the ALSA declaration
#   scripts/ci-jack-rig.sh status   exit 0 and print the device name if the rig is up
#
# Idempotent; installs nothing. Needs (Debian): jackd2 libasound2-plugins (and portaudio19-dev to
# build naudiodon). Writes /etc/alsa/conf.d, so run it as root (as CI does).
# Environment: NAMSTOMP_JACK_RATE (48000), NAMSTOMP_JACK_PERIOD (256), NAMSTOMP_JACK_RIG_DIR
# (/tmp/namstomp-jack-rig: jackd.pid, jackd.log).
#
# Why the period defaults to 256: PortAudio 19.6 (Debian 12) probes every ALSA device with an
# uninitialised `dir` argument to snd_pcm_hw_params_set_period_size_near (GropeDevice); the jack
# plugin only accepts periods that are multiples of the JACK period, so with a JACK period below
# 256 the probe fails and PortAudio silently leaves the device out of its list. Streams opened
# at 256 frames then match JACK's period exactly.
set -euo pipefail

device="namstomp_jack"
loopback_ports=5
rate="${NAMSTOMP_JACK_RATE:-48000}"
period="${NAMSTOMP_JACK_PERIOD:-256}"
rig_dir="${NAMSTOMP_JACK_RIG_DIR:-/tmp/namstomp-jack-rig}"
pid_file="$rig_dir/jackd.pid"
log_file="$rig_dir/jackd.log"
alsa_conf="/etc/alsa/conf.d/60-namstomp-jack.conf"

say() { echo "ci-jack-rig: $*" >&2; }
die() { say "$*"; exit 1; }

our_jackd_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "jackd" ] || return 1
  echo "$pid"
}

loopback_ready() {
  local ports
  ports="$(jack_lsp 2>/dev/null)" || return 1
  grep -qx "loopback:capture_$loopback_ports" <<<"$ports" && grep -qx "loopback:playback_$loopback_ports" <<<"$ports"
}

write_alsa_conf() {
  mkdir -p "$(dirname "$alsa_conf")"
  cat > "$alsa_conf.tmp" <<EOF
# Written by namstomp scripts/ci-jack-rig.sh; removed by "ci-jack-rig.sh stop".
pcm.$device {
	type jack
	playback_ports {
		0 loopback:playback_1
		1 loopback:playback_2
	}
	capture_ports {
		0 loopback:capture_1
		1 loopback:capture_2
	}
	hint {
		show on
		description "namstomp test rig: JACK dummy clock, loopback ports"
	}
}
pcm.namstomp_pedal {
	type jack
	playback_ports {
		0 loopback:playback_3
	}
	capture_ports {
		0 loopback:capture_4
	}
	hint {
		show on
		description "namstomp test rig: the pedal (plays port 3, hears port 4)"
	}
}
pcm.namstomp_probe {
	type jack
	playback_ports {
		0 loopback:playback_5
		1 loopback:playback_4
	}
	capture_ports {
		0 loopback:capture_5
		1 loopback:capture_3
	}
	hint {
		show on
		description "namstomp test rig: the probe (self loop on port 5; feeds port 4, hears port 3)"
	}
}
EOF
  mv "$alsa_conf.tmp" "$alsa_conf"
}

start() {
  command -v jackd >/dev/null || die "jackd not found (Debian: apt-get install jackd2)"
  command -v jack_lsp >/dev/null || die "jack_lsp not found (Debian: apt-get install jackd2)"
  compgen -G "/usr/lib/*/alsa-lib/libasound_module_pcm_jack.so" >/dev/null \
    || die "ALSA jack plugin not found (Debian: apt-get install libasound2-plugins)"
  mkdir -p "$rig_dir"

  if pid="$(our_jackd_pid)"; then
    if loopback_ready; then
      write_alsa_conf
      say "already running (jackd pid $pid)"
      echo "$device"
      return 0
    fi
    # Started by an older version of this script, with fewer loopback ports.
    say "jackd $pid lacks loopback port $loopback_ports; restarting it"
    stop
  fi
  if [ "$(jack_wait --check 2>/dev/null)" = "running" ]; then
    die "a JACK server that this script did not start is running; stop it first"
  fi

  # Real-time scheduling when this user may use it (root on CI may), else --no-realtime.
  local scheduling="--no-realtime"
  if chrt --fifo 1 true 2>/dev/null; then scheduling="--realtime"; fi
  say "starting jackd ($scheduling): dummy driver, ${rate} Hz, ${period}-frame period, $loopback_ports loopback ports; log $log_file"
  # "-L 5", not "--loopback 5": jackd 1.9.21 segfaults on the long form. "-t 2000": clients get
  # 2 s (not 500 ms) before jackd gives up on them, so a stalled client (or jackd itself, paused
  # by the stall test) is not turned into a zombie that wedges its process's libjack calls.
  JACK_NO_AUDIO_RESERVATION=1 setsid nohup \
    jackd "$scheduling" -t 2000 -L "$loopback_ports" -d dummy --rate "$rate" --period "$period" --capture 0 --playback 0 \
    > "$log_file" 2>&1 < /dev/null &
  echo $! > "$pid_file"

  local waited=0
  until loopback_ready; do
    if ! our_jackd_pid >/dev/null; then
      tail -n 20 "$log_file" >&2 || true
      rm -f "$pid_file"
      die "jackd exited during start-up (log above)"
    fi
    if [ "$waited" -ge 100 ]; then
      die "jackd not ready after 10 s (log: $log_file)"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  write_alsa_conf
  say "ready (jackd pid $(cat "$pid_file")); ALSA devices $device, namstomp_pedal, namstomp_probe"
  echo "$device"
}

stop() {
  if pid="$(our_jackd_pid)"; then
    kill -TERM "$pid"
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 50 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "jackd $pid did not stop on TERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped jackd $pid"
  fi
  rm -f "$pid_file" "$alsa_conf"
}

status() {
  if pid="$(our_jackd_pid)" && loopback_ready && [ -f "$alsa_conf" ]; then
    say "up (jackd pid $pid, log $log_file)"
    echo "$device"
  else
    say "down"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
