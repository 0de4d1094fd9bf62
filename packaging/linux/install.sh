#!/usr/bin/env sh
# Install Meeting Companion for this user, from the unpacked download (no root needed):
#   ~/.local/opt/meeting-companion/                  the app folder
#   ~/.local/bin/companion, ~/.local/bin/meeting-companion      links to its two programs
#   ~/.local/share/applications/meeting-companion.desktop      the menu entry
#   ~/.local/share/icons/hicolor/256x256/apps/meeting-companion.png
# `install.sh --uninstall` removes all of these; meetings and settings stay where they are.
# Needs from the system: libportaudio2 (recording), libespeak-ng1 (read-aloud), the xcb libraries Qt needs.
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
opt="$HOME/.local/opt/meeting-companion"
bin="$HOME/.local/bin"
applications="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"

uninstall() {
  rm -f "$bin/companion" "$bin/meeting-companion" "$applications/meeting-companion.desktop" \
    "$icons/meeting-companion.png"
  rm -rf "$opt"
}

case "${1:-}" in
  --uninstall)
    uninstall
    echo "Meeting Companion is uninstalled (your meetings and settings are kept)."
    exit 0 ;;
  "") ;;
  *)
    echo "usage: install.sh [--uninstall]" >&2
    exit 2 ;;
esac

[ -x "$here/meeting-companion/companion" ] || { echo "install.sh: run it from the unpacked download" >&2; exit 1; }
uninstall  # a previous version's files go first: none of them may linger in the new folder
mkdir -p "$(dirname "$opt")" "$bin" "$applications" "$icons"
cp -a "$here/meeting-companion" "$opt"
ln -s "$opt/companion" "$bin/companion"
ln -s "$opt/meeting-companion" "$bin/meeting-companion"
sed "s|^Exec=meeting-companion|Exec=$opt/meeting-companion|" "$here/meeting-companion.desktop" \
  >"$applications/meeting-companion.desktop"
cp "$here/meeting-companion.png" "$icons/meeting-companion.png"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$applications" || true
echo "Meeting Companion is installed in $opt."
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "Add $bin to your PATH to run 'companion' from a terminal." ;;
esac
