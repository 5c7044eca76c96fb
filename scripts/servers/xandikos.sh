#!/usr/bin/env bash
# xandikos.sh - Xandikos (PyPI, venv under target/carddav-tools) on 127.0.0.1 for tests.
# Usage and contract: see common.sh.
# Plain mode has no authentication at all (any credentials pass). XANDIKOS_TLS=1 serves
# HTTPS with a certificate from a CA made here (DATADIR/ca.pem, printed as
# CARDDAV_CAFILE) and real Basic auth (Xandikos allows --htpasswd only with TLS).
# XANDIKOS_CERT=expired or wrong-name makes that certificate one a client must refuse:
# expired yesterday, or naming only wrong-name.invalid (default: good).
# Env: XANDIKOS_VERSION (default 0.4.10), XANDIKOS_TLS, XANDIKOS_CERT, CARDDAV_TOOLS.
NAME=xandikos
. "$(dirname "$0")/common.sh"
VERSION=${XANDIKOS_VERSION:-0.4.10}
VENV=$TOOLS/xandikos-$VERSION

server_install() {
  [ -x "$VENV/bin/xandikos" ] || pip_venv "$VENV" "xandikos==$VERSION"
}

make_certs() {
  local d=$DATA
  [ -f "$d/ca.pem" ] && [ -f "$d/state/certs/selfsigned.crt" ] && return 0
  command -v openssl >/dev/null || die "openssl is needed for XANDIKOS_TLS=1"
  local days=3650 san='IP:127.0.0.1,DNS:localhost'
  case "${XANDIKOS_CERT:-good}" in
    good) ;;
    expired) days=-1 ;;
    wrong-name) san='DNS:wrong-name.invalid' ;;
    *) die "XANDIKOS_CERT must be good, expired or wrong-name" ;;
  esac
  mkdir -p "$d/state/certs"; chmod 700 "$d/state/certs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=cti-phonebook test CA" \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$d/state/certs/selfsigned.key" -out "$d/leaf.csr" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$san" > "$d/leaf.ext"
  openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days "$days" -extfile "$d/leaf.ext" -out "$d/leaf.pem" 2>/dev/null
  # --autocert reuses state/certs/selfsigned.{crt,key} when they exist.
  cat "$d/leaf.pem" "$d/ca.pem" > "$d/state/certs/selfsigned.crt"
}

server_launch() {
  local args=(serve -d "$DATA/store" -l 127.0.0.1 -p "$PORT" --state-dir "$DATA/state"
              --current-user-principal "/$USER_NAME/" --autocreate --no-detect-systemd)
  AUTH=none
  if [ "${XANDIKOS_TLS:-0}" = 1 ]; then
    make_certs
    echo "$USER_NAME:{SHA}$(printf %s "$USER_PASS" | openssl dgst -sha1 -binary | base64)" > "$DATA/users"
    args+=(--autocert --htpasswd "$DATA/users")
    SCHEME=https CAFILE=$DATA/ca.pem AUTH=basic
  fi
  setsid "$VENV/bin/xandikos" "${args[@]}" >"$DATA/server.log" 2>&1 </dev/null &
  echo $! > "$DATA/pid"
}

server_setup() {
  local tls=()
  [ -n "$CAFILE" ] && tls=(--cacert "$CAFILE")
  # A certificate made to be refused: set the server up without checking it.
  [ "${XANDIKOS_CERT:-good}" != good ] && tls=(--insecure)
  BASE_URL="$SCHEME://127.0.0.1:$PORT/"
  wait_ready "$BASE_URL" "${tls[@]}"
  PRINCIPAL="${BASE_URL}$USER_NAME/"
  HOME_URL="${PRINCIPAL}contacts/"
  BOOK="${HOME_URL}contacts/"
  mkcol_book "$BOOK" "${tls[@]}" -u "$USER_NAME:$USER_PASS"
  # The first allprop PROPFIND commits a resource id and so changes the CTag and
  # sync-token; do it now so that tests start from a stable book.
  "${CURL[@]}" "${tls[@]}" -o /dev/null -u "$USER_NAME:$USER_PASS" -X PROPFIND -H 'Depth: 0' "$BOOK"
}

main "$@"
