#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
"""Where a target's CPU time goes: one target serving a 512 MiB image in
/dev/shm over run-bench.py's veth pair, loaded by `etherdiskctl bench`, with
the load generator and the target pinned to a CPU each, while `perf record`
samples the target and `strace -c` (a second, separate run: it slows the
target) counts its system calls per request.

Usage (root):  tests/bench/profile-target.py [--build DIR] [--target etherdisk|vblade|null|store]
                   [--mtu 9000] [--mode randread] [--size BYTES] [--one-frame] [--window N]
                   [--seconds 5] [--top 25]
Prints the load run's result, perf's flat profile of the target (symbols
above 1 %), and system calls per request. Needs a Release build
(run-bench.py makes one in build-bench/).
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("run_bench", os.path.join(here, "run-bench.py"))
rb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rb)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(here))
    ap.add_argument("--build", default=os.path.join(root, "build-bench"))
    ap.add_argument("--target", default="etherdisk", choices=["etherdisk", "vblade", "null", "store"])
    ap.add_argument("--mtu", type=int, default=9000)
    ap.add_argument("--mode", default="randread")
    ap.add_argument("--size", type=int)
    ap.add_argument("--window", type=int, default=0)
    ap.add_argument("--one-frame", action="store_true")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("profile-target.py needs root (network namespaces, raw frames, perf)")
    build = os.path.abspath(args.build)
    shm = tempfile.mkdtemp(prefix="etherdisk-profile-", dir="/dev/shm")
    img = os.path.join(shm, "img")
    with open(img, "wb") as f:
        f.truncate(512 << 20)
    rb.sh("dd", "if=/dev/zero", "of=" + img, "bs=1M", "count=512", "conv=notrunc", "status=none")
    argv = {
        "etherdisk": [os.path.join(build, "app/etherdisk-target/etherdisk-target"), "--state-dir=",
                      "-b", "64", "1", "1", rb.IF_T, img],
        "vblade": ["vblade", "-b", "64", "1", "1", rb.IF_T, img],
    }.get(args.target) or rb.yardstick_argv(os.path.join(build, "tests/bench/null-responder"),
                                            args.target, img, 512 << 20)
    load_cpu, target_cpu = rb.cpu_pair()
    pin = ["taskset", "-c", str(target_cpu)] if target_cpu is not None else []
    perf_data = os.path.join(shm, "perf.data")
    rb.netns_up(args.mtu)
    try:
        # 1. perf record over the middle of a load run.
        t = rb.Target(pin + argv)
        try:
            perf = subprocess.Popen(["perf", "record", "-q", "-F", "1999", "-g", "-o", perf_data,
                                     "-p", str(t.proc.pid), "--", "sleep", str(max(1, args.seconds - 1))],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            r = rb.bench(build, t.proc.pid, args.mode, args.window, args.seconds, args.size,
                         cpu=load_cpu, one_frame=args.one_frame)
            perf.wait()
        finally:
            t.stop()
        print(f"== {args.target}, MTU {args.mtu}, {args.mode}"
              f"{' ' + str(args.size) if args.size else ''}{' one frame' if args.one_frame else ''}: "
              f"{r.get('mb_per_s', 0):,.1f} MB/s, {r.get('iops', 0):,.0f} IOPS, "
              f"target CPU {r.get('target_cpu_s_per_gb', 0):.2f} s/GB")
        report = subprocess.run(["perf", "report", "-i", perf_data, "--stdio", "--no-children",
                                 "--sort", "dso,symbol", "--percent-limit", "0.7", "-g", "none"],
                                capture_output=True, text=True).stdout
        lines = [l for l in report.splitlines() if l.strip() and not l.startswith("#")]
        print("\n".join(lines[:args.top]))
        # 2. system calls per request, in a run of its own (strace slows it).
        t = rb.Target(pin + argv)
        try:
            counts = os.path.join(shm, "strace")
            st = subprocess.Popen(["strace", "-f", "-c", "-o", counts, "-p", str(t.proc.pid)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            r2 = rb.bench(build, t.proc.pid, args.mode, args.window, args.seconds, args.size,
                          cpu=load_cpu, one_frame=args.one_frame)
            st.terminate()
            st.wait()
        finally:
            t.stop()
        ios = max(1, r2.get("ios", 0))
        print(f"== system calls per request (under strace: {r2.get('ios', 0):,} requests)")
        with open(counts) as f:
            for line in f:
                w = line.split()
                if len(w) >= 5 and w[3].isdigit() and w[-1] != "total":
                    print(f"  {w[-1]:24} {int(w[3]) / ios:8.3f}")
    finally:
        rb.netns_down()
        subprocess.run(["rm", "-rf", shm])


if __name__ == "__main__":
    main()
