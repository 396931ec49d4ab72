#!/usr/bin/env bash
# The HTML report renders in a real browser (headless Chromium) without errors, its
# contact graph has the nodes and edges the data says, the other formats work, and a
# store that fails verification says so at the top.
source "$(dirname "$0")/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "needs chromium (scripts/install-deps.sh --test installs it)"
command -v dot > /dev/null || skip "needs graphviz's dot (scripts/install-deps.sh installs it)"
P=$SRC/tests/pcap/sip
DB=$WORK/records.db
"$PENTRAP" run -q --db "$DB" --order "$P/sngrep_aaa/order.yaml" -r "$P/sngrep_aaa/capture.pcap" || fail "run 1"
"$PENTRAP" run -q --db "$DB" --order "$P/heplify_udp/order.yaml" -r "$P/heplify_udp/capture.pcap" || fail "run 2"

chrome() {
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/chromium" --enable-logging=stderr --v=0 "$@"
}

"$PENTRAP" report --db "$DB" -o "$WORK/graph.json" --format json && pass || fail "json report"
read -r want_targets want_parties want_edges < <(python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
print(sum(n["target"] for n in d["nodes"]), sum(not n["target"] for n in d["nodes"]), len(d["edges"]))' "$WORK/graph.json")
# Both targets, and at least their four calls' pairs (flow records may add more).
[ "$want_targets" = 2 ] && [ "$want_edges" -ge 4 ] && pass || fail "json graph: $want_targets targets, $want_edges edges (want 2, >= 4)"

"$PENTRAP" report --db "$DB" -o "$WORK/report.html" && pass || fail "html report"
chrome --dump-dom "file://$WORK/report.html" > "$WORK/dom.html" 2> "$WORK/chrome.log"
got_targets=$(grep -o 'class="node target"' "$WORK/dom.html" | wc -l)
got_parties=$(grep -o 'class="node party"' "$WORK/dom.html" | wc -l)
got_edges=$(grep -o 'class="edge pair"' "$WORK/dom.html" | wc -l)
if [ "$got_targets" = "$want_targets" ] && [ "$got_parties" = "$want_parties" ] && [ "$got_edges" = "$want_edges" ]; then pass
else fail "graph in the browser: $got_targets/$got_parties/$got_edges targets/parties/edges, want $want_targets/$want_parties/$want_edges"; fi
for t in "sip:35104723@sip.cybercity.dk" "sip:francisco@bestel.com"; do
  grep -q "<title>$t</title>" "$WORK/dom.html" && pass || fail "target node $t not in the graph"
done
if grep -Eiq 'Uncaught|CONSOLE\(|net::ERR_' "$WORK/chrome.log"; then fail "the page logged errors"; grep -Ei 'Uncaught|CONSOLE\(|net::ERR_' "$WORK/chrome.log" | head; else pass; fi
grep -q 'Record chain: verified' "$WORK/dom.html" && pass || fail "verified banner missing"
grep -q 'class="timeline"' "$WORK/dom.html" && pass || fail "timeline missing"
chrome --screenshot="$WORK/report.png" --window-size=1200,1600 "file://$WORK/report.html" 2>/dev/null
[ "$(stat -c %s "$WORK/report.png" 2>/dev/null || echo 0)" -gt 20000 ] && pass || fail "screenshot missing or empty"

"$PENTRAP" report --db "$DB" -o "$WORK/graph.dot" --format dot && dot -Tsvg "$WORK/graph.dot" -o /dev/null && pass || fail "dot output"
"$PENTRAP" report --db "$DB" -o "$WORK/pairs.csv" --format csv && [ "$(wc -l < "$WORK/pairs.csv")" = $((want_edges + 1)) ] && pass || fail "csv output: $(wc -l < "$WORK/pairs.csv") lines, want $((want_edges + 1))"
"$PENTRAP" report --db "$DB" --target sip:francisco@bestel.com -o "$WORK/one.json" --format json && \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if sum(n["target"] for n in d["nodes"])==1 else 1)' "$WORK/one.json" \
  && pass || fail "--target selects one target"

# A store whose records were altered: the report says so at the top.
cp "$DB" "$WORK/tampered.db"
sqlite3 "$WORK/tampered.db" "UPDATE records SET to_party='sip:someone-else@example.invalid' WHERE seq=2"
"$PENTRAP" report --db "$WORK/tampered.db" -o "$WORK/tampered.html" && pass || fail "report of a tampered store"
head -c 4000 "$WORK/tampered.html" | grep -q 'VERIFICATION FAILED' && pass || fail "tampered store not flagged at the top"

expect_run "report without -o" 2 "needs --db FILE and -o FILE" -- report --db "$DB"
expect_run "report of a missing store" 2 "cannot open store" -- report --db "$WORK/missing.db" -o "$WORK/x.html"
[ -n "${KEEP_SCREENSHOT:-}" ] && cp "$WORK/report.png" "$KEEP_SCREENSHOT"
finish
