#!/usr/bin/env python3
"""Writes capture.pcap.sms.tsv next to every tests/pcap/sms/*/capture.pcap: what tshark
(the oracle) decodes of the SMS in it, with the fields the SMS tests need and the shared
truth files leave out (types of number, RP/TP message types, CSeq, status codes):

  smpp  frame, tcp ports, command_id, command_status, sequence_number, source TON and
        address, destination TON(s) and address(es), distribution list names,
        message_id, receipted_message_id, esm_class message type
  sip   frame, Method, Status-Code, From, To, P-Asserted-Identity, Request-URI, Call-ID,
        CSeq number and method, Content-Type, RP message type, TP-MTI, TP TON, TP-OA,
        TP-DA, TP-RA
  text  the hex of every message text tshark decodes (smpp.message_text, the
        message_payload TLV, gsm_sms.sms_text, text/plain SIP bodies) and of SMPP bind
        passwords: what tests/scripts/test_sms_content.sh proves reaches no output

Usage: make_sms_truth.py [CASE_DIR ...]   (default: every case under tests/pcap/sms)
Needs tshark (4.0 was used). The SMPP port is forced to SMPP (-d) because tshark's SMPP
dissector is heuristic."""
import glob
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
DECODE = ["-d", "tcp.port==2775,smpp", "-d", "tcp.port==9000,smpp"]

SECTIONS = {
    "smpp": ("smpp", ["frame.number", "tcp.srcport", "tcp.dstport", "smpp.command_id",
                      "smpp.command_status", "smpp.sequence_number", "smpp.source_addr_ton",
                      "smpp.source_addr", "smpp.dest_addr_ton", "smpp.destination_addr",
                      "smpp.dl_name", "smpp.message_id", "smpp.receipted_message_id",
                      "smpp.esm.submit.msg_type"]),
    "sip": ('sip.Method == "MESSAGE" or sip.CSeq.method == "MESSAGE"',
            ["frame.number", "sip.Method", "sip.Status-Code", "sip.from.addr", "sip.to.addr",
             "sip.pai.addr", "sip.r-uri", "sip.Call-ID", "sip.CSeq.seq", "sip.CSeq.method",
             "sip.Content-Type", "gsm_a.rp.msg_type", "gsm_sms.tp-mti",
             "gsm_sms.dis_field_addr.num_type", "gsm_sms.tp-oa", "gsm_sms.tp-da", "gsm_sms.tp-ra"]),
}


def tshark(args):
    return subprocess.run(["tshark", "-n"] + DECODE + args, capture_output=True, text=True,
                          check=True).stdout


def fields(capture, filt, cols):
    cmd = ["-r", capture, "-Y", filt, "-T", "fields"]
    for c in cols:
        cmd += ["-e", c]
    cmd += ["-E", "header=n", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    return [l for l in tshark(cmd).splitlines() if l.strip()], cmd


def texts(capture):
    """Every decoded message text, as bytes (PDML: the values are not split on ',')."""
    pdml = tshark(["-r", capture, "-Y", "smpp or gsm_sms or sip", "-T", "pdml"])
    out = []
    for field in ET.fromstring(pdml).iter("field"):
        name = field.get("name", "")
        if name in ("smpp.message", "smpp.message_payload"):
            out.append(bytes.fromhex(field.get("value", "")))
        elif name == "smpp.password":
            out.append(field.get("show", "").encode())
        elif name == "gsm_sms.sms_text":
            out.append(field.get("show", "").encode())
    for proto in ET.fromstring(pdml).iter("proto"):
        if proto.get("name") == "data-text-lines":
            for line in proto.iter("field"):
                show = line.get("show", "")
                if show:
                    out.append(show.replace("\\r", "").replace("\\n", "").strip().encode())
    seen, uniq = set(), []
    for t in out:
        if t and t not in seen:
            seen.add(t)
            uniq.append(t)
    return uniq


def main():
    cases = sys.argv[1:] or sorted(glob.glob(os.path.join(HERE, "*")))
    for case in cases:
        capture = os.path.join(case, "capture.pcap")
        if not os.path.isfile(capture):
            continue
        lines = ["# SMS truth for %s, decoded by tshark (tests/pcap/sms/make_sms_truth.py)" %
                 os.path.basename(case)]
        for name, (filt, cols) in SECTIONS.items():
            rows, _ = fields(capture, filt, cols)
            lines.append("#section=" + name)
            lines.append("#cmd=tshark -n " + " ".join(DECODE) + " -r capture.pcap -Y '" + filt +
                         "' -T fields " + " ".join("-e " + c for c in cols) +
                         " -E separator=/t -E occurrence=a -E aggregator=,")
            lines.append("#cols=" + "\t".join(cols))
            lines += [name + "\t" + r for r in rows]
        lines.append("#section=text")
        lines.append("#cols=hex (message texts and bind passwords as tshark decodes them)")
        lines += ["text\t" + t.hex() for t in texts(capture)]
        with open(capture + ".sms.tsv", "w") as f:
            f.write("\n".join(lines) + "\n")
        print("wrote", capture + ".sms.tsv")


if __name__ == "__main__":
    main()
