#!/bin/sh
# run-under-xvfb.sh PROGRAM [ARGS…]
#
# Runs PROGRAM on a private X server, as /work/shared/HEADLESS.md describes. Meant to be
# started as `dbus-run-session -- run-under-xvfb.sh PROGRAM`, so the test also has a private
# session bus. Xvfb picks a free display itself (-displayfd): tests may run in parallel.

tmp=$(mktemp -d "${TMPDIR:-/tmp}/shuyuan-xvfb.XXXXXX") || exit 99
xvfb_pid=

cleanup() {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

Xvfb -displayfd 9 -screen 0 1280x800x24 -nolisten tcp -noreset \
  9>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!

# Xvfb writes the display number once it accepts connections.
i=0
while [ ! -s "$tmp/display" ]; do
  if ! kill -0 "$xvfb_pid" 2>/dev/null || [ "$i" -ge 100 ]; then
    echo "Bail out! Xvfb did not start:" >&2
    cat "$tmp/xvfb.log" >&2
    exit 99
  fi
  sleep 0.1
  i=$((i + 1))
done

DISPLAY=":$(cat "$tmp/display")"
GDK_BACKEND=x11
GSK_RENDERER=cairo
GTK_A11Y=none
GSETTINGS_BACKEND=memory
export DISPLAY GDK_BACKEND GSK_RENDERER GTK_A11Y GSETTINGS_BACKEND

"$@"
status=$?
exit "$status"
