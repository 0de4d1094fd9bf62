#!/usr/bin/env bash
# macOS, after `pyinstaller packaging/companion.spec`: ad-hoc sign "dist/Meeting Companion.app" and wrap it in
# dist/meeting-companion-<version>-macos-<arch>.dmg, with an Applications link to drag the app onto.
# The version is the one the spec wrote into the app's Info.plist.
#
#   bash packaging/macos/build-dmg.sh
#
# Written against the codesign(1) and hdiutil(1) manuals; not run on a Mac by its author (packaging/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() { echo "build-dmg.sh: error: $*" >&2; exit 1; }

[ "$(uname -s)" = Darwin ] || fail "this needs macOS (codesign, hdiutil)"
app="dist/Meeting Companion.app"
[ -d "$app" ] || fail "$app not found: run 'pyinstaller packaging/companion.spec' first"
version="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$app/Contents/Info.plist")"
# 0.0.0 is PyInstaller's BUNDLE default: the spec did not pass version=.
[ "$version" != "0.0.0" ] || fail "$app has no version: BUNDLE(version=...) is missing from the spec"
dmg="dist/meeting-companion-$version-macos-$(uname -m).dmg"

# Ad-hoc signature ("-"): no Apple Developer ID, so Gatekeeper asks the first time (right-click > Open).
codesign --force --deep --sign - "$app"
codesign --verify --deep --strict "$app"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
ditto "$app" "$stage/Meeting Companion.app"
ln -s /Applications "$stage/Applications"

# hdiutil create sometimes fails with "Resource busy" on CI runners (actions/runner-images#7522): retry.
for attempt in 1 2 3 4; do
  if hdiutil create -volname "Meeting Companion" -srcfolder "$stage" -ov -format UDZO "$dmg"; then
    break
  fi
  [ "$attempt" -lt 4 ] || fail "hdiutil create failed $attempt times"
  sleep 10
done
hdiutil verify "$dmg"
echo "$dmg"
