#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
"""The desktop app with a LAN of many targets (1000 by default): how long
the Network disks table takes to fill, and what CPU the app (and the
helper feeding it) use while every target is lost and comes back.

Two network namespaces joined by a veth pair (run-bench.py's, created and
removed here): in one, etherdisk-helper on a private system bus with
polkitd (tests/helper/start-test-bus.sh), discovering the LAN; in the
other, one etherdisk-target process serving N exports (slices of one
sparse image in /dev/shm), shelves 10 and up, 25 slots each. gui-bench
(tests/bench/gui-bench.cpp: the app's own model and MainWindow) runs
under Xvfb (offscreen where Xvfb is missing) against that bus. Phases:

  fill      from the model's start to N rows, the first paint after it,
            then a sort by State, a filter and clearing it
  steady    10 s with nothing changing (the helper polls every 2 s)
  loss      the target is killed: until the app shows all N lost
  recovery  the target starts again: until the app shows all N online

Usage (root):  tests/bench/gui-bench.py [--build DIR] [--no-build] [--targets N]
                                        [--markdown FILE]
"""

import argparse
import importlib.util
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location("run_bench", os.path.join(ROOT, "tests/bench/run-bench.py"))
rb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rb)

SLOTS_PER_SHELF = 25
SLICE_SECTORS = 2048  # 1 MiB per export


def clock_ticks(pid):
    """utime + stime of pid, in ms."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 // os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0


class Lan:
    """etherdisk-target in NS_I serving n slices of one sparse image."""

    def __init__(self, build, n, workdir):
        self.build = build
        self.image = os.path.join("/dev/shm", f"etherdisk-gui-bench-{os.getpid()}.img")
        with open(self.image, "wb") as f:
            f.truncate(n * SLICE_SECTORS * 512)
        self.conf = os.path.join(workdir, "lan.conf")
        with open(self.conf, "w") as f:
            for i in range(n):
                shelf, slot = 10 + i // SLOTS_PER_SHELF, i % SLOTS_PER_SHELF
                f.write(f"[export {shelf}.{slot}]\npath = {self.image}\ninterfaces = {rb.IF_I}\n"
                        f"offset = {i * SLICE_SECTORS}\nlength = {SLICE_SECTORS}\n\n")
        self.proc = None
        self.log = open(os.path.join(workdir, "target.log"), "w+b")

    def start(self):
        self.proc = subprocess.Popen(["ip", "netns", "exec", rb.NS_I,
                                      os.path.join(self.build, "app/etherdisk-target/etherdisk-target"),
                                      "--config", self.conf, "--state-dir", ""],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        time.sleep(1)
        if self.proc.poll() is not None:
            self.log.seek(0)
            raise RuntimeError("etherdisk-target exited at once: " + self.log.read().decode()[-500:])

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def remove(self):
        if self.proc and self.proc.poll() is None:
            self.kill()
        os.unlink(self.image)


def start_display(workdir):
    """Xvfb on a free display number: (process, env) or (None, offscreen env)."""
    if not shutil.which("Xvfb"):
        return None, {"QT_QPA_PLATFORM": "offscreen"}
    for n in range(90, 120):
        if os.path.exists(f"/tmp/.X11-unix/X{n}") or os.path.exists(f"/tmp/.X{n}-lock"):
            continue
        p = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if os.path.exists(f"/tmp/.X11-unix/X{n}"):
                return p, {"DISPLAY": f":{n}", "QT_QPA_PLATFORM": "xcb"}
            time.sleep(0.1)
        p.kill()
    raise RuntimeError("Xvfb did not start")


class Gui:
    def __init__(self, build, n, address, display_env):
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address, LC_ALL="C.UTF-8", LANGUAGE="")
        env.update(display_env)
        self.proc = subprocess.Popen([os.path.join(build, "tests/bench/gui-bench"), str(n)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)

    def next(self, timeout):
        """The next JSON line (None at end of output or after timeout seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # readline() alone would wait forever for a line that never comes.
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                return None
            line = self.proc.stdout.readline()
            if not line:
                return None
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def phase(gui, helper_pid, action, until, limit_s):
    """action(), then ticks until until(tick) or limit_s: seconds, GUI CPU ms, helper CPU ms,
    worst lag, rows changed."""
    start, h0 = time.monotonic(), clock_ticks(helper_pid)
    action()
    cpu = lag = changed = 0
    done = False
    while time.monotonic() - start < limit_s:
        t = gui.next(limit_s + 5)
        if t is None:
            raise RuntimeError("gui-bench ended early")
        cpu += t["cpu_ms"]
        lag = max(lag, t["max_lag_ms"])
        changed += t["changed_rows"]
        if until and until(t):
            done = True
            break
    return {"seconds": time.monotonic() - start, "done": done if until else None, "gui_cpu_ms": cpu,
            "helper_cpu_ms": clock_ticks(helper_pid) - h0, "max_lag_ms": lag, "changed_rows": changed}


def report(n, fill, phases, rss):
    out = [f"Network disks table with {n} targets (gui-bench, {fill['display']})", "",
           "| fill | ms |", "|---|---|",
           f"| first row | {fill['first_row_ms']} |",
           f"| all {n} rows | {fill['full_ms']} |",
           f"| first paint with all rows | {fill['painted_ms']} |",
           f"| sort by State, then paint | {fill['sort_ms']} |",
           f"| filter \"e17.\" ({fill['filtered_rows']} rows), then paint | {fill['filter_ms']} |",
           f"| clear the filter, then paint | {fill['unfilter_ms']} |",
           f"| app CPU until then | {fill['cpu_ms']} |", "",
           "| phase | seconds | reached | app CPU ms | app CPU % of a core | helper CPU ms "
           "| rows changed | worst event-loop lateness ms |",
           "|---|---|---|---|---|---|---|---|"]
    for name, p in phases:
        share = 100.0 * p["gui_cpu_ms"] / (p["seconds"] * 1000) if p["seconds"] else 0
        out.append(f"| {name} | {p['seconds']:.1f} | {'-' if p['done'] is None else 'yes' if p['done'] else 'NO'} | {p['gui_cpu_ms']} "
                   f"| {share:.1f} | {p['helper_cpu_ms']} | {p['changed_rows']} | {p['max_lag_ms']} |")
    out += ["", f"App peak RSS: {rss:.0f} MiB."]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--targets", type=int, default=1000)
    ap.add_argument("--markdown")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("gui-bench.py needs root (network namespaces, a private system bus)")
    if not a.no_build:
        rb.sh("cmake", "--build", a.build, "--target", "gui-bench", "etherdisk-helper", "etherdisk-target")
    workdir = tempfile.mkdtemp(prefix="etherdisk-gui-bench-", dir="/tmp")
    lan = bus = gui = xvfb = None
    try:
        rb.netns_up(1500)
        lan = Lan(a.build, a.targets, workdir)
        lan.start()
        bus = rb.HelperBus(a.build, ROOT)
        r = bus.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                       "GetConnectionUnixProcessID", "s", "org.etherdisk.Etherdisk1")
        if r.returncode != 0:
            # Not activated yet: any call to it starts it.
            bus.busctl("introspect", "org.etherdisk.Etherdisk1", "/org/etherdisk/Etherdisk1/Manager")
            r = bus.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                           "GetConnectionUnixProcessID", "s", "org.etherdisk.Etherdisk1")
        helper_pid = int(r.stdout.split()[-1])
        xvfb, display_env = start_display(workdir)
        gui = Gui(a.build, a.targets, bus.address, display_env)
        fill = gui.next(120)
        if not fill or fill.get("event") != "full":
            raise RuntimeError(f"the table did not reach {a.targets} rows within 120 s")
        fill["display"] = "Xvfb" if xvfb else "offscreen"
        n = a.targets
        phases = [("steady, 10 s", phase(gui, helper_pid, lambda: None, None, 10))]
        phases.append(("loss: kill to all shown lost",
                       phase(gui, helper_pid, lan.kill, lambda t: t["lost"] == n, 30)))
        phases.append(("recovery: start to all shown online",
                       phase(gui, helper_pid, lan.start, lambda t: t["online"] == n, 30)))
        rss = peak_rss_mib(gui.proc.pid)
        text = report(n, fill, phases, rss)
        print(text)
        if a.markdown:
            with open(a.markdown, "w") as f:
                f.write(text + "\n")
    finally:
        if gui:
            gui.stop()
        if xvfb:
            xvfb.kill()
        if bus:
            bus.stop()
        if lan:
            lan.remove()
        rb.netns_down()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
