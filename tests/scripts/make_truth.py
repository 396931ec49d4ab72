#!/usr/bin/env python3
# Copied unchanged (but for this note) from the project's shared ground-truth tool,
# /work/shared/tools/make_truth.py, so test_gen_tshark.sh runs it wherever the repository is.
"""Generate <pcap>.truth.tsv ground-truth files with tshark 4.0 (and ndpiReader for app flows).
Usage: make_truth.py PCAP [--rtp-heuristic] [--ndpi] [--smpp]
Every non-empty section is written as:  '#section=<name>' line, '#cmd=<exact command>' line,
'#cols=<tab separated column names>' line, then data rows whose first column is <name>."""
import subprocess, sys, os, re, tempfile, shlex

COMMON = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst"]
SECTIONS = [
 ("sip", "sip.Method or sip.Status-Code", ["sip.Method","sip.Status-Code","sip.CSeq.method","sip.from.user","sip.to.user","sip.from.addr","sip.to.addr","sip.r-uri.user","sip.Call-ID","sip.P-Asserted-Identity"]),
 ("sms_over_ims", "sip.Method==\"MESSAGE\" or gsm_sms", ["sip.Method","sip.from.addr","sip.to.addr","sip.Call-ID","gsm_sms.tp-mti","gsm_sms.tp-oa","gsm_sms.tp-da","gsm_a.dtap.clg_party_bcd_num","gsm_a.dtap.cld_party_bcd_num"]),
 ("smpp", "smpp", ["tcp.srcport","tcp.dstport","smpp.command_id","smpp.command_status","smpp.sequence_number","smpp.system_id","smpp.source_addr","smpp.destination_addr","smpp.message_id"]),
 ("sigtran", "m3ua or sua or m2ua", ["sctp.srcport","sctp.dstport","m3ua.protocol_data_opc","m3ua.protocol_data_dpc","m3ua.protocol_data_si","sccp.called.digits","sccp.calling.digits","sccp.called.ssn","sccp.calling.ssn","tcap.otid","tcap.dtid","gsm_old.localValue","gsm_map.old.Component","camel.local","e212.imsi","e164.msisdn","gsm_map.sm.msisdn","gsm_sms.tp-oa","gsm_sms.tp-da","isup.calling","isup.called"]),
 ("gtpv1c", "gtp and gtp.message != 0xff and not icmp", ["udp.srcport","udp.dstport","gtp.message","gtp.teid","e212.imsi","gsm_map.msisdn","e164.msisdn","gtp.apn","gtp.user_ipv4","gtp.gsn_ipv4","gtp.teid_cp","gtp.teid_data"]),
 ("gtpv2c", "gtpv2 and not icmp", ["udp.srcport","udp.dstport","gtpv2.message_type","gtpv2.teid","e212.imsi","e164.msisdn","gtpv2.mei","gtpv2.apn","gtpv2.pdn_addr_and_prefix.ipv4","gtpv2.pdn_addr_and_prefix.ipv6","gtpv2.f_teid_interface_type","gtpv2.f_teid_gre_key","gtpv2.f_teid_ipv4"]),
 ("radius", "radius", ["udp.srcport","udp.dstport","radius.code","radius.id","radius.User_Name","radius.Calling_Station_Id","radius.Called_Station_Id","radius.Framed-IP-Address","radius.Framed_IPv6_Prefix","radius.Acct_Status_Type","radius.Acct_Session_Id","radius.NAS_IP_Address","radius.3GPP_IMSI"]),
 ("diameter", "diameter", ["diameter.cmd.code","diameter.flags.request","diameter.applicationId","diameter.Session-Id","diameter.Origin-Host","diameter.Destination-Host","diameter.User-Name","diameter.Subscription-Id-Type","diameter.Subscription-Id-Data","diameter.Public-Identity","diameter.Framed-IP-Address.IPv4","diameter.Called-Station-Id","diameter.CC-Request-Type"]),
 ("dns", "dns", ["dns.flags.response","dns.id","dns.qry.name","dns.qry.type","dns.a","dns.aaaa","dns.cname"]),
 ("tls_clienthello", "tls.handshake.type == 1 and tcp", ["tcp.srcport","tcp.dstport","tls.handshake.extensions_server_name","tls.handshake.extensions_alpn_str"]),
 ("quic_initial", "quic.long.packet_type == 0 and tls.handshake.type == 1", ["udp.srcport","udp.dstport","quic.version","quic.dcid","tls.handshake.extensions_server_name","tls.handshake.extensions_alpn_str"]),
]
OPTS = ["-E","header=n","-E","separator=/t","-E","occurrence=a","-E","aggregator=,"]

def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors="replace").stdout

def main():
    f = sys.argv[1]; heur = "--rtp-heuristic" in sys.argv; ndpi = "--ndpi" in sys.argv
    base = os.path.basename(f)
    out = [f"# ground truth for {base}; generated with TShark 4.0.17 (Debian 12) and, for ndpi_flows, ndpiReader/nDPI 4.2.0",
           "# columns are listed per section in '#cols='; multiple values in one field are joined with ','; tunnelled packets list outer,inner addresses"]
    summary = {}
    for name, filt, fields in SECTIONS:
        if name == "smpp" and "--smpp" not in sys.argv: continue  # SMPP is heuristic-only in tshark; only trusted in SMPP-labelled captures
        cols = COMMON + fields
        cmd = ["tshark","-n","-r",base,"-Y",filt,"-T","fields"] + sum([["-e",c] for c in cols],[]) + OPTS
        rows = [l for l in run(["tshark","-n","-r",f] + cmd[4:]).splitlines() if l.strip()]
        if not rows: continue
        summary[name] = len(rows)
        out.append(f"#section={name}")
        out.append("#cmd=" + " ".join(shlex.quote(c) for c in cmd))
        out.append("#cols=proto\t" + "\t".join(cols))
        out += [f"{name}\t{r}" for r in rows]
    # GTP-U tunnels (aggregated)
    cmd = ["tshark","-n","-r",base,"-Y","gtp.message == 0xff","-T","fields","-e","ip.src","-e","ip.dst","-e","gtp.teid","-e","ipv6.src","-e","ipv6.dst"] + OPTS
    rows = [l for l in run(["tshark","-n","-r",f] + cmd[4:]).splitlines() if l.strip()]
    if rows:
        from collections import Counter
        c = Counter(rows)
        summary["gtpu_tunnels"] = len(c)
        out.append("#section=gtpu_tunnels")
        out.append("#cmd=" + " ".join(shlex.quote(x) for x in cmd) + " | sort | uniq -c   (aggregated per tunnel/inner-flow)")
        out.append("#cols=proto\tpackets\touter_ip_src,inner_ip_src\touter_ip_dst,inner_ip_dst\tgtp.teid\tinner_ipv6.src\tinner_ipv6.dst")
        for k, n in sorted(c.items(), key=lambda kv: -kv[1]):
            out.append(f"gtpu_tunnels\t{n}\t{k}")
    # RTP streams
    cmd = ["tshark","-n","-r",base] + (["--enable-heuristic","rtp_udp"] if heur else []) + ["-q","-z","rtp,streams"]
    txt = run(["tshark","-n","-r",f] + cmd[4:])
    rows = []
    pat = re.compile(r"^\s*([\d.]+)\s+([\d.]+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(0x[0-9A-Fa-f]+)\s+(.*?)\s+(\d+)\s+(-?\d+) \(")
    for l in txt.splitlines():
        m = pat.match(l)
        if m: rows.append("\t".join(m.groups()))
    if rows:
        summary["rtp_streams"] = len(rows)
        out.append("#section=rtp_streams")
        out.append("#cmd=" + " ".join(shlex.quote(x) for x in cmd))
        out.append("#cols=proto\tstart_rel_s\tend_rel_s\tsrc_ip\tsrc_port\tdst_ip\tdst_port\tssrc\tpayload\tpackets\tlost")
        out += [f"rtp_streams\t{r}" for r in rows]
    if ndpi:
        tmp = tempfile.mktemp(suffix=".csv")
        subprocess.run(["ndpiReader","-i",f,"-C",tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rows = []
        if os.path.exists(tmp):
            import csv
            with open(tmp) as fh:
                rd = csv.reader(fh)
                hdr = next(rd)
                idx = {h.lstrip('#'): i for i, h in enumerate(hdr)}
                for r in rd:
                    g = lambda k: r[idx[k]] if idx.get(k) is not None and idx[k] < len(r) else ""
                    rows.append([g("first_seen"), g("src_ip"), g("src_port"), g("dst_ip"), g("dst_port"), g("protocol"), g("ndpi_proto"), g("server_name_sni"), g("c_to_s_pkts"), g("s_to_c_pkts")])
            os.unlink(tmp)
        rows.sort(key=lambda r: float(r[0] or 0))
        if rows:
            summary["ndpi_flows"] = len(rows)
            out.append("#section=ndpi_flows")
            out.append(f"#cmd=ndpiReader -i {base} -C flows.csv   (nDPI 4.2.0; columns selected from its CSV)")
            out.append("#cols=proto\tfirst_seen\tsrc_ip\tsrc_port\tdst_ip\tdst_port\tl4proto\tndpi_proto\tserver_name_sni\tc_to_s_pkts\ts_to_c_pkts")
            out += ["ndpi_flows\t" + "\t".join(r) for r in rows]
    open(f + ".truth.tsv", "w").write("\n".join(out) + "\n")
    print(base, " ".join(f"{k}:{v}" for k, v in summary.items()))

main()
