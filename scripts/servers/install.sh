#!/usr/bin/env bash
# install.sh - installs every CardDAV server the tests start (idempotent, quick when
# all is there): Radicale and Xandikos from PyPI into venvs under target/carddav-tools,
# sabre/dav 1.8 from Debian packages (needs root; apt-get update is run only when the
# package lists lack them). Servers named in CTI_SKIP_SERVERS are left out.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

skipped() { [[ ",${CTI_SKIP_SERVERS:-}," == *",all,"* || ",${CTI_SKIP_SERVERS:-}," == *",$1,"* ]]; }

# A fresh Debian may lack the venv module of its python3.
if ! skipped radicale || ! skipped xandikos; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y -qq python3-venv >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; }
    fi
  fi
fi

skipped radicale || "$here/radicale.sh" install
skipped xandikos && skipped xandikos-tls || "$here/xandikos.sh" install
if ! { skipped sabredav && skipped sabredav-digest; }; then
  "$here/sabredav.sh" install || echo "install.sh: sabre/dav is not installed; its tests will fail (or set CTI_SKIP_SERVERS=sabredav,sabredav-digest)" >&2
fi
