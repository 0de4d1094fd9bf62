#!/usr/bin/env bash
# Build the Linux download from a checkout set up by scripts/setup.sh:
#   dist/meeting-companion/                                   the one-folder PyInstaller bundle
#   dist/meeting-companion-<version>-linux-x86_64.tar.xz      that folder, the .desktop entry, the icon, install.sh
# Everything it writes goes under build/ and dist/. `--clean` drops PyInstaller's cache in build/ first.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=.venv/bin/python
[ -x "$PYTHON" ] || { echo "build.sh: no .venv: run scripts/setup.sh first" >&2; exit 1; }
command -v objdump >/dev/null || { echo "build.sh: PyInstaller needs objdump (apt install binutils)" >&2; exit 1; }
clean=()
[ "${1:-}" = "--clean" ] && clean=(--clean)

version="$("$PYTHON" -c 'import companion; print(companion.__version__)')"
name="meeting-companion-$version-linux-x86_64"
began=$SECONDS

# The icon: packaging/make_icons.py renders every platform's icon from assets/icon.svg when it exists;
# otherwise Qt's SVG renderer draws the PNG the Linux desktop entry needs.
mkdir -p build/icons
if [ -f packaging/make_icons.py ]; then
  QT_QPA_PLATFORM=offscreen "$PYTHON" packaging/make_icons.py
fi
icon=packaging/icons/icon-256.png
if [ ! -f "$icon" ]; then
  icon=build/icons/icon-256.png
  QT_QPA_PLATFORM=offscreen "$PYTHON" - assets/icon.svg "$icon" <<'EOF'
"""Render an SVG to a 256 px PNG with a transparent background."""
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

app = QGuiApplication([])
image = QImage(256, 256, QImage.Format.Format_ARGB32)
image.fill(Qt.GlobalColor.transparent)
painter = QPainter(image)
QSvgRenderer(sys.argv[1]).render(painter)
painter.end()
if not image.save(sys.argv[2]):
    sys.exit(f"cannot write {sys.argv[2]}")
EOF
fi

# resemblyzer declares the obsolete `typing` backport, which PyInstaller refuses to run beside. Python 3.11's
# own typing module comes first on sys.path, so the analysis and the bundle use it: let the check pass.
"$PYTHON" - --noconfirm --log-level WARN "${clean[@]}" --distpath dist --workpath build/pyinstaller \
  packaging/companion.spec <<'EOF'
"""PyInstaller's command line, with resemblyzer's `typing` backport left out of its requirements check."""
import importlib.metadata
import sys

from PyInstaller import __main__ as pyinstaller

found = importlib.metadata.distribution


def distribution(name: str) -> importlib.metadata.Distribution:
    if name == "typing":
        raise importlib.metadata.PackageNotFoundError(name)
    return found(name)


importlib.metadata.distribution = distribution
pyinstaller.run(sys.argv[1:])
EOF

# The archive holds one folder, $name/, with the bundle and what installs it. xz rather than gzip: the
# libraries (libtorch_cpu above all) shrink far more, and every tar and Python's tarfile unpack it.
packed=$SECONDS
tar -c --owner=0 --group=0 \
  --transform "s,^icon-256.png,meeting-companion.png," --transform "s,^,$name/,S" \
  -C dist meeting-companion -C "$PWD/packaging/linux" install.sh meeting-companion.desktop \
  -C "$PWD/$(dirname "$icon")" icon-256.png | xz -6 -T0 >"dist/$name.tar.xz.part"
mv "dist/$name.tar.xz.part" "dist/$name.tar.xz"
echo "dist/$name.tar.xz: $(du -m "dist/$name.tar.xz" | cut -f1) MB, built in $((SECONDS - began)) s" \
  "(packed in $((SECONDS - packed)) s)"
