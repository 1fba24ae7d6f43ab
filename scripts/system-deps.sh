#!/usr/bin/env bash
# Installs the system packages Shotline needs that this Debian machine lacks (FFmpeg;
# fontconfig and fonts for the animatic cards, so that CJK, Arabic, Hebrew, Indic, Thai
# and emoji prompts draw as text, not boxes; and a Secret Service with D-Bus so the
# keychain works on a headless box and its tests run against a real one), and nothing
# else. Runs as root (containers) or through sudo for a user; does nothing when
# everything is already there.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

fonts=/usr/share/fonts
missing=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
[ -f $fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# Noto Sans for Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari, Thai, ...
[ -f $fonts/truetype/noto/NotoSans-Regular.ttf ] || missing+=(fonts-noto-core)
[ -f $fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
# drawtext cannot size a colour bitmap font, so the cards draw emoji with Symbola
# (outlines); Noto Color Emoji is for the studio's own windows.
[ -f $fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || missing+=(fonts-symbola)
[ -f $fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v dbus-run-session >/dev/null 2>&1 && command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus dbus-x11)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
