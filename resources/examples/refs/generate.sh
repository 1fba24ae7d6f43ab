#!/bin/sh
# Regenerates the example reference images: small labelled stills (320x180) that stand in
# for a filmmaker's own character sheets and location frames. Needs ffmpeg with drawtext.
set -eu
cd "$(dirname "$0")"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
still() { # file colour label
  ffmpeg -v error -y -f lavfi -i "color=c=$2:s=320x180:d=1" \
    -vf "drawtext=fontfile=$font:text='$3':fontcolor=white:fontsize=22:x=(w-tw)/2:y=(h-th)/2" \
    -frames:v 1 -pix_fmt rgb24 "$1"
}
still mara.png 0x7a3b52 'MARA - the pilot'
still ilo.png 0x2f5d7c 'ILO - the mechanic'
still harbour.png 0x35524a 'Flooded harbour, dawn'
still hangar.png 0x5a4a2e 'Seaplane hangar, night'
