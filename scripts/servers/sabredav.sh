#!/usr/bin/env bash
# sabredav.sh - sabre/dav on 127.0.0.1 for tests, served by `php -S`.
# Usage and contract: see common.sh.
#
# sabre/dav comes from Debian (`php-sabre-dav`), which in Debian 12 is the old 1.8.12:
# no sync-collection (RFC 6578), a multiget that fails as a whole for one missing href.
# URL layout like Nextcloud's: /remote.php/dav/{principals,addressbooks}/alice/...;
# /.well-known/carddav answers 301 -> /remote.php/dav/ (Nextcloud does that in its web
# server configuration). SABRE_AUTH=digest switches Basic to Digest (realm SabreDAV,
# MD5, qop=auth), Baikal's default.
NAME=sabredav
. "$(dirname "$0")/common.sh"
PACKAGES=(php-cli php-sqlite3 php-xml php-mbstring php-sabre-dav)
BASE_PATH=/remote.php/dav/

have_sabre() {
  [ -f /usr/share/php/Sabre/autoload.php ] && command -v php >/dev/null \
    && php -m 2>/dev/null | grep -qx pdo_sqlite && php -m 2>/dev/null | grep -qx xml
}

server_install() {
  have_sabre && return 0
  [ "$(id -u)" = 0 ] || die "needs Debian packages; as root: apt-get install ${PACKAGES[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null; } \
    || die "apt-get install ${PACKAGES[*]} failed"
}

write_files() {
  # Written on every start: the router script is ours, the database is kept.
  cat > "$DATA/sabredav-server.php" <<'PHP'
<?php
// Test CardDAV server: sabre/dav 1.8 on PDO sqlite, user alice/secret.
error_reporting(E_ALL & ~E_DEPRECATED);   // sabre 1.8 predates PHP 8
ini_set('display_errors', '0');
ini_set('log_errors', '1');
date_default_timezone_set('UTC');
$base = getenv('SABRE_BASE_PATH');

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (rtrim($path, '/') === '/.well-known/carddav') {
    header('Location: ' . $base, true, 301);
    exit;
}

require_once 'Sabre/autoload.php';

class TestBasic extends Sabre\DAV\Auth\Backend\AbstractBasic {
    protected function validateUserPass($u, $p) { return $u === 'alice' && $p === 'secret'; }
}
class TestDigest extends Sabre\DAV\Auth\Backend\AbstractDigest {
    public function getDigestHash($realm, $u) { return $u === 'alice' ? md5("alice:$realm:secret") : null; }
}

$pdo = new PDO('sqlite:' . __DIR__ . '/db.sqlite');
$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
$pdo->exec('PRAGMA synchronous = OFF');   // throwaway data: no fsync per write

$principals = new Sabre\DAVACL\PrincipalBackend\PDO($pdo);
$cards = new Sabre\CardDAV\Backend\PDO($pdo);
$server = new Sabre\DAV\Server(array(
    new Sabre\DAVACL\PrincipalCollection($principals),
    new Sabre\CardDAV\AddressBookRoot($principals, $cards),
));
$server->setBaseUri($base);
$auth = getenv('SABRE_AUTH') === 'digest' ? new TestDigest() : new TestBasic();
$server->addPlugin(new Sabre\DAV\Auth\Plugin($auth, 'SabreDAV'));
$server->addPlugin(new Sabre\CardDAV\Plugin());
$server->addPlugin(new Sabre\DAVACL\Plugin());
$server->exec();
PHP
  [ -s "$DATA/db.sqlite" ] && return 0
  # Schema of sabre/dav 1.8 (its examples/sql/sqlite.*.sql), one user, one empty book.
  php -r '
    $db = new PDO("sqlite:" . $argv[1]);
    $db->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
    $db->exec("CREATE TABLE addressbooks (id integer primary key asc, principaluri text,
                 displayname text, uri text, description text, ctag integer);
               CREATE TABLE cards (id integer primary key asc, addressbookid integer,
                 carddata blob, uri text, lastmodified integer);
               CREATE TABLE principals (id INTEGER PRIMARY KEY ASC, uri TEXT, email TEXT,
                 displayname TEXT, vcardurl TEXT, UNIQUE(uri));
               CREATE TABLE groupmembers (id INTEGER PRIMARY KEY ASC, principal_id INTEGER,
                 member_id INTEGER, UNIQUE(principal_id, member_id));
               INSERT INTO principals (uri, email, displayname)
                 VALUES (\"principals/alice\", \"alice@example.org\", \"Alice\");
               INSERT INTO addressbooks (principaluri, displayname, uri, description, ctag)
                 VALUES (\"principals/alice\", \"contacts\", \"contacts\", \"\", 1);");
  ' "$DATA/db.sqlite"
}

server_launch() {
  write_files
  AUTH=${SABRE_AUTH:-basic}
  [ "$AUTH" = digest ] || AUTH=basic
  # php -S sends every request, whatever the method, to the router script.
  SABRE_AUTH=$AUTH SABRE_BASE_PATH=$BASE_PATH setsid php -d include_path=.:/usr/share/php \
    -S "127.0.0.1:$PORT" "$DATA/sabredav-server.php" >"$DATA/server.log" 2>&1 </dev/null &
  echo $! > "$DATA/pid"
}

server_setup() {
  local root="http://127.0.0.1:$PORT" login=(-u "$USER_NAME:$USER_PASS")
  [ "$AUTH" = digest ] && login=(--digest -u "$USER_NAME:$USER_PASS")
  BASE_URL="$root$BASE_PATH"
  PRINCIPAL="${BASE_URL}principals/$USER_NAME/"
  HOME_URL="${BASE_URL}addressbooks/$USER_NAME/"
  BOOK="${HOME_URL}contacts/"
  wait_ready "$root/"
  local props
  props=$("${CURL[@]}" "${login[@]}" -X PROPFIND -H 'Depth: 0' -H 'Content-Type: application/xml' \
    "$BOOK" --data-binary '<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>' || true)
  [[ "$props" == *addressbook* ]] || start_failed "address book missing: $props"
}

main "$@"
