#!/usr/bin/env python3
"""check_public.py CAPTURE RECORDS.jsonl MIN_TUNNELLED

tshark as the oracle of evidence.tunnel on a capture nobody here wrote: for every record,
the tunnel path pentrap names must be the path tshark dissects in one of the frames the
record's evidence lists (frames without a tunnel: no evidence.tunnel), written as
pentrap writes it (docs/tunnels.md, "The path"); and what a tunnelled record read
inside the tunnel (evidence.name: a DNS name or SNI; call_id) tshark reads in a
tunnelled frame too (the name of a flow may come from an earlier lookup, so not
necessarily in the record's own frames). MIN_TUNNELLED: at least that many
records must name a tunnel, so a run that lost the tunnelled traffic does not pass.

Layers tshark shows in the public captures here (VLAN, PPPoE, GTP-U, IP in IP, MPLS,
VXLAN, Geneve) are translated; a frame with any other tunnel protocol fails the check
(it would need a translation here first). Prints one line per disagreement; exit 1 on any.
"""
import json
import subprocess
import sys

FIELDS = ["frame.number", "frame.protocols", "vlan.id", "pppoe.session_id", "gtp.teid",
          "mpls.label", "vxlan.vni", "geneve.vni", "dns.qry.name",
          "tls.handshake.extensions_server_name", "sip.Call-ID"]
NAMES = ["dns.qry.name", "tls.handshake.extensions_server_name"]
UNTRANSLATED = {"gre", "erspan", "nsh", "vxlan-gpe", "pwethcw", "pwethheuristic"}


def tshark_paths(capture):
    out = subprocess.run(["tshark", "-n", "-r", capture, "-T", "fields", "-E", "separator=\t",
                          "-E", "aggregator=,"] + sum([["-e", f] for f in FIELDS], []),
                         check=True, capture_output=True, text=True).stdout
    paths, names = {}, {}
    for line in out.splitlines():
        cols = (line.split("\t") + [""] * len(FIELDS))[:len(FIELDS)]
        frame, protos = int(cols[0]), cols[1].split(":")
        values = {f: [v for v in c.split(",") if v] for f, c in zip(FIELDS[2:], cols[2:])}
        names[frame] = {v for f in NAMES + ["sip.Call-ID"] for v in values[f]}
        paths[frame] = path_of(protos, values)
    return paths, names


def path_of(protos, values):
    """The layers of one frame, outermost first, in pentrap's words; None: untranslated."""
    layers = []
    labels = list(values["mpls.label"])
    for i, p in enumerate(protos):
        nxt = protos[i + 1] if i + 1 < len(protos) else ""
        if p in UNTRANSLATED:
            return None
        if p == "vlan":
            layers.append("vlan %s" % int(values["vlan.id"].pop(0), 0))
        elif p == "pppoes":
            layers.append("pppoe:session %d" % int(values["pppoe.session_id"].pop(0), 0))
        elif p == "mpls":
            # one "mpls" per label in tshark's list; pentrap names the bottom one
            if nxt != "mpls":
                layers.append("mpls:label %d" % int(labels[-1], 0))
        elif p == "gtp":
            teid = values["gtp.teid"].pop(0) if values["gtp.teid"] else None
            if nxt in ("ip", "ipv6") and teid is not None:  # a G-PDU: GTP-C is no tunnel
                layers.append("gtpu:teid 0x%08x" % int(teid, 0))
        elif p in ("vxlan", "geneve"):
            layers.append("%s:vni %d" % (p, int(values[p + ".vni"].pop(0), 0)))
        elif p in ("ip", "ipv6") and i > 0 and protos[i - 1] in ("ip", "ipv6"):
            layers.append("ipv4-in-ip" if p == "ip" else "ipv6-in-ip")
        elif p == "icmp" or p == "icmpv6":
            break  # what an ICMP error quotes is not a tunnel
    return " / ".join(layers)


def main():
    capture, records, minimum = sys.argv[1], sys.argv[2], int(sys.argv[3])
    paths, names = tshark_paths(capture)
    tunnel_names = set().union(*[names[fr] for fr in paths if paths[fr]])
    bad, tunnelled, n = [], 0, 0
    with open(records) as f:
        for line in f:
            r = json.loads(line)
            n += 1
            ev = r.get("evidence", {})
            got = ev.get("tunnel", "")
            frames = ev.get("frames", [])
            seen = {paths.get(fr) for fr in frames}
            if None in seen:
                bad.append("seq %s: frames %s: a tunnel tshark shows that this check cannot translate" % (r["seq"], frames))
            elif got not in seen:
                bad.append("seq %s %s: evidence.tunnel %r, tshark sees %s in frames %s"
                           % (r["seq"], r["type"], got, sorted(seen), frames))
            tunnelled += bool(got)
            # what the record read inside the tunnel: the name looked up or asked for
            # (from the flow's own frames or an earlier lookup), the call's id
            for what in (ev.get("name"), r.get("call_id")):
                if got and what and what not in tunnel_names:
                    bad.append("seq %s %s: %r, which tshark reads in no tunnelled frame"
                               % (r["seq"], r["type"], what))
    if tunnelled < minimum:
        bad.append("%d records of %d name a tunnel, expected at least %d" % (tunnelled, n, minimum))
    for b in bad:
        print(b)
    print("%s: %d records, %d tunnelled, %d disagreements" % (capture, n, tunnelled, len(bad)), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
