#!/usr/bin/env bash
# Installs the system packages Shotline needs that this Debian machine lacks, and nothing
# else. Runs as root (containers) or through sudo for a user; does nothing when
# everything is already there.
#   scripts/system-deps.sh --run   what rendering needs: fontconfig and fonts for the
#                                  animatic cards (CJK, Arabic, Hebrew, Indic, Thai and
#                                  emoji draw as text, not boxes). No FFmpeg: npm brings
#                                  FFmpeg 8.1 with node-av, except on a platform it has
#                                  no build for (then the system's FFmpeg is installed).
#   scripts/system-deps.sh         all of that, plus what the test suite needs: the FFmpeg
#                                  CLI (the media tests run on both FFmpeg backends), a
#                                  Secret Service with D-Bus for the keychain tests,
#                                  Chromium for the shot board's end-to-end tests, and
#                                  Mesa's software Vulkan for the GPU scaling tests.
set -euo pipefail

mode=${1:-all}
case "$mode" in --run) mode=run ;; all) ;; *) echo "usage: $0 [--run]" >&2; exit 2 ;; esac

# node-av ships prebuilt FFmpeg for glibc >= 2.28 on x86-64 and arm64 Linux.
bundled_ffmpeg_runs() {
  case "$(uname -m)" in x86_64 | aarch64) ;; *) return 1 ;; esac
  local glibc
  glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}') || return 1
  [ -n "$glibc" ] && [ "$(printf '%s\n2.28\n' "$glibc" | sort -V | head -1)" = "2.28" ]
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

fonts=/usr/share/fonts
missing=()
if [ "$mode" = all ] || ! bundled_ffmpeg_runs; then
  command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
fi
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
[ -f $fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# Noto Sans for Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari, Thai, ...
[ -f $fonts/truetype/noto/NotoSans-Regular.ttf ] || missing+=(fonts-noto-core)
[ -f $fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
# drawtext cannot size a colour bitmap font, so the cards draw emoji with Symbola
# (outlines); Noto Color Emoji is for the studio's own windows.
[ -f $fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || missing+=(fonts-symbola)
[ -f $fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
if [ "$mode" = all ]; then
  command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
  command -v dbus-run-session >/dev/null 2>&1 && command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus dbus-x11)
  # playwright-core drives Debian's Chromium: its own browser download is not available offline.
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # Mesa's software Vulkan device (lavapipe): the GPU scaling tests run libplacebo on it.
  compgen -G '/usr/share/vulkan/icd.d/lvp_icd.*.json' >/dev/null || missing+=(mesa-vulkan-drivers)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
