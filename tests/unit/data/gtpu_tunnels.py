#!/usr/bin/env python3
"""The oracle for GTP-U decapsulation: tshark's G-PDUs (TShark 4.0), aggregated like the
gtpu_tunnels section of the shared truth files, but counted as the pipeline sees them:
inner IP datagrams, not frames. An inner datagram cut into fragments is one packet once
its first and last fragments are there; fragments whose datagram never completes in the
capture (it began before the capture did) are no packet.

Usage: gtpu_tunnels.py CAPTURE [OUT]   (OUT defaults to CAPTURE.tunnels.tsv)
Lines: datagrams  frames  outer_src[,inner_src]  outer_dst[,inner_dst]  teid  inner_ipv6_src  inner_ipv6_dst
"""
import collections
import subprocess
import sys

FIELDS = ["frame.number", "frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "gtp.teid",
          "ip.flags.mf", "ip.frag_offset", "ip.id"]


def main():
    cap = sys.argv[1]
    out_path = sys.argv[2] if len(sys.argv) > 2 else cap + ".tunnels.tsv"
    cmd = ["tshark", "-n", "-r", cap, "-Y", "gtp.message == 0xff", "-T", "fields"]
    for f in FIELDS:
        cmd += ["-e", f]
    cmd += ["-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    rows = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.splitlines()
    frames = collections.Counter()
    whole = collections.Counter()
    frags = collections.defaultdict(lambda: [False, False])  # (key, ip.id) -> [first seen, last seen]
    for line in rows:
        v = line.split("\t")
        d = dict(zip(FIELDS, [x.split(",") if x else [] for x in v]))
        protos = v[1].split(":")
        layers = [p for p in protos if p in ("ip", "ipv6", "gtp")]
        if "gtp" not in layers:
            continue
        g = layers.index("gtp")
        outer, inner = layers[g - 1], (layers[g + 1] if g + 1 < len(layers) else None)
        if inner is None:
            continue
        n4 = layers[:g + 1].count("ip")   # ip occurrences before the inner header
        n6 = layers[:g + 1].count("ipv6")
        o4, o6 = (n4 - 1 if outer == "ip" else None), (n6 - 1 if outer == "ipv6" else None)
        osrc = d["ip.src"][o4] if o4 is not None else d["ipv6.src"][o6]
        odst = d["ip.dst"][o4] if o4 is not None else d["ipv6.dst"][o6]
        teid = d["gtp.teid"][-1]
        if inner == "ip":
            key = "%s,%s\t%s,%s\t%s\t\t" % (osrc, d["ip.src"][n4], odst, d["ip.dst"][n4], teid)
            mf, off, ident = d["ip.flags.mf"][n4], d["ip.frag_offset"][n4], d["ip.id"][n4]
        else:
            key = "%s\t%s\t%s\t%s\t%s" % (osrc, odst, teid, d["ipv6.src"][n6], d["ipv6.dst"][n6])
            mf, off, ident = "0", "0", None
        frames[key] += 1
        if mf in ("1", "True") or off != "0":
            ent = frags[(key, ident)]
            if off == "0":
                ent[0] = True
            if mf not in ("1", "True"):
                ent[1] = True
        else:
            whole[key] += 1
    for (key, _), (first, last) in frags.items():
        if first and last:
            whole[key] += 1
    with open(out_path, "w") as f:
        f.write("# %s: G-PDUs per tunnel and inner flow, from tshark (tests/unit/data/gtpu_tunnels.py)\n" % cap.split("/")[-1])
        f.write("#datagrams\tframes\touter_src,inner_src\touter_dst,inner_dst\tteid\tinner_ipv6_src\tinner_ipv6_dst\n")
        for key in sorted(frames):
            f.write("%d\t%d\t%s\n" % (whole[key], frames[key], key))


if __name__ == "__main__":
    main()
