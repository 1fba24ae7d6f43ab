#!/usr/bin/env bash
# Installs the system packages Shotline needs that this Debian machine lacks (FFmpeg, a
# font for the animatic cards, and a Secret Service with D-Bus so the keychain works on a
# headless box and its tests run against a real one), and nothing else. Runs as root (containers) or through
# sudo for a user; does nothing when everything is already there.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v dbus-run-session >/dev/null 2>&1 && command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus dbus-x11)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
