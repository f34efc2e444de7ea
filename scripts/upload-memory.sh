#!/usr/bin/env bash
# Measures what an oversized upload costs the server: starts `yungui serve --demo` on a
# scratch SQLite file, posts a 16 MiB file of short rows (1.6 million of them, far past
# the 100,000-row limit) as an applications import and as a bank result file, and
# prints the server's resident memory before, its peak during each upload (VmHWM, reset
# before each) and after, with the answer and the time it took.
# Usage: scripts/upload-memory.sh [path/to/yungui]   (default target/release/yungui)
set -euo pipefail
bin="$(realpath "${1:-target/release/yungui}")"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$work" && DATABASE_URL="sqlite://${work}/m.db?mode=rwc" OUTBOX_DIR="$work/outbox" RUST_LOG=warn \
    exec "$bin" serve --demo --no-worker --addr "127.0.0.1:${port}") >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:${port}"
for _ in $(seq 1 300); do curl -fsS "$base/health" >/dev/null 2>&1 && break; sleep 1; done
token() {
    curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"login\":\"$1\",\"password\":\"yungui-demo-2019\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
tok="$(token registrar.zj)"
cohort="$(curl -fsS "$base/api/v1/cohorts?limit=1" -H "authorization: Bearer $tok" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"
# A batch that takes results: the demo's autumn batch, paid by the bank.
batch="$(curl -fsS "$base/api/v1/disbursement-batches?limit=100" -H "authorization: Bearer $tok" | python3 -c '
import json, sys
print(next(b["id"] for b in json.load(sys.stdin)["items"] if b["state"] in ("approved", "exported", "completed")))')"
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
for name, header, row in [("apps.csv", "national_id,name,phone,origin_code,preferred_major", "1,2,3,4,5"),
                          ("results.csv", "line_id,status,bank_reference,reason", "x,paid,r,")]:
    out = bytearray((header + "\n").encode())
    line = (row + "\n").encode()
    while len(out) + len(line) <= 16 * 1024 * 1024:
        out += line
    open(f"{work}/{name}", "wb").write(out)
PY
rss() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
sleep 2
echo "idle: RSS $(( $(rss VmRSS) / 1024 )) MB"
for what in "applications|$base/api/v1/cohorts/$cohort/applications/import|apps.csv" \
            "bank results|$base/api/v1/disbursement-batches/$batch/results|results.csv"; do
    IFS='|' read -r label url file <<<"$what"
    before="$(rss VmRSS)"
    echo 5 > "/proc/$pid/clear_refs"
    start="$(date +%s.%N)"
    code="$(curl -s -o "$work/answer.json" -w '%{http_code}' "$url" -H "authorization: Bearer $tok" \
        -H 'content-type: text/csv' --data-binary "@$work/$file")"
    took="$(python3 -c "import time; print(round(time.time() - $start, 2))")"
    peak="$(rss VmHWM)"
    echo "$label: $(stat -c %s "$work/$file") bytes → HTTP $code ($(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("errors",[{}])[0].get("code", d.get("code")))' "$work/answer.json")) in ${took} s; RSS before $(( before / 1024 )) MB, peak $(( peak / 1024 )) MB (+$(( (peak - before) / 1024 )) MB), after $(( $(rss VmRSS) / 1024 )) MB"
done
# Four at once, as the probe sent them.
before="$(rss VmRSS)"
echo 5 > "/proc/$pid/clear_refs"
start="$(date +%s.%N)"
for _ in 1 2 3 4; do
    curl -s -o /dev/null "$base/api/v1/cohorts/$cohort/applications/import" -H "authorization: Bearer $tok" \
        -H 'content-type: text/csv' --data-binary "@$work/apps.csv" &
done
wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
took="$(python3 -c "import time; print(round(time.time() - $start, 2))")"
sleep 1
echo "four applications uploads at once: ${took} s; RSS before $(( before / 1024 )) MB, peak $(( $(rss VmHWM) / 1024 )) MB (+$(( ($(rss VmHWM) - before) / 1024 )) MB), after $(( $(rss VmRSS) / 1024 )) MB"
