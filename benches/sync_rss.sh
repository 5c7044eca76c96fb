#!/usr/bin/env bash
# sync_rss.sh - peak memory and time of a fresh `phonebook` process syncing a large
# book on a real Radicale (127.0.0.1), beside the server's floor.
#
#   benches/sync_rss.sh [N ...]            (default: 10000 50000 100000)
#
# For each N: Radicale (scripts/servers/radicale.sh, data under /dev/shm) gets N cards
# of ~600 bytes written into its storage directory (the cards of benches/sync.rs), the
# floor is timed with curl (one sync-collection REPORT with all card data from an empty
# token, once to warm Radicale's item cache, then timed; and one from its token, the
# floor of a no-change sync), and
# then each binary, in turn and with a fresh cache directory, runs as its own process
# under /usr/bin/time -v:
#   `folder add`, `sync` (the first sync), `sync` (no change), `lookup` (open only).
# "Peak" is the process's maximum resident set size; times are the whole process's,
# start-up and opening the cache included.
#
# Binaries: PHONEBOOK_BINS="label=path ..." (default: this tree's release example, built
# here), so that a baseline build runs side by side with the current one in one run;
# ROUNDS=k repeats the binaries' turns k times (default 1). Prints one line per run.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 50000 100000)
rounds=${ROUNDS:-1}
if [ -z "${PHONEBOOK_BINS:-}" ]; then
  cargo build --release --example phonebook >&2
  PHONEBOOK_BINS="current=$PWD/target/release/examples/phonebook"
fi
servers=$PWD/scripts/servers

mib() { awk -F': ' '/Maximum resident set size/{printf "%.1f", $2/1024}' "$1"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
report() { # TOKEN OUT -> seconds
  curl -s -o "$2" -w '%{time_total}' -u alice:secret -X REPORT -H 'Depth: 0' \
    -H 'Content-Type: application/xml; charset=utf-8' --max-time 1800 \
    --data-binary "<?xml version=\"1.0\" encoding=\"utf-8\"?><d:sync-collection xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:carddav\"><d:sync-token>$1</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/><c:address-data/></d:prop></d:sync-collection>" \
    "$book"
}

printf '%-10s %7s %9s %10s %8s %10s %9s %9s %8s %10s %9s %5s\n' binary cards floor_ms sync_ms ratio sync_peak nochg_flr nochg_ms ratio nochg_peak open_peak reqs
for n in "${sizes[@]}"; do
  data=$(mktemp -d /dev/shm/sync-rss-radicale.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  trap '"$servers/radicale.sh" stop "$data" >/dev/null 2>&1; rm -rf "$data"' EXIT
  "$servers/radicale.sh" start "$port" "$data" >/dev/null
  book=$(awk -F= '/^CARDDAV_ADDRESSBOOK_URL=/{print $2}' "$data/env")
  python3 - "$data/collections/collection-root/alice/contacts" "$n" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    c, k = i % 700, i % 13
    card = (f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-{i:07}\r\nN:Person{i};Given{i};;;\r\n"
            f"FN:Given{i} Person{i}\r\nORG:Company {c};Department {k}\r\nTITLE:Engineer\r\n"
            f"TEL;TYPE=WORK,VOICE:+49 30 {i:07}\r\nTEL;TYPE=CELL:+49 170 {i:07}\r\n"
            f"TEL;TYPE=HOME:+49 89 {i:07}\r\nEMAIL;TYPE=INTERNET,WORK:person{i}@company{c}.example\r\n"
            f"ADR;TYPE=WORK:;;Hauptstraße {i};Berlin;;10115;Germany\r\nURL:https://company{c}.example/\r\n"
            f"NOTE:Generated for the sync benchmark; about six hundred bytes a card, as real cards \r\n "
            f"with an address, three numbers and a note have.\r\nEND:VCARD\r\n")
    with open(os.path.join(d, f"bench-{i:07}.vcf"), "wb") as f:
        f.write(card.encode())
PY
  report "" "$data/floor.xml" >/dev/null
  floor_s=$(report "" "$data/floor.xml")
  token=$(python3 -c 'import re,sys; print(re.findall(rb"<(?:\w+:)?sync-token>([^<]*)</", open(sys.argv[1],"rb").read())[-1].decode().strip())' "$data/floor.xml")
  rm -f "$data/floor.xml"
  floor_ms=$(awk -v s="$floor_s" 'BEGIN{printf "%.0f", s*1000}')
  nochg_floor_ms=$(awk -v s="$(report "$token" /dev/null)" 'BEGIN{printf "%.0f", s*1000}')
  for _ in $(seq "$rounds"); do
    for entry in $PHONEBOOK_BINS; do
      label=${entry%%=*}; bin=${entry#*=}
      cache=$(mktemp -d /dev/shm/sync-rss-cache.XXXXXX)
      run() { # NAME ARGS...: one process under /usr/bin/time -v; its wall time in ms
        local name=$1 t; shift; t=$(now_ms)
        PHONEBOOK_PASSWORD=secret /usr/bin/time -v -o "$cache/$name.time" "$bin" \
          --cache-dir "$cache/c" "$@" >"$cache/$name.out" 2>"$cache/$name.err" </dev/null \
          || { echo "$label: $* failed: $(tail -3 "$cache/$name.err")" >&2; return 1; }
        echo $(( $(now_ms) - t )) >"$cache/$name.ms"
      }
      run add folder add bench --url "$book" --user alice
      run sync sync bench --json
      run nochg sync bench --json
      run open lookup '+49 30 0000005' --json
      reqs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$cache/sync.out")
      sync_ms=$(cat "$cache/sync.ms")
      nochg_ms=$(cat "$cache/nochg.ms")
      printf '%-10s %7s %9s %10s %7.2fx %8s MB %9s %9s %7.2fx %7s MB %6s MB %5s\n' "$label" "$n" "$floor_ms" \
        "$sync_ms" "$(awk -v a="$sync_ms" -v b="$floor_ms" 'BEGIN{print a/b}')" "$(mib "$cache/sync.time")" \
        "$nochg_floor_ms" "$nochg_ms" "$(awk -v a="$nochg_ms" -v b="$nochg_floor_ms" 'BEGIN{print a/b}')" \
        "$(mib "$cache/nochg.time")" "$(mib "$cache/open.time")" "$reqs"
      rm -rf "$cache"
    done
  done
  "$servers/radicale.sh" stop "$data" >/dev/null
  rm -rf "$data"
  trap - EXIT
done
