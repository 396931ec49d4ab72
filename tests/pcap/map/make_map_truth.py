#!/usr/bin/env python3
"""Writes capture.pcap.map.tsv next to every tests/pcap/map/*/capture.pcap: what tshark
(the oracle) decodes of the TCAP / MAP / SMS in it, one row per TCAP message and per
component, from tshark's PDML (so fields stay tied to their component, which flat field
lists with several occurrences per frame do not):

  tcap  frame, ip src, ip dst, message (begin/continue/end/abort/unidirectional), otid,
        dtid, application context name, AARE result
  comp  frame, ip src, ip dst, otid, dtid, application (gsm_map or camel), component
        kind (1 invoke, 2 returnResultLast, 3 returnError, 4 reject, 7 notLast),
        invokeID, opcode, error code, SM-RP-DA choice, its digits (IMSI or address),
        its nature of number, SM-RP-OA choice, digits, nature, TP-MTI, TP type of number,
        TP-OA / TP-DA / TP-RA
  text  the hex of every message text tshark decodes (gsm_sms.sms_text): what
        tests/scripts/test_map_content.sh proves reaches no output

The shared truth file (capture.pcap.truth.tsv, /work/shared/tools/make_truth.py) is
written alongside by make_map_pcaps.py's caller; this one adds what it leaves out.
Usage: make_map_truth.py [CASE_DIR ...]   (default: every case under tests/pcap/map)
Needs tshark (4.0 was used)."""
import glob
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TCAP_TYPES = {"begin_element": "begin", "continue_element": "continue", "end_element": "end",
              "abort_element": "abort", "unidirectional_element": "unidirectional"}
COMP_COLS = ["frame", "src", "dst", "otid", "dtid", "app", "kind", "invoke_id", "opcode", "error",
             "da_choice", "da_value", "da_noa", "oa_choice", "oa_value", "oa_noa",
             "tp_mti", "tp_ton", "tp_addr"]
TCAP_COLS = ["frame", "src", "dst", "type", "otid", "dtid", "ac", "result"]


def fields(elem, suffix):
    return [f for f in elem.iter("field") if f.get("name", "").endswith(suffix)]


def first(elem, name):
    for f in elem.iter("field"):
        if f.get("name") == name:
            return f.get("show", "")
    return ""


def rp_addr(comp, which):
    """(choice, digits, nature of number) of sm-RP-DA / sm-RP-OA."""
    for f in fields(comp, "." + which):
        choice = f.get("show", "")
        digits = first(f, "e212.imsi") or first(f, "e164.msisdn")
        noa = first(f, "gsm_map.nature_of_number")
        return choice, digits, noa
    return "", "", ""


CAMEL_KINDS = {"camel.invoke_element": "1", "camel.returnResult_element": "2",
               "camel.returnError_element": "3", "camel.reject_element": "4"}


def camel_rows(proto, ctx):
    rows = []
    for comp in proto:
        kind = CAMEL_KINDS.get(comp.get("name", ""))
        if kind:
            rows.append(dict(ctx, app="camel", kind=kind, opcode=first(comp, "camel.local"),
                             invoke_id=first(comp, "camel.present")))
    return rows


def component_rows(proto, ctx):
    if proto.get("name") == "camel":
        return camel_rows(proto, ctx)
    rows = []
    for comp in proto.iter("field"):
        if comp.get("name") != "gsm_map.old.Component" and comp.get("name") != "camel.Component":
            continue
        row = dict(ctx)
        row["app"] = proto.get("name")
        row["kind"] = comp.get("show", "")
        row["invoke_id"] = next((f.get("show") for f in comp.iter("field") if f.get("name", "").endswith(".invokeID")), "")
        for f in comp.iter("field"):
            n = f.get("name", "")
            if n.endswith(".opCode") and not row.get("opcode"):
                row["opcode"] = next((g.get("show") for g in f.iter("field") if g.get("name", "").endswith("localValue")), "")
            if n.endswith(".errorCode") and not row.get("error"):
                row["error"] = next((g.get("show") for g in f.iter("field") if g.get("name", "").endswith("localValue")), "")
        row["da_choice"], row["da_value"], row["da_noa"] = rp_addr(comp, "sm_RP_DA")
        row["oa_choice"], row["oa_value"], row["oa_noa"] = rp_addr(comp, "sm_RP_OA")
        rows.append(row)
    return rows


def packets(pcap):
    xml = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "pdml"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, check=True).stdout
    return ET.fromstring(xml).findall("packet")


def case(case_dir):
    pcap = os.path.join(case_dir, "capture.pcap")
    tcap_rows, comp_rows, texts = [], [], []
    for pkt in packets(pcap):
        frame = src = dst = ""
        ctx = None
        for proto in pkt.findall("proto"):
            name = proto.get("name")
            if name == "frame":
                frame = first(proto, "frame.number")
            elif name == "ip":
                src, dst = first(proto, "ip.src"), first(proto, "ip.dst")
            elif name == "tcap":
                kind = next((TCAP_TYPES[f.get("name")[5:]] for f in proto.iter("field")
                             if f.get("name", "")[5:] in TCAP_TYPES), "")
                ctx = {"frame": frame, "src": src, "dst": dst, "otid": first(proto, "tcap.otid").replace(":", ""),
                       "dtid": first(proto, "tcap.dtid").replace(":", "")}
                tcap_rows.append(dict(ctx, type=kind, ac=first(proto, "tcap.application_context_name"),
                                      result=first(proto, "tcap.result")))
            elif name in ("gsm_map", "camel") and ctx is not None:
                comp_rows += component_rows(proto, ctx)
            elif name == "gsm_sms" and comp_rows:
                last = comp_rows[-1]
                last["tp_mti"] = first(proto, "gsm_sms.tp-mti")
                last["tp_ton"] = first(proto, "gsm_sms.dis_field_addr.num_type")
                last["tp_addr"] = first(proto, "gsm_sms.tp-oa") or first(proto, "gsm_sms.tp-da") or \
                    first(proto, "gsm_sms.tp-ra")
                for f in proto.iter("field"):
                    if f.get("name") == "gsm_sms.sms_text" and f.get("show"):
                        texts.append(f.get("show").encode("utf-8").hex())
    out = [f"# MAP truth for {os.path.basename(case_dir)}, decoded by tshark (tests/pcap/map/make_map_truth.py)",
           "#section=tcap", "#cols=" + "\t".join(TCAP_COLS)]
    out += ["tcap\t" + "\t".join(r.get(c, "") for c in TCAP_COLS) for r in tcap_rows]
    out += ["#section=comp", "#cols=" + "\t".join(COMP_COLS)]
    out += ["comp\t" + "\t".join(r.get(c, "") or "" for c in COMP_COLS) for r in comp_rows]
    out += ["#section=text", "#cols=hex"] + [f"text\t{t}" for t in texts]
    with open(pcap + ".map.tsv", "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")
    print(f"{case_dir}: {len(tcap_rows)} tcap, {len(comp_rows)} components, {len(texts)} texts")


def main():
    dirs = sys.argv[1:] or sorted(os.path.dirname(p) for p in glob.glob(os.path.join(HERE, "*", "capture.pcap")))
    for d in dirs:
        case(d)


if __name__ == "__main__":
    main()
