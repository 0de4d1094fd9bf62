#!/usr/bin/env bash
# Remake the docs' screenshots (docs/screenshots/*.png): the real app on the Atlas meetings of the shared
# evaluation data, on a private Xvfb display with trayer as its tray host. The tests never write there.
set -euo pipefail
cd "$(dirname "$0")/.."

number=90
while [ -e "/tmp/.X11-unix/X$number" ]; do number=$((number + 1)); done
Xvfb ":$number" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
tray=""
trap 'kill $tray $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$number" ] && break; sleep 0.1; done
DISPLAY=":$number" trayer --edge top --align right --widthtype request --height 28 --SetDockType true \
  --tint 0x303030 --transparent true --alpha 0 >/dev/null 2>&1 &
tray=$!
DISPLAY=":$number" QT_QPA_PLATFORM=xcb .venv/bin/python tests/ui/take_screenshots.py --output docs/screenshots
