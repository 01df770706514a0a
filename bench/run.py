"""samla's benchmark: samla merge against a fair floor and two peers.

Run through `make bench` (bench/run.sh builds everything and sets up the
virtualenv first). By hand, from the repository root:

    bench/.venv/bin/python bench/run.py [--sizes 4,100,1000,5000] [--reps K]
                                        [--pandas-max N] [--no-results]

For each N it generates (once) a synthetic data set in bench/work/N/, then
runs the floor, samla, the pandas peer and the polars peer alternately, k
times each, on the same files, measuring wall time and the peak memory of
the whole process tree.
Prints medians and ratios and writes bench/RESULTS.md. See bench/README.md.
"""

import argparse
import datetime
import hashlib
import shutil
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / "work"
TARGET = ROOT / "target" / "release"
GEN = TARGET / "examples" / "bench-gen"
BUILT_FLOOR = TARGET / "examples" / "floor"
BUILT_SAMLA = TARGET / "samla"
BUILT_WORKER = TARGET / "samla-worker"
# The measured executables are copies taken at the start of the run, so that
# a rebuild of target/ meanwhile (another terminal, an editor) cannot mix two
# builds into one set of figures.
BIN = WORK / "bin"
FLOOR = BIN / "floor"
SAMLA = BIN / "samla"
# samla starts its reader workers from the samla-worker beside it.
WORKER = BIN / "samla-worker"
PEERS = {"pandas": BENCH / "peer_pandas.py", "polars": BENCH / "peer_polars.py"}
TOOLS = ["floor", "samla", "pandas", "polars"]

SIZES = [4, 100, 1000, 5000]
# Repetitions per N for floor and samla, and at most this many for the
# (slow) peers. The ratios between floor and samla are the tight targets,
# and runs of one build on this kind of machine vary by 10 - 20 % between
# rounds (the host's other guests): the median of 7 and 5 rounds is not
# moved by one or two disturbed rounds, as the median of 3 and 2 was. The
# peers' targets have room to spare (a polars run takes 25 s at 5,000).
REPS = {4: 5, 100: 5, 1000: 7, 5000: 5}
POLARS_REPS = {4: 5, 100: 5, 1000: 3, 5000: 2}
PANDAS_REPS = {4: 2, 100: 2, 1000: 1}
# pandas takes 13 s of CPU per run at N = 1,000; by default it does not run
# above that (--pandas-max), nor gets a warm-up above this.
PANDAS_WARMUP_MAX = 100
# The peers get no warm-up above this N (minutes per run under load).
PEER_WARMUP_MAX = 1000
SAMPLE_INTERVAL = 0.005  # seconds between memory samples

# Targets (issue 10), at N = 1,000 and 5,000 except where noted.
TARGET_NS = (1000, 5000)
T_FLOOR_TIME = 1.3  # samla wall <= 1.3 x fair floor wall
T_FLOOR_MEM = 1.0  # samla peak (tree) <= 1.0 x fair floor peak
T_PANDAS = 20.0  # pandas wall / samla wall >= 20
T_POLARS = 7.0  # polars wall / samla wall >= 7
T_SCALING = 1.1  # per-return time at 5,000 <= 1.1 x that at 1,000
T_SMALL_MS = 50.0  # N = 4 under 50 ms


def rel(p):
    try:
        return str(Path(p).relative_to(ROOT))
    except ValueError:
        return str(p)


# --------------------------------------------------------------- measuring


class TreeSampler(threading.Thread):
    """Polls the resident memory of a process and all its descendants.

    Every SAMPLE_INTERVAL it sums VmRSS (from /proc/PID/status) over the root
    and every process descended from it, and keeps the maximum; it also
    keeps the largest VmHWM (a process's own high-water mark) seen.
    The sum counts a page shared by several processes of the tree once per
    process: samla's workers run the same program as the parent, so its
    code (about 6 MB a worker) is counted again for each. `peak_once` is the
    tree's peak with file-backed pages counted once: the sum of every
    process's anonymous and shared-memory pages (RssAnon + RssShmem) plus
    the largest RssFile. It is reported beside the sum; the target is
    judged on the sum. Descendants
    are found through the parent pid in /proc/PID/stat; since pids are handed
    out in increasing order, only pids above the root's are looked at, and
    each only once (a process's parent does not change while it runs).
    """

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root = root
        self.tree = {root}
        self.seen = {root}
        self.peak = 0
        self.peak_once = 0
        self.hwm = 0
        self.samples = 0
        self.max_procs = 1
        self.done = threading.Event()

    def _discover(self):
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            if pid <= self.root or pid in self.seen:
                continue
            try:
                with open(f"/proc/{pid}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue  # gone already
            self.seen.add(pid)
            ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
            if ppid in self.tree:
                self.tree.add(pid)

    def _sample(self):
        """Sum of VmRSS over the tree, and the same with file pages once."""
        total, private, files = 0, 0, 0
        for pid in list(self.tree):
            try:
                with open(f"/proc/{pid}/status", "rb") as f:
                    s = f.read()

                def kb(key):
                    i = s.index(key) + len(key)
                    return int(s[i : s.index(b"kB", i)]) * 1024

                total += kb(b"VmRSS:")
                private += kb(b"RssAnon:") + kb(b"RssShmem:")
                files = max(files, kb(b"RssFile:"))
                self.hwm = max(self.hwm, kb(b"VmHWM:"))
            except (OSError, ValueError):
                # Exited (a zombie has no VmRSS) or gone.
                if pid != self.root:
                    self.tree.discard(pid)
        return total, private + files

    def run(self):
        while not self.done.is_set():
            self._discover()
            rss, once = self._sample()
            self.samples += 1
            self.peak = max(self.peak, rss)
            self.peak_once = max(self.peak_once, once)
            self.max_procs = max(self.max_procs, len(self.tree))
            self.done.wait(SAMPLE_INTERVAL)


HZ = os.sysconf("SC_CLK_TCK")


def busy_cpu():
    """Seconds of CPU time the whole machine has been busy (all cores)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    return (sum(v[:8]) - v[3] - v[4]) / HZ


def self_cpu():
    t = os.times()
    return t.user + t.system


def wait_for_quiet(limit=10.0, threshold=0.25):
    """Waits (up to `limit` s) until other processes use < `threshold` CPUs.

    On a machine shared with busy colleagues it seldom gets quiet; the
    alternation and the medians then carry the fairness, and the *other
    load* column says how disturbed the runs were.

    Returns the load last seen, in CPUs.
    """
    waited = 0.0
    while True:
        b0, s0 = busy_cpu(), self_cpu()
        time.sleep(1.0)
        load = busy_cpu() - b0 - (self_cpu() - s0)
        if load < threshold or waited >= limit:
            if waited:
                print(f"  (waited {waited:.0f} s for the machine to quiet down; load now {load:.2f} CPUs)", flush=True)
            return load
        if waited == 0:
            print(f"  machine busy ({load:.2f} CPUs used by other processes); waiting ...", flush=True)
        waited += 1.0


def measure(cmd):
    """Runs cmd; returns wall time, peak tree RSS, CPU and stderr.

    `other` is the CPU time (in CPUs, averaged over the run) that processes
    outside the measured tree and this script used meanwhile: a measure of
    how disturbed the run was.
    """
    with tempfile.TemporaryFile() as err:
        b0, s0 = busy_cpu(), self_cpu()
        t0 = time.perf_counter()
        p = subprocess.Popen(
            cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        sampler = TreeSampler(p.pid)
        sampler.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        sampler.done.set()
        sampler.join()
        cpu = ru.ru_utime + ru.ru_stime
        other = (busy_cpu() - b0 - cpu - (self_cpu() - s0)) / wall
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return {
        "wall": wall,
        "peak_tree": sampler.peak,
        "peak_once": sampler.peak_once,
        "largest_proc": sampler.hwm,
        "cpu": cpu,
        "other": max(other, 0.0),
        "samples": sampler.samples,
        "procs": sampler.max_procs,
        "rc": os.waitstatus_to_exitcode(status),
        "stderr": stderr,
    }


def measure_clean(cmd, max_other=0.3, tries=2, retry=(0.25, 60.0)):
    """measure(), redone (up to `tries` times) when other processes disturbed
    it; keeps the least disturbed. Only runs of `retry` seconds are redone:
    /proc/stat counts in 10 ms ticks, too coarse for shorter runs, and the
    peer's longest runs are too costly to repeat."""
    best = None
    for attempt in range(tries):
        r = measure(cmd)
        r["attempts"] = attempt + 1
        if best is None or r["other"] < best["other"]:
            best = r
        if r["other"] < max_other or not retry[0] <= r["wall"] <= retry[1] or r["rc"] != 0:
            break
    return best


# ------------------------------------------------------------------ tools


def commands(n, python):
    d = WORK / str(n)
    peers = {t: [python, str(script), str(d / "inkorg"), str(d / f"out-{t}")] for t, script in PEERS.items()}
    return {
        "floor": [str(FLOOR), str(d / "inkorg"), str(d / "out-floor.xlsx")],
        "samla": [
            str(SAMLA),
            "merge",
            "--plan",
            str(d / "plan.toml"),
            "--inbox",
            str(d / "inkorg"),
            "--out",
            str(d / "out-samla"),
            "--quiet",
        ],
        **peers,
    }


def snapshot():
    """Copies the built executables to bench/work/bin/ for this run."""
    BIN.mkdir(parents=True, exist_ok=True)
    for src, dst in ((BUILT_SAMLA, SAMLA), (BUILT_WORKER, WORKER), (BUILT_FLOOR, FLOOR)):
        tmp = dst.with_suffix(".tmp")
        shutil.copy2(src, tmp)
        os.replace(tmp, dst)


def fingerprint():
    """SHA-256 (short) of the measured executables, to catch a change mid-run."""
    out = {}
    for exe in (SAMLA, WORKER, FLOOR):
        h = hashlib.sha256()
        with open(exe, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        out[rel(exe)] = h.hexdigest()[:12]
    return out


def plan_goals(n):
    """The number of goals in the plan of data set n."""
    return (WORK / str(n) / "plan.toml").read_text().count("[[areas.goals]]")


def check_output(tool, n, r):
    """Makes sure each tool really processed all n returns (and the floor
    wrote one row per goal and return: it must not get faster by reading
    less)."""
    if r["rc"] != 0:
        sys.exit(f"{tool} failed at N={n} (exit {r['rc']}):\n{r['stderr']}")
    pats = {
        "floor": (r"floor: (\d+) files", 1),
        "samla": (r"samla: (\d+) filer, (\d+) sammanslagna", 2),
        "pandas": (r"pandas: (\d+) returns", 1),
        "polars": (r"polars: (\d+) returns", 1),
    }
    pat, group = pats[tool]
    m = re.search(pat, r["stderr"])
    if not m or int(m.group(group)) != n:
        sys.exit(f"{tool} did not process all {n} returns at N={n}:\n{r['stderr']}")
    if tool == "floor":
        rows = re.search(r"(\d+) rows", r["stderr"])
        r["rows"] = int(rows.group(1)) if rows else None
        if r["rows"] != n * plan_goals(n):
            sys.exit(f"floor wrote {r['rows']} rows at N={n}, not N x {plan_goals(n)} goals:\n{r['stderr']}")


# ------------------------------------------------------------- generating


def generate(n):
    d = WORK / str(n)
    version = subprocess.run([str(GEN), "--version"], capture_output=True, text=True, check=True)
    version = version.stdout.strip()
    stamp = d / "gen.txt"
    if stamp.exists():
        lines = stamp.read_text().splitlines()
        if lines[:2] == [version, f"units {n}"]:
            print(f"N={n}: data set in {rel(d)} is current ({version}), reusing it")
            return version
    print(f"N={n}: generating {rel(d)} ...", flush=True)
    d.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    subprocess.run([str(GEN), "--units", str(n), "--out", str(d)], check=True)
    print(f"N={n}: generated in {time.perf_counter() - t0:.1f} s")
    return version


# ----------------------------------------------------------------- report


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass

    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError:
            return "?"

    versions = out(
        [
            sys.executable,
            "-c",
            "import pandas, openpyxl, polars, fastexcel, xlsxwriter; "
            "print(pandas.__version__, openpyxl.__version__, polars.__version__, fastexcel.__version__, xlsxwriter.__version__)",
        ]
    )
    pandas_v, openpyxl_v, polars_v, fastexcel_v, xlsxwriter_v = (versions.split() + ["?"] * 5)[:5]
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "rustc": out(["rustc", "--version"]),
        "python": platform.python_version(),
        "pandas": pandas_v,
        "openpyxl": openpyxl_v,
        "polars": polars_v,
        "fastexcel": fastexcel_v,
        "xlsxwriter": xlsxwriter_v,
        "commit": out(["git", "rev-parse", "--short", "HEAD"])
        + (
            " with uncommitted changes to src/, benches/ or Cargo files"
            if out(["git", "status", "--porcelain", "--", "src", "benches", "Cargo.toml", "Cargo.lock"])
            else " (src/, benches/, Cargo.toml and Cargo.lock as committed)"
        ),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }


def mib(b):
    return b / 2**20


def med(rs, key):
    return statistics.median(r[key] for r in rs)


def fmt_s(s):
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def once_of(rs):
    """Median peak with file pages once; None for results saved before it was measured."""
    v = [r["peak_once"] for r in rs if "peak_once" in r]
    return statistics.median(v) if v else None


def once(rs):
    v = once_of(rs)
    return f"{mib(v):.0f} MiB" if v else "–"


def verdict(ok):
    return "**met**" if ok else "**not met**"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--reps", type=int, help="repetitions for floor, samla and polars at every N")
    ap.add_argument("--pandas-max", type=int, default=1000, help="largest N the pandas peer runs at")
    ap.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    ap.add_argument(
        "--from-json",
        action="store_true",
        help="measure nothing: write RESULTS.md again from the last run's bench/work/results.json",
    )
    args = ap.parse_args()
    if args.from_json:
        return rerender(args)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    python = sys.executable
    for exe in (GEN, BUILT_FLOOR, BUILT_SAMLA):
        if not exe.exists():
            sys.exit(f"{rel(exe)} is missing: run `make bench` (or bench/run.sh), which builds it")

    started = datetime.datetime.now(datetime.timezone.utc)
    info = machine()
    print(f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']}, load {' '.join(info['loadavg'])}")
    WORK.mkdir(parents=True, exist_ok=True)
    snapshot()
    binaries = fingerprint()
    info["binaries"] = binaries
    gen_version = None
    for n in sizes:
        gen_version = generate(n)

    results = {}  # n -> tool -> [runs]
    for n in sizes:
        cmds = commands(n, python)
        reps = args.reps or REPS.get(n, 3)
        pandas_reps = 0 if n > args.pandas_max else min(reps, PANDAS_REPS.get(n, 1))
        polars_reps = min(reps, POLARS_REPS.get(n, 2))
        tools = TOOLS
        runs = {t: [] for t in tools}
        # samla's folder starts empty in every bench run: its warm-up is a
        # first run, and each measured run compares with the one before, as
        # a nightly job does, over a history of this bench run only (the
        # history is read on every run and grows with each).
        shutil.rmtree(WORK / str(n) / "out-samla", ignore_errors=True)
        # Untimed warm-up: page cache, dynamic loader, Python imports.
        for t in tools:
            if t == "pandas" and (pandas_reps == 0 or n > PANDAS_WARMUP_MAX):
                continue
            if t == "polars" and n > PEER_WARMUP_MAX:
                continue
            check_output(t, n, measure(cmds[t]))
        for rep in range(reps):
            # When the machine stays busy, redoing disturbed runs only
            # doubles the time: every run is disturbed alike.
            busy = wait_for_quiet() >= 0.25
            if fingerprint() != binaries:
                sys.exit(
                    f"an executable in {rel(BIN)} changed during the run; "
                    "the figures would mix two builds - run `make bench` again"
                )
            # Alternate, and rotate who goes first, so drift hits all alike.
            k = rep % len(tools)
            order = tools[k:] + tools[:k]
            for t in order:
                if t == "pandas" and rep >= pandas_reps:
                    continue
                if t == "polars" and rep >= polars_reps:
                    continue
                r = measure_clean(cmds[t], tries=1 if busy else 2)
                check_output(t, n, r)
                runs[t].append(r)
                print(
                    f"N={n:>5} rep {rep + 1}/{reps} {t:<6} {fmt_s(r['wall']):>9}  "
                    f"peak {mib(r['peak_tree']):6.0f} MiB (largest process {mib(r['largest_proc']):6.0f} MiB, "
                    f"{r['procs']} proc)  cpu {r['cpu']:.2f} s  other load {r['other']:.2f}"
                    + (f" (try {r['attempts']})" if r["attempts"] > 1 else ""),
                    flush=True,
                )
        results[n] = {t: rs for t, rs in runs.items() if rs}

    finished = datetime.datetime.now(datetime.timezone.utc)
    info["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    report = build_report(results, info, started, finished, gen_version, sizes, args)
    print()
    print(report["summary"])
    raw = {
        "started": started.isoformat(),
        "finished": finished.isoformat(),
        "machine": info,
        "generator": gen_version,
        "pandas_max": args.pandas_max,
        "results": {
            str(n): {t: [{k: v for k, v in r.items() if k != "stderr"} for r in rs] for t, rs in tr.items()}
            for n, tr in results.items()
        },
    }
    (WORK / "results.json").write_text(json.dumps(raw, indent=1))
    if not args.no_results:
        (BENCH / "RESULTS.md").write_text(report["markdown"])
        print(f"wrote {rel(BENCH / 'RESULTS.md')} and {rel(WORK / 'results.json')}")


def rerender(args):
    """RESULTS.md from the raw figures of the last run (e.g. after PROFILE.md changed)."""
    raw = json.loads((WORK / "results.json").read_text())
    results = {int(n): tr for n, tr in raw["results"].items()}
    started = datetime.datetime.fromisoformat(raw["started"])
    finished = datetime.datetime.fromisoformat(raw["finished"])
    args.pandas_max = raw.get("pandas_max", args.pandas_max)
    report = build_report(results, raw["machine"], started, finished, raw["generator"], list(results), args)
    print(report["summary"])
    if not args.no_results:
        (BENCH / "RESULTS.md").write_text(report["markdown"])
        print(f"wrote {rel(BENCH / 'RESULTS.md')} from {rel(WORK / 'results.json')}")


def build_report(results, info, started, finished, gen_version, sizes, args):
    md = []
    lines = []

    def get(n, t, key):
        rs = results.get(n, {}).get(t)
        return med(rs, key) if rs else None

    md.append("# samla benchmark results\n")
    md.append(
        f"Run {started:%Y-%m-%d %H:%M} – {finished:%H:%M} UTC by `make bench` "
        f"(bench/run.py). Generated file: rerun `make bench` to refresh it; the section "
        f"*Where the time goes* is copied from bench/PROFILE.md, written by hand.\n"
    )
    md.append(
        "**About earlier figures.** Results before this harness reported samla at 0.73 × its "
        "floor's wall time and 0.49 × its memory at N = 1,000. That came from a *weaker floor*: it "
        "read every cell of every sheet, the instructions included, and wrote them all with "
        "rust_xlsxwriter's default in-memory mode and default compression, about 4 × slower than "
        "the least a merge must do. It said nothing about whether samla is fast. The floor here is "
        "the fair one of issue 10 (see *Programs*), and memory is the peak of the whole process "
        "tree for every program.\n"
    )

    md.append("## Machine and load\n")
    md.append(f"- CPUs: {info['nproc']} ({info['cpu']})")
    md.append(f"- Memory: {info['memory']}")
    md.append(
        f"- Kernel: Linux {info['kernel']}; load average at start {' '.join(info['loadavg'])}, "
        f"at the end {' '.join(info.get('loadavg_end', ['?']))}"
    )
    md.append(
        f"- {info['rustc']}; Python {info['python']}: pandas {info['pandas']}, openpyxl {info['openpyxl']}, "
        f"polars {info['polars']}, fastexcel {info['fastexcel']}, XlsxWriter {info['xlsxwriter']}"
    )
    md.append(f"- samla commit: {info['commit']}; data generator: `{gen_version}`")
    md.append(
        "- Executables (copied from target/release at the start of the run; SHA-256, first 12 hex "
        "digits, checked unchanged before every round): "
        + ", ".join(f"`{k}` {v}" for k, v in info["binaries"].items())
    )
    others = [r["other"] for tr in results.values() for rs in tr.values() for r in rs]
    if others:
        md.append(
            f"- **Load**: the machine is shared (other people compile and test on it). Processes "
            f"outside the measured tree used a median of {statistics.median(others):.2f} and at most "
            f"{max(others):.2f} of the {info['nproc']} CPUs during the measured runs (column *other "
            f"load*). Such load slows all programs, but not alike: it hurts the parallel ones (floor, "
            f"samla, polars) more than the single-threaded pandas. The programs alternate and medians "
            f"are reported so that drift hits all of them; the ratios are steadier than the times."
        )
    md.append("")

    md.append("## Commands\n")
    md.append(
        "Per N, in `bench/work/N/` (N returns in `inkorg/`, plan in `plan.toml`). `bench/work/bin/samla` "
        "and `bench/work/bin/floor` are copies of `target/release/samla` and "
        "`target/release/examples/floor` taken when the run started.\n"
    )
    md.append("```sh")
    md.append("target/release/examples/bench-gen --units N --out bench/work/N      # once, not timed")
    for t, cmd in commands("N", "bench/.venv/bin/python").items():
        md.append(f"{' '.join(shlex.quote(rel(c)) for c in cmd):<70}  # {t}")
    md.append("```\n")

    md.append("## Medians\n")
    md.append(
        "Wall time and peak resident memory of the whole process tree (median of the runs; "
        "range of wall times beside it). *Largest process* is the biggest single process's own "
        "peak (VmHWM); samla's tree is the parent plus its reader workers. *Tree, code once* counts "
        "the pages of files (the program's code, shared by samla's parent and workers) once instead of "
        "once per process; the targets are judged on the plain sum. *CPU* is user + "
        "system time of the tree; *other load* is the CPU (in cores, averaged over the run) "
        "that processes outside the measured tree used meanwhile, i.e. how disturbed the runs were.\n"
    )
    md.append(
        "| N | program | runs | wall (median) | wall (min–max) | per return | peak memory, tree "
        "| tree, code once | largest process | CPU | other load |"
    )
    md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, tr in results.items():
        for t in TOOLS:
            rs = tr.get(t)
            if not rs:
                continue
            w = [r["wall"] for r in rs]
            md.append(
                f"| {n:,} | {t} | {len(rs)} | {fmt_s(med(rs, 'wall'))} | {fmt_s(min(w))}–{fmt_s(max(w))} | "
                f"{med(rs, 'wall') / n * 1000:.2f} ms | {mib(med(rs, 'peak_tree')):.0f} MiB | "
                f"{once(rs)} | {mib(med(rs, 'largest_proc')):.0f} MiB | {med(rs, 'cpu'):.2f} s | {med(rs, 'other'):.2f} |"
            )
            lines.append(
                f"N={n:>5} {t:<6} runs {len(rs)}  wall {fmt_s(med(rs, 'wall')):>9}  "
                f"peak tree {mib(med(rs, 'peak_tree')):6.0f} MiB  largest proc {mib(med(rs, 'largest_proc')):6.0f} MiB  "
                f"cpu {med(rs, 'cpu'):6.2f} s  other {med(rs, 'other'):.2f}"
            )
    md.append("")

    md.append("## Ratios\n")
    md.append(
        "*CPU* compares the CPU time of the process trees (user + system): on a busy machine it is "
        "steadier than wall time, which then measures the share of the cores each program got.\n"
    )
    md.append(
        "| N | samla / fair floor, wall | samla / fair floor, CPU | samla / fair floor, peak memory (tree) "
        "| pandas / samla, wall (CPU) | polars / samla, wall (CPU) |"
    )
    md.append("|---:|---:|---:|---:|---:|---:|")

    def ratio(a, b, digits=2):
        return f"{a / b:.{digits}f} ×" if a and b else "–"

    def once_ratio(n):
        so, fo = (once_of(results[n].get(t, [])) for t in ("samla", "floor"))
        return f"; code once {so / fo:.2f} ×" if so and fo else ""

    for n in results:
        sw, fw, sm, fm = get(n, "samla", "wall"), get(n, "floor", "wall"), get(n, "samla", "peak_tree"), get(n, "floor", "peak_tree")
        sc, fc = get(n, "samla", "cpu"), get(n, "floor", "cpu")

        def peer(t):
            w = ratio(get(n, t, "wall"), sw, 1)
            return w if w == "–" else f"{w} ({ratio(get(n, t, 'cpu'), sc, 1)})"

        row = [
            ratio(sw, fw) + (f" ({fmt_s(sw)} vs {fmt_s(fw)})" if sw and fw else ""),
            ratio(sc, fc) + (f" ({sc:.2f} vs {fc:.2f} s)" if sc and fc else ""),
            ratio(sm, fm) + (f" ({mib(sm):.0f} vs {mib(fm):.0f} MiB)" if sm and fm else "") + once_ratio(n),
            peer("pandas"),
            peer("polars"),
        ]
        md.append(f"| {n:,} | " + " | ".join(row) + " |")
        lines.append(
            f"N={n:>5} samla/floor wall {row[0]}  cpu {row[1]}  memory {row[2]}  pandas/samla {row[3]}  polars/samla {row[4]}"
        )
    md.append("")

    md.append("## Targets (issue 10)\n")
    md.append("| target | measured | verdict |")
    md.append("|---|---:|---|")
    targets = []
    for n in TARGET_NS:
        sw, fw = get(n, "samla", "wall"), get(n, "floor", "wall")
        sm, fm = get(n, "samla", "peak_tree"), get(n, "floor", "peak_tree")
        pw, qw = get(n, "pandas", "wall"), get(n, "polars", "wall")
        if sw and fw:
            targets.append((f"N = {n:,}: samla wall ≤ {T_FLOOR_TIME} × fair floor", f"{sw / fw:.2f} ×", sw / fw <= T_FLOOR_TIME))
        if sm and fm:
            targets.append(
                (
                    f"N = {n:,}: samla peak memory (tree) ≤ {T_FLOOR_MEM} × fair floor",
                    f"{sm / fm:.2f} × ({mib(sm):.0f} vs {mib(fm):.0f} MiB)",
                    sm / fm <= T_FLOOR_MEM,
                )
            )
        if sw and pw:
            targets.append((f"N = {n:,}: samla ≥ {T_PANDAS:.0f} × faster than pandas", f"{pw / sw:.1f} ×", pw / sw >= T_PANDAS))
        if sw and qw:
            targets.append((f"N = {n:,}: samla ≥ {T_POLARS:.0f} × faster than polars", f"{qw / sw:.1f} ×", qw / sw >= T_POLARS))
    s1, s5 = get(1000, "samla", "wall"), get(5000, "samla", "wall")
    if s1 and s5:
        r = (s5 / 5000) / (s1 / 1000)
        targets.append(
            (f"samla time per return at 5,000 ≤ {T_SCALING} × that at 1,000", f"{r:.2f} × ({s5 / 5:.2f} vs {s1:.2f} ms)", r <= T_SCALING)
        )
    s4 = get(4, "samla", "wall")
    if s4:
        targets.append((f"N = 4: samla under {T_SMALL_MS:.0f} ms", f"{s4 * 1000:.0f} ms", s4 * 1000 < T_SMALL_MS))
    for name, value, ok in targets:
        md.append(f"| {name} | {value} | {verdict(ok)} |")
        lines.append(f"target: {name}: {value} -> {'met' if ok else 'NOT met'}")
    missing = [n for n in (4, 1000, 5000) if n not in results]
    if missing:
        md.append(f"\nNot measured in this run: N = {', '.join(map(str, missing))}.")
    if 5000 in results and "pandas" not in results[5000]:
        md.append(
            f"\npandas ran only up to N = {args.pandas_max:,} (at 1,000 a run takes some 13 s of CPU, "
            f"linear in N), so the pandas target is judged at 1,000 only."
        )
    md.append("")

    profile = BENCH / "PROFILE.md"
    if profile.exists():
        md.append(profile.read_text().strip() + "\n")

    md.append("## Reading the figures\n")
    md.append(
        "- The fair floor reads only what a merge needs (the answer sheet and the identity sheet) "
        "and writes the one table every merge must produce, in the cheapest way the same libraries "
        "allow. samla does more by design: validation, findings, a consolidated workbook of four "
        "sheets, a discrepancy workbook and JSON, and it reads in sandboxed worker processes. The "
        "targets say how much more that may cost."
    )
    md.append(
        "- samla's tree at small N is mostly fixed cost: the parent plus its reader workers (up to two "
        "per core), hence a memory ratio above 1 at N = 4."
    )
    md.append(
        "- pandas is single-threaded, the others use both cores; the CPU column allows a per-core "
        "comparison. polars reads with calamine (fastexcel), the same Rust reader as samla and the "
        "floor, but opens each file twice (two `read_excel` calls) and writes with XlsxWriter.\n"
    )

    md.append("## Method\n")
    pandas_note = ", ".join(f"{n:,}: {len(tr['pandas'])}" for n, tr in results.items() if "pandas" in tr)
    md.append(
        f"""- **Data**: `bench-gen` (benches/gen.rs) writes a synthetic plan (55 goals in 7 areas, N units
  `U0001`…, scale U/P/E) and one return per unit with samla's own template writer: about 5 % blank
  ratings, 3 % compound (`U/E`), 2 % uncertain (`P?`), Swedish comments of 50–600 characters, a fifth
  with line breaks. Deterministic (seeded splitmix64); about 18 KB per return. Only units reply, so
  samla also reports the coordinator's return as missing.
- **Programs**: *floor* (benches/floor.rs), the fair floor: calamine reads only the answer sheet and
  the identity sheet of each return, in parallel on all cores (rayon); rust_xlsxwriter writes one long
  table (unit | goal id | rating | comment) in constant-memory mode at zip level 1. The bench checks it
  wrote N × goals rows. *samla* is the release binary, end to end, reading in its sandboxed worker
  processes (the default) and writing all its outputs. *pandas* (bench/peer_pandas.py) and *polars*
  (bench/peer_polars.py, `pl.read_excel(engine="calamine")`) do the same merge an analyst would write:
  read both sheets of every return, concatenate, pivot ratings goals × units, count ratings per goal,
  write a workbook of three sheets. No validation.
- **Order**: per N, one untimed warm-up run of each program (of pandas only for N ≤ {PANDAS_WARMUP_MAX},
  of polars for N ≤ {PEER_WARMUP_MAX}),
  then rounds in which the programs run one after the other, rotating who goes first. All programs
  read the same files, on the same machine, in the same run; files are in the page cache.
- **Repetitions**: floor and samla {', '.join(f'{n:,}: {len(tr["samla"])}' for n, tr in results.items() if 'samla' in tr)};
  polars {', '.join(f'{n:,}: {len(tr["polars"])}' for n, tr in results.items() if 'polars' in tr)};
  pandas {pandas_note or 'none'}, not above N = {args.pandas_max:,}. Every figure is the median of its runs.
- **Disturbance**: before each round the script waits (up to 10 s) until other processes use less
  than 0.25 CPU; if they then do, a run of 0.25–60 s during which other processes used 0.3 CPU or
  more on average is redone once, keeping the less disturbed (on a machine that stays busy, every
  run is disturbed alike and none is redone). The *other load* column shows what remained; it is counted
  in 10 ms ticks, so for runs of a few tens of ms it is only a rough indication.
- **Wall time**: `time.perf_counter` around spawn and `wait4` (includes process start, about 1 ms).
- **Peak memory of the process tree**: a thread polls `/proc` every {SAMPLE_INTERVAL * 1000:.0f} ms and
  sums the resident set (VmRSS) of the process and all its descendants (samla's reader workers, for
  instance); the maximum is reported. Same method for every program. cgroup v2's `memory.peak` is
  not used: this machine mounts cgroup v2 without the memory controller (cgroup v1 hybrid), and
  `memory.peak` also counts the page cache of written outputs and temporary files, which the
  programs do not hold. Polling can miss a peak shorter than the interval (runs of a few ms have
  few samples), and the sum counts pages shared between processes (the executable) once per
  process. The poller costs about 0.15 ms of CPU per sample, alike for all.
- **Check**: every run must exit 0 and report all N returns (from its stderr), and the floor
  N × goals rows, or the bench stops.
- Raw figures of every run: `bench/work/results.json` (not committed).
"""
    )
    return {"markdown": "\n".join(md), "summary": "\n".join(lines)}


if __name__ == "__main__":
    main()
