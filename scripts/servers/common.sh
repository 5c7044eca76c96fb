# common.sh - shared by radicale.sh, xandikos.sh and sabredav.sh (sourced, not run).
#
# Each server script defines:
#   NAME              short name (also what `stop` looks for in /proc/PID/cmdline)
#   server_install    install the server if missing (idempotent)
#   server_launch     start it in the background on $PORT with data in $DATA; print pid
#   server_setup      create the address book once it answers; set BOOK/PRINCIPAL/HOME
# and then calls `main "$@"`.
#
# Contract of every script (tests/support/servers.rs relies on it):
#   NAME.sh install               install what the server needs, nothing else
#   NAME.sh start PORT DATADIR    install if missing, start on 127.0.0.1:PORT, create
#                                 user alice/secret and an empty book, wait until it
#                                 answers, print KEY=VALUE lines (also in DATADIR/env)
#   NAME.sh stop DATADIR          stop the pid recorded in DATADIR/pid, nothing else
# Servers listen on 127.0.0.1 only.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS=${CARDDAV_TOOLS:-$REPO/target/carddav-tools}
USER_NAME=alice
USER_PASS=secret
CURL=(curl -s --noproxy '*' --max-time 10)

die() { echo "$NAME: $*" >&2; exit 1; }

# A Python venv per server and version under $TOOLS, from PyPI.
pip_venv() {  # $1 = venv dir, rest = pip requirements
  local venv=$1; shift
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
    rm -rf "$venv"; mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "$@" \
    || die "pip install $* failed"
}

start_failed() {
  echo "$NAME: $*" >&2
  tail -n 20 "$DATA/server.log" >&2 2>/dev/null || true
  stop_pid
  exit 1
}

stop_pid() {
  [ -f "$DATA/pid" ] || return 0
  local pid; pid=$(cat "$DATA/pid")
  # Kill only if the pid is still our server (pids are reused).
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "$NAME"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$DATA/pid"
}

# Polls URL until the server answers anything (up to ~30 s).
wait_ready() {  # $1 = url, rest = extra curl args
  local url=$1; shift
  for _ in $(seq 1 150); do
    if "${CURL[@]}" "$@" -o /dev/null "$url"; then return 0; fi
    kill -0 "$(cat "$DATA/pid")" 2>/dev/null || start_failed "exited during start-up"
    sleep 0.2
  done
  start_failed "did not answer at $url"
}

# Extended MKCOL (RFC 5689) of an address book named "contacts", unless it exists.
mkcol_book() {  # $1 = url, rest = extra curl args
  local url=$1; shift
  local props code
  props=$("${CURL[@]}" "$@" -X PROPFIND -H 'Depth: 0' -H 'Content-Type: application/xml' "$url" \
    --data-binary '<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>' || true)
  [[ "$props" == *addressbook* ]] && return 0
  code=$("${CURL[@]}" "$@" -o /dev/null -w '%{http_code}' -X MKCOL \
    -H 'Content-Type: application/xml; charset=utf-8' "$url" --data-binary \
    '<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype><D:displayname>contacts</D:displayname></D:prop></D:set></D:mkcol>')
  [ "$code" = 201 ] || start_failed "MKCOL $url answered $code"
}

main() {
  case "${1:-}" in
    install) server_install ;;
    start)
      [ $# -eq 3 ] || die "usage: $0 start PORT DATADIR"
      PORT=$2; mkdir -p "$3"; DATA=$(cd "$3" && pwd)
      if [ -f "$DATA/pid" ] && kill -0 "$(cat "$DATA/pid")" 2>/dev/null; then
        die "already running from $DATA (pid $(cat "$DATA/pid"))"
      fi
      if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then die "port $PORT is in use"; fi
      server_install
      local t0; t0=$(date +%s%N)
      CAFILE="" AUTH=basic SCHEME=http
      server_launch
      server_setup
      cat > "$DATA/env" <<ENV
CARDDAV_SERVER=$NAME
CARDDAV_URL=$BASE_URL
CARDDAV_USER=$USER_NAME
CARDDAV_PASSWORD=$USER_PASS
CARDDAV_PRINCIPAL_URL=$PRINCIPAL
CARDDAV_HOME_URL=$HOME_URL
CARDDAV_ADDRESSBOOK_URL=$BOOK
CARDDAV_CAFILE=$CAFILE
CARDDAV_AUTH=$AUTH
CARDDAV_PID=$(cat "$DATA/pid")
ENV
      cat "$DATA/env"
      echo "$NAME ready after $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
      ;;
    stop)
      [ $# -eq 2 ] || die "usage: $0 stop DATADIR"
      DATA=$2; stop_pid ;;
    *) die "usage: $0 install | start PORT DATADIR | stop DATADIR" ;;
  esac
}
