#!/usr/bin/env bash
# Installs the Debian packages a make target needs, when they are missing (issue 25).
#   tools/system_deps.sh run    fonts-noto-cjk
#   tools/system_deps.sh serve  nginx
#   tools/system_deps.sh test   chromium fonts-noto-cjk nginx poppler-utils postgresql
#   tools/system_deps.sh pg     postgresql (make pg: a throwaway server for the shared state)
# apt-get runs non-interactively, as root or through `sudo -n`. Where neither is possible it stops
# at once, naming the one command to run, instead of letting tests fail later for want of a package.
set -euo pipefail
target="${1:-test}"

have_fonts() { fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || [ -d /usr/share/fonts/opentype/noto ]; }
have_chromium() { [ -x /usr/bin/chromium ]; }
have_nginx() { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }
have_poppler() { command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; }
# Debian puts initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, not on PATH
have_postgresql() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1; }

case "$target" in
  run) wanted="fonts-noto-cjk" ;;
  serve) wanted="nginx" ;;
  test) wanted="chromium fonts-noto-cjk nginx poppler-utils postgresql" ;;
  pg) wanted="postgresql" ;;
  *) echo "system-deps: unknown target '$target' (run, serve, test or pg)" >&2; exit 2 ;;
esac

missing=""
for pkg in $wanted; do
  # SYSTEM_DEPS_ASSUME_MISSING="pkg …" treats those as missing (tests/test_system_deps.py checks the
  # refusal path on a machine that has them all)
  if [[ " ${SYSTEM_DEPS_ASSUME_MISSING:-} " == *" $pkg "* ]]; then missing="$missing $pkg"; continue; fi
  case "$pkg" in
    fonts-noto-cjk) have_fonts || missing="$missing $pkg" ;;
    chromium) have_chromium || missing="$missing $pkg" ;;
    nginx) have_nginx || missing="$missing $pkg" ;;
    poppler-utils) have_poppler || missing="$missing $pkg" ;;
    postgresql) have_postgresql || missing="$missing $pkg" ;;
  esac
done
missing="${missing# }"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "system-deps: make $target needs the Debian packages: $missing" >&2
  echo "system-deps: run this once, then make $target again:" >&2
  echo "    sudo apt-get install -y $missing" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: make $target needs: $missing, and this machine has no apt-get; install them, then make $target again" >&2
  exit 1
fi
echo "system-deps: installing $missing (apt-get, for make $target)"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
# postgresql: Debian's package also makes (and may start) a "main" cluster; make pg and the tests
# never use it: they initdb their own throwaway server as an unprivileged user (tools/serve/pg.py)
# fonts-noto-cjk: the font cache must know the new fonts before Chromium and kaleido draw with them
if [[ " $missing " == *" fonts-noto-cjk "* ]] && command -v fc-cache >/dev/null 2>&1; then fc-cache -f >/dev/null; fi
