#!/usr/bin/python3
"""golden-helper.py - helper for tests/data/make-golden.sh (standard library only).

Subcommands:
  hub PAD UPLINK PORT...    tiny Ethernet hub for EtherType 0x88a2 between the initiator's
                            link (UPLINK) and the target links (PORTs). PAD=1 pads frames
                            shorter than 60 bytes with zeros (as a real NIC does), PAD=0
                            forwards them unchanged. Serialises bursts (see hub()) so that
                            the frame order of every capture is reproducible.
  ata IF DST SHELF SLOT TAG CMD FEATURE SCNT LBA DATALEN
                            send one crafted ATA request, print the answer.
  mkimage FILE SECTORS      deterministic image: sector n = 64 x uint64-LE n.
  frames PCAP...            print "file<TAB>frame<TAB>len<TAB>hex" for every frame.
  crosscheck PCAP...        compare our pcap reader with tshark's raw bytes (-T json -x).
  describe PCAP...          one human line per frame (used for README.md).
"""
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time

ETH_P_AOE = 0x88A2
PACKET_OUTGOING = 4

NAMES = {
    "02:ed:00:00:00:01": "vblade-A",
    "02:ed:00:00:00:02": "initiator",
    "02:ed:00:00:00:03": "vblade-B",
    "ff:ff:ff:ff:ff:ff": "broadcast",
}


# ---------------------------------------------------------------- hub
QUIET = 0.05  # seconds without frames that end a burst


def hub(pad, uplink, ports):
    """Forward AoE frames between the initiator link and the target links, in a fixed order.

    Frames from the initiator are taken as a burst (until QUIET s of silence), then handed to
    the targets one by one; after each hand-over the hub forwards everything the target sends
    back until the targets are QUIET. So every capture has the same frame order whatever the
    timing: a burst of requests, then the answers in request order, target A before target B.
    """
    def mk(ifname):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_AOE))
        s.bind((ifname, ETH_P_AOE))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        return s

    def recv(s):
        frame, addr = s.recvfrom(65536)
        if addr[2] == PACKET_OUTGOING:
            return None
        if pad and len(frame) < 60:
            frame += bytes(60 - len(frame))
        return frame

    up = mk(uplink)
    ps = [mk(p) for p in ports]
    learned = {}  # source MAC -> port index

    def from_port(s):
        frame = recv(s)
        if frame is not None:
            learned[frame[6:12]] = ps.index(s)
            up.send(frame)

    def drain_ports():
        while True:
            r, _, _ = select.select(ps, [], [], QUIET)
            if not r:
                return
            for s in r:
                from_port(s)

    print("hub ready: pad=%d uplink=%s ports=%s" % (pad, uplink, ",".join(ports)), flush=True)
    while True:
        r, _, _ = select.select([up] + ps, [], [])
        for s in r:
            if s is not up:
                from_port(s)  # unsolicited, e.g. a startup advertisement
                continue
            burst = []
            while True:
                frame = recv(up)
                if frame is not None:
                    burst.append(frame)
                if not select.select([up], [], [], QUIET)[0]:
                    break
            for frame in burst:
                dst = frame[0:6]
                targets = [ps[learned[dst]]] if dst in learned else ps
                for p in targets:
                    p.send(frame)
                    drain_ports()


# ---------------------------------------------------------------- crafted ATA request
def ata(ifname, dst, shelf, slot, tag, cmd, feature, scnt, lba, datalen):
    """Send one AoE ATA request (the way aoeping builds it) and print the answer."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_AOE))
    s.bind((ifname, ETH_P_AOE))
    src = open("/sys/class/net/%s/address" % ifname).read().strip()
    fr = (bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", "")) +
          struct.pack(">HBBHBBI", ETH_P_AOE, 0x10, 0, shelf, slot, 0, tag) +
          bytes([0, feature, scnt, cmd]) + lba.to_bytes(6, "little") + bytes(2) + bytes(datalen))
    s.send(fr)
    print("sent %d B: %s" % (len(fr), describe(fr)))
    deadline = time.time() + 3
    while time.time() < deadline:
        if not select.select([s], [], [], max(0, deadline - time.time()))[0]:
            break
        r, addr = s.recvfrom(65536)
        if addr[2] != PACKET_OUTGOING and r[14] & 8 and r[20:24] == fr[20:24]:
            print("got  %d B: %s" % (len(r), describe(r)))
            return 0
    print("no answer")
    return 1


# ---------------------------------------------------------------- image
def mkimage(path, sectors):
    with open(path, "wb") as f:
        for n in range(sectors):
            f.write(struct.pack("<Q", n) * 64)


# ---------------------------------------------------------------- pcap
def read_pcap(path):
    with open(path, "rb") as f:
        d = f.read()
    magic = struct.unpack("<I", d[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
    else:
        raise SystemExit("%s: not a classic pcap file" % path)
    linktype = struct.unpack(e + "I", d[20:24])[0]
    if linktype != 1:
        raise SystemExit("%s: link type %d, expected 1 (Ethernet)" % (path, linktype))
    off, frames = 24, []
    while off < len(d):
        _, _, incl, orig = struct.unpack(e + "IIII", d[off:off + 16])
        if incl != orig:
            raise SystemExit("%s: frame %d truncated (%d of %d bytes)" % (path, len(frames) + 1, incl, orig))
        frames.append(d[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def cmd_frames(paths):
    for p in paths:
        for i, fr in enumerate(read_pcap(p), 1):
            print("%s\t%d\t%d\t%s" % (os.path.basename(p), i, len(fr), fr.hex()))


def cmd_crosscheck(paths):
    bad = 0
    for p in paths:
        ours = read_pcap(p)
        out = subprocess.run(["tshark", "-r", p, "-T", "json", "-x"], capture_output=True, check=True).stdout
        theirs = [bytes.fromhex(pk["_source"]["layers"]["frame_raw"][0]) for pk in json.loads(out or b"[]")]
        if ours != theirs:
            bad += 1
            print("MISMATCH %s: ours %d frames, tshark %d" % (p, len(ours), len(theirs)))
        else:
            print("ok %s: %d frames, bytes identical to tshark frame_raw" % (os.path.basename(p), len(ours)))
    sys.exit(1 if bad else 0)


# ---------------------------------------------------------------- decoding
def mac(b):
    return ":".join("%02x" % x for x in b)


def who(b):
    m = mac(b)
    return NAMES.get(m, m)


def tail_kind(b):
    if not b:
        return ""
    if all(x == 0 for x in b):
        return "zeros"
    if all(x == 0xED for x in b):
        return "0xED fill"
    return "NON-ZERO garbage"


def ata_string(page, w0, w1):
    s = bytearray()
    for w in range(w0, w1 + 1):
        s += bytes([page[2 * w + 1], page[2 * w]])
    return s.decode("latin-1").rstrip(" \0")


def word(page, w):
    return page[2 * w] | page[2 * w + 1] << 8


def describe_identify(page):
    lba28 = word(page, 60) | word(page, 61) << 16
    lba48 = sum(word(page, 100 + i) << (16 * i) for i in range(4))
    return ('IDENTIFY page: model "%s" serial "%s" fw "%s" w49 0x%04x w82 0x%04x w83 0x%04x '
            'w86 0x%04x lba28 %d lba48 %d' % (
                ata_string(page, 27, 46), ata_string(page, 10, 19), ata_string(page, 23, 26),
                word(page, 49), word(page, 82), word(page, 83), word(page, 86), lba28, lba48))


def describe(fr):
    n = len(fr)
    head = "%s -> %s" % (who(fr[6:12]), who(fr[0:6]))
    if n < 24 or fr[12:14] != b"\x88\xa2":
        return head + ": not AoE, %d B" % n
    vf, err = fr[14], fr[15]
    ver, resp, eflag = vf >> 4, bool(vf & 8), bool(vf & 4)
    major, minor, cmd = struct.unpack(">H", fr[16:18])[0], fr[18], fr[19]
    tag = struct.unpack(">I", fr[20:24])[0]
    kind = "response" if resp else "request"
    hdr = "ver %d flags 0x%x%s%s shelf %s slot %s tag 0x%08x" % (
        ver, vf & 0xF, " R" if resp else "", " E error %d" % err if eflag else "",
        "0xffff" if major == 0xFFFF else major, "0xff" if minor == 0xFF else minor, tag)
    used = 24
    if cmd == 1 and n >= 32:
        bufcnt, fw = struct.unpack(">HH", fr[24:28])
        scnt, vc = fr[28], fr[29]
        clen = struct.unpack(">H", fr[30:32])[0]
        cs = fr[32:32 + clen]
        used = 32 + clen
        shown = cs.decode("latin-1") if cs and all(32 <= x < 127 for x in cs) else (tail_kind(cs) if cs else "")
        body = "Config %s: %s bufcnt %d fw 0x%04x scnt %d aoever %d ccmd %d cfglen %d%s" % (
            kind, hdr, bufcnt, fw, scnt, vc >> 4, vc & 0xF, clen,
            (' cfg "%s"' % shown) if shown and not shown.startswith(("zeros", "0xED", "NON")) else
            (" cfg [%s]" % shown if shown else ""))
        if clen > n - 32:
            body += " (cfglen exceeds frame!)"
            used = n
    elif cmd == 0 and n >= 36:
        af, fe, sc, cs = fr[24], fr[25], fr[26], fr[27]
        lba = int.from_bytes(fr[28:34], "little")
        if resp:
            regs = "aflags 0x%02x err 0x%02x scnt %d status 0x%02x lba 0x%012x" % (af, fe, sc, cs, lba)
        else:
            regs = "aflags 0x%02x feature 0x%02x scnt %d cmd 0x%02x lba 0x%012x" % (af, fe, sc, cs, lba)
        data = n - 36
        body = "ATA %s: %s %s data %d B" % (kind, hdr, regs, data)
        used = n
        if resp and data >= 512 and not eflag and fe == 0 and cs & 0x01 == 0:
            # identify response (the only ATA data responses in these captures)
            body += "; " + describe_identify(fr[36:36 + 512])
        elif data:
            body += " [%s]" % tail_kind(fr[36:])
    else:
        body = "Command %d %s: %s" % (cmd, kind, hdr)
        used = n
    size = "%d B" % n
    if n < 60:
        size += ", UNPADDED (< 60)"
    elif used < n:
        size += ", %d B after content: %s" % (n - used, tail_kind(fr[used:]))
    return "%s: %s; %s" % (head, body, size)


def cmd_describe(paths):
    for p in paths:
        for i, fr in enumerate(read_pcap(p), 1):
            print("%d. %s" % (i, describe(fr)))


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    c, a = argv[1], argv[2:]
    if c == "hub":
        hub(a[0] == "1", a[1], a[2:])
    elif c == "ata":
        sys.exit(ata(a[0], a[1], int(a[2]), int(a[3]), int(a[4], 0), int(a[5], 0), int(a[6], 0),
                     int(a[7]), int(a[8], 0), int(a[9])))
    elif c == "mkimage":
        mkimage(a[0], int(a[1]))
    elif c == "frames":
        cmd_frames(a)
    elif c == "crosscheck":
        cmd_crosscheck(a)
    elif c == "describe":
        cmd_describe(a)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
