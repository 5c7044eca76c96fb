#!/usr/bin/env bash
# radicale.sh - Radicale (PyPI, venv under target/carddav-tools) on 127.0.0.1 for tests.
# Usage and contract: see common.sh. Basic auth, plain htpasswd, alice/secret.
# Env: RADICALE_VERSION (default 3.9.0), CARDDAV_TOOLS.
NAME=radicale
. "$(dirname "$0")/common.sh"
VERSION=${RADICALE_VERSION:-3.9.0}
VENV=$TOOLS/radicale-$VERSION

server_install() {
  [ -x "$VENV/bin/radicale" ] || pip_venv "$VENV" "radicale==$VERSION"
}

server_launch() {
  mkdir -p "$DATA/collections"
  echo "$USER_NAME:$USER_PASS" > "$DATA/users"
  # delay=0: no 1 s pause after a wrong password (tests send one on purpose).
  cat > "$DATA/config" <<CFG
[server]
hosts = 127.0.0.1:$PORT
[auth]
type = htpasswd
htpasswd_filename = $DATA/users
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = $DATA/collections
[web]
type = none
[logging]
level = warning
CFG
  # setsid: own session, so the server survives the calling shell; it execs, so $!
  # is the server itself.
  setsid "$VENV/bin/python" -m radicale --config "$DATA/config" >"$DATA/server.log" 2>&1 </dev/null &
  echo $! > "$DATA/pid"
}

server_setup() {
  BASE_URL="http://127.0.0.1:$PORT/"
  wait_ready "$BASE_URL"
  PRINCIPAL="${BASE_URL}$USER_NAME/"
  HOME_URL=$PRINCIPAL
  BOOK="${PRINCIPAL}contacts/"
  # The first authenticated request creates the principal collection.
  mkcol_book "$BOOK" -u "$USER_NAME:$USER_PASS"
}

main "$@"
