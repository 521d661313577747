#!/usr/bin/env python3
"""make profile BENCH=NAME: where one benchmark's instructions go, by function.

Boots the kernel with "/bin/bench one NAME" as init (that benchmark, after
what make bench runs before it in the same boot, its measured window
marked: user/bin/bench.c) under qemu -icount shift=0, with QEMU logging
each translation block when it translates it (in_asm: the block's
instructions) and each run of a block (exec; nochain, so that no block
jumps into the next without a line). The instructions of the runs between
the window's marks are summed per function, from the symbols of
build/kernel.elf and of the user programs in build/user/bin; OpenSBI's
firmware (0x80000000 up to the kernel) has none, so its part is by address.
The sum must equal rdinstret's count over the window, less the idle waits.

Usage: tools/profile/profile.py NAME   (QEMUCMD, B, NM and TOP from make)
"""
import bisect
import collections
import itertools
import os
import re
import struct
import subprocess
import sys
import tempfile

FIRMWARE_BASE = 0x80000000  # RAM, where OpenSBI runs, up to the kernel
MARK_BEGIN = 0x00100013  # addi zero, zero, 1: bench.c's MARK_BEGIN
MARK_END = 0x00200013  # addi zero, zero, 2: bench.c's MARK_END
WFI = 0x10500073
INSTRET_MASK, INSTRET_READ = 0xFFFFF07F, 0xC0202073  # csrrs rd, instret, zero
SYSTEM_OPCODE = 0x73
CAUSE_ILLEGAL = 2
# Exceptions raised by the instruction's own translation (ecall, ebreak):
# QEMU has already counted the whole block, so the instruction counts.
COUNTED_CAUSES = {3, 8, 9, 11}
# Block runs kept to take back those after the window's last rdinstret.
TAIL_RUNS = 256
BOOT_TIMEOUT = 3600  # seconds; the longest profile takes a few minutes


class TraceError(Exception):
    pass


# ---- programs: bytes and symbols -------------------------------------------


class Program:
    """An ELF32 file: the bytes of its loadable segments and its functions."""

    def __init__(self, path, nm):
        self.name = os.path.basename(path)
        with open(path, "rb") as f:
            self.data = f.read()
        if self.data[:5] != b"\x7fELF\x01":
            raise TraceError(f"{path}: not an ELF32 file")
        phoff = struct.unpack_from("<I", self.data, 28)[0]
        phentsize, phnum = struct.unpack_from("<HH", self.data, 42)
        self.segments = []
        for i in range(phnum):
            p_type, offset, vaddr, _, filesz = struct.unpack_from("<5I", self.data, phoff + i * phentsize)
            if p_type == 1:  # PT_LOAD
                self.segments.append((vaddr, vaddr + filesz, offset))
        self.addrs, self.ends, self.names = function_symbols(path, nm)

    def matches(self, block):
        """True if the block's instructions are this program's bytes."""
        for pc, word, width in block.insns:
            for lo, hi, offset in self.segments:
                if lo <= pc and pc + width <= hi:
                    got = int.from_bytes(self.data[offset + pc - lo : offset + pc - lo + width], "little")
                    if got != word:
                        return False
                    break
            else:
                return False
        return True

    def function(self, pc):
        """The function that holds pc, or its address if none does."""
        i = bisect.bisect_right(self.addrs, pc) - 1
        if i < 0 or (self.ends[i] and pc >= self.ends[i]):
            return f"0x{pc:08x}"
        return self.names[i]


def function_symbols(path, nm):
    """Sorted start addresses, ends (0: size unknown) and names of the text
    symbols of path. Of symbols at one address, a linker's __name loses."""
    out = subprocess.run([nm, "-n", "-S", "--defined-only", path], capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4:
            addr, size, kind, name = int(f[0], 16), int(f[1], 16), f[2], f[3]
        elif len(f) == 3:
            addr, size, kind, name = int(f[0], 16), 0, f[1], f[2]
        else:
            continue
        if kind not in "tTwW":
            continue
        if addr not in syms or (syms[addr][1].startswith("__") and not name.startswith("__")):
            syms[addr] = (addr + size if size else 0, name)
    addrs = sorted(syms)
    return addrs, [syms[a][0] for a in addrs], [syms[a][1] for a in addrs]


# ---- blocks and the window --------------------------------------------------


class Block:
    """One translation block: its instructions, the window's events among
    them, and the runs of it the window counted (full ones, and by the
    range of instructions for the others)."""

    __slots__ = ("insns", "size", "events", "full", "part", "owner")

    def __init__(self, insns, events):
        self.insns = insns  # (pc, word, width) in order
        self.size = len(insns)
        self.events = events or None  # (index, kind), in order
        self.full = 0
        self.part = {}
        self.owner = None

    def index(self, pc):
        for i, insn in enumerate(self.insns):
            if insn[0] == pc:
                return i
        return None


def block_events(insns, entry):
    """The instructions of a block the window watches, with what each is."""
    events = []
    for i, (pc, word, _) in enumerate(insns):
        user = pc < FIRMWARE_BASE
        if pc == entry:
            events.append((i, "begin"))
        if user and word == MARK_BEGIN:
            events.append((i, "begin"))
        if word & INSTRET_MASK == INSTRET_READ:
            events.append((i, "read"))
        if word == WFI:
            events.append((i, "wfi"))
        if user and word == MARK_END:
            events.append((i, "end"))
    return events


OUT, ARMED, IN, DONE = range(4)


class Window:
    """The measured window: from the rdinstret after the begin mark (not
    counted) to the last user rdinstret before the end mark (counted), as
    rdinstret's own difference counts. For boot_to_init the begin is the
    kernel's first instruction, which is that read."""

    def __init__(self):
        self.state = OUT
        self.open_user = True
        self.total = 0
        # The runs since the last user rdinstret (after a None), to take
        # back at the end mark: a block for a full run, else (block, s, e).
        self.tail = collections.deque(maxlen=TAIL_RUNS)
        # The kernel counts as idle what rdinstret advances from its read
        # before a wfi to its read after; the trace shows the instructions
        # between the two, which this adds up.
        self.waits = 0
        self.wait_insns = 0
        self.last_kernel_read = None
        self.waiting = False

    def record(self, b, s, e):
        """Count a run of b's instructions s to e - 1 (read_trace counts
        full runs of blocks without events itself, the same way)."""
        if s == e:
            return
        if s == 0 and e == b.size:
            b.full += 1
            self.tail.append(b)
        else:
            b.part[(s, e)] = b.part.get((s, e), 0) + 1
            self.tail.append((b, s, e))
        self.total += e - s

    def run(self, b, n):
        """Block b ran its first n instructions; some of them are events."""
        start = 0  # the first instruction not yet recorded or passed
        for i, kind in b.events:
            if i >= n:
                break
            if self.state == IN and start <= i:
                self.record(b, start, i + 1)  # up to the event's own instruction
            start = i + 1
            self.event(kind, b.insns[i][0] < FIRMWARE_BASE)
        if self.state == IN and start < n:
            self.record(b, start, n)

    def event(self, kind, user):
        if kind == "begin":
            if self.state in (ARMED, IN):
                raise TraceError("a second begin mark inside the window")
            if self.state == OUT:
                self.state, self.open_user = ARMED, user
        elif kind == "read":
            self.read(user)
        elif kind == "wfi" and self.state == IN:
            self.waits += 1
            self.waiting = True
        elif kind == "end":
            if self.state == ARMED:
                raise TraceError("an end mark before the window's first rdinstret")
            if self.state == IN:
                self.close()  # (bench marks boot_to_init's end in every run)

    def read(self, user):
        if self.state == ARMED and user == self.open_user:
            self.state = IN
            self.tail.append(None)
        elif self.state == IN and user:
            self.tail.clear()
            self.tail.append(None)
        elif self.state == IN:
            if self.waiting and self.last_kernel_read is not None:
                self.wait_insns += self.total - self.last_kernel_read
            self.waiting = False
            self.last_kernel_read = self.total

    def close(self):
        """Take back the runs after the last user rdinstret."""
        if self.tail[0] is not None:
            raise TraceError(f"the end mark comes more than {TAIL_RUNS} block runs after the last rdinstret")
        while (run := self.tail.pop()) is not None:
            b, s, e = (run, 0, run.size) if isinstance(run, Block) else run
            if s == 0 and e == b.size:
                b.full -= 1
            else:
                b.part[(s, e)] -= 1
            self.total -= e - s
        self.state = DONE


# ---- reading QEMU's log -----------------------------------------------------


TRACE, INSN, IN_ASM = b"T0I"
OTHER = b"-P"  # separators, "Priv: 1; Virt: 0"


def parse_insn(line):
    """b"0x80400000:  00050293          mv  t0,a0" -> (pc, word, width)."""
    f = line.split(None, 2)
    return int(f[0][:-1], 16), int(f[1], 16), len(f[1]) // 2


def counts_itself(cause, word):
    """Whether QEMU counted the instruction that raised this exception: it
    does when the exception comes from the instruction's translation
    (ecall, ebreak, an encoding the decoder refuses), and not when a helper
    raises it while the instruction runs (faults of loads, stores and
    fetches, refused CSR accesses and privileged instructions), since then
    it winds its count back to the instruction."""
    if cause == CAUSE_ILLEGAL:
        return word & 0x7F != SYSTEM_OPCODE
    return cause in COUNTED_CAUSES


def read_trace(f, window, entry):
    """Feed every block run of QEMU's log f (a binary file) to window. A
    run ends with the next line about the hart: a "Trace" line (the next
    run began, so this one ran to its end), "Stopped execution" (it never
    began: an interrupt or the end of an icount slice was pending),
    "cpu_io_recompile: rewound" (it stopped at an I/O access, which runs
    again alone as the next block), or an exception at epc (the run
    stopped there). A loop runs one block over and over: its equal lines
    are counted, then handled at once."""
    blocks = {}  # by the address of QEMU's host code for it
    by_line = {}  # the same, by the whole Trace line
    listing = None
    pending = None  # the block whose run the last Trace line began
    rewound = False
    unknown = 0
    last, repeats = None, 0
    for lines in chunks(f):
        for line in lines:
            if line == last:
                repeats += 1
                continue
            if repeats and last.startswith(b"Trace"):
                ran_again(pending, repeats, window)
            last, repeats = line, 0
            if not line:
                continue
            c = line[0]
            if c == TRACE:
                b = by_line.get(line) if listing is None else None
                if b is None:
                    b, listing = trace_block(line, blocks, listing, entry)
                    by_line[line] = b
                if rewound:
                    n = pending.index(int(line[line.index(b"[") + 10 :][:8], 16))
                    if n is None:
                        raise TraceError("an I/O access was rewound to an instruction outside its block")
                    finish(pending, n, window)
                elif pending is not None and (pending.events is not None or window.state == IN):
                    finish(pending, pending.size, window)
                pending, rewound = b, False
            elif c == INSN:
                listing.append(parse_insn(line))
            elif c == IN_ASM:
                listing = []
            elif line.startswith(b"Stopped execution"):
                pending, rewound = None, False
            elif line.startswith(b"cpu_io_recompile"):
                rewound = pending is not None
            elif line.startswith(b"riscv_cpu_do_interrupt"):
                if pending is not None:
                    finish_trapped(pending, line.decode(), rewound, window)
                pending, rewound = None, False
            elif c not in OTHER:
                unknown += 1
    if repeats and last.startswith(b"Trace"):
        ran_again(pending, repeats, window)
    return blocks.values(), unknown


def chunks(f):
    """The lines of f, without their newlines, a list per big read."""
    rest = b""
    while chunk := f.read(1 << 22):
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield lines
    if rest:
        yield [rest]


def ran_again(b, times, window):
    """b ran to its end times more, in a row."""
    if b.events is not None:
        for _ in range(times):
            window.run(b, b.size)
    elif window.state == IN:
        b.full += times
        window.total += times * b.size
        window.tail.extend(itertools.repeat(b, min(times, TAIL_RUNS)))


def trace_block(line, blocks, listing, entry):
    """The block a Trace line runs, made from the listing just before it if
    QEMU has just translated it; and the listing, now used."""
    # Trace 0: 0x7f2a4c0568c0 [00000000/800123c4/00109003/ff020200] sym
    parts = line.split(b" ", 4)
    if parts[1] != b"0:":
        raise TraceError("a second hart in the trace (make profile boots one)")
    if listing is None:
        b = blocks.get(parts[2])
        if b is None:
            raise TraceError(f"a run of a block never translated: {line.decode().strip()}")
        return b, None
    b = Block(listing, block_events(listing, entry))
    if b.insns and b.insns[0][0] != int(parts[3][10:18], 16):
        raise TraceError(f"a block translated at 0x{b.insns[0][0]:08x} first ran at {parts[3].decode()}")
    blocks[parts[2]] = b
    return b, None


def finish_trapped(b, line, rewound, window):
    """The run of b that a trap ended: an exception raised by one of its
    instructions stopped it there; an interrupt, only taken between
    blocks, found it finished (or, rewound, stopped at its I/O access)."""
    # riscv_cpu_do_interrupt: hart:0, async:0, cause:0000000d, epc:0x80422204, ...
    f = dict(kv.split(":", 1) for kv in line.split(": ", 1)[1].replace(" ", "").split(",")[:4])
    epc, cause = int(f["epc"], 16), int(f["cause"], 16)
    i = b.index(epc)
    if f["async"] == "0" and i is not None:
        n = i + counts_itself(cause, b.insns[i][1])
    elif rewound and i is not None:
        n = i
    else:
        n = b.size
    finish(b, n, window)


def finish(b, n, window):
    """b ran its first n instructions."""
    if b.events is not None:
        window.run(b, n)
    elif window.state == IN:
        window.record(b, 0, n)


# ---- the profile ------------------------------------------------------------


class Attribution:
    """Who each counted instruction belongs to: (part, function)."""

    def __init__(self, kernel, users, kernel_start):
        self.kernel = kernel
        self.users = users  # bench first
        self.kernel_start = kernel_start

    def owner(self, b):
        """The program whose code b is: the kernel, OpenSBI, or the first
        user program whose bytes at those addresses are b's."""
        pc = b.insns[0][0]
        if pc >= self.kernel_start:
            if not self.kernel.matches(b):
                raise TraceError(f"the kernel that ran is not {self.kernel.name} (at 0x{pc:08x})")
            return self.kernel
        if pc >= FIRMWARE_BASE:
            return None
        for p in self.users:
            if p.matches(b):
                return p
        return "?"

    def name(self, b, pc):
        if b.owner is None:
            return "OpenSBI", f"0x{pc & ~0xFF:08x}..0x{pc | 0xFF:08x}"
        if b.owner == "?":
            return "user", f"?: 0x{pc:08x} (no program in build/user/bin has these bytes)"
        if b.owner is self.kernel:
            return "kernel", b.owner.function(pc)
        return "user", f"{b.owner.name}: {b.owner.function(pc)}"


def tally(blocks, attribution):
    """Instructions counted per (part, function)."""
    counts = collections.Counter()
    for b in blocks:
        runs = [b.full] * b.size
        for (s, e), n in b.part.items():
            for i in range(s, e):
                runs[i] += n
        if not any(runs):
            continue
        b.owner = attribution.owner(b)
        for (pc, _, _), n in zip(b.insns, runs):
            if n:
                counts[attribution.name(b, pc)] += n
    return counts


def print_profile(counts, total, ops, top):
    parts = {"kernel": "kernel (S-mode)", "user": "user (U-mode)", "OpenSBI": "OpenSBI (M-mode, no symbols: by 256-byte range)"}
    for part, title in parts.items():
        rows = sorted(((n, fn) for (p, fn), n in counts.items() if p == part), reverse=True)
        sub = sum(n for n, _ in rows)
        print(f"\n{title}: {sub:,} instructions, {share(sub, total)}, {sub / ops:,.2f} per op")
        if not rows:
            continue
        print(f"  {'instructions':>12}  {'share':>6}  {'per op':>12}  function")
        for n, fn in rows[:top]:
            print(f"  {n:>12,}  {share(n, total):>6}  {n / ops:>12,.2f}  {fn}")
        rest = rows[top:]
        if rest:
            n = sum(r[0] for r in rest)
            print(f"  {n:>12,}  {share(n, total):>6}  {n / ops:>12,.2f}  ({len(rest)} more functions)")


def share(n, total):
    return f"{100 * n / total:.1f}%" if total else "-"


# ---- the boot -----------------------------------------------------------------


def boot_command(name):
    """QEMU's command line for "bench one NAME": make's QEMUCMD, disks in
    throw-away overlays as make bench has them, one hart, the log on fd 3."""
    cmd = os.environ["QEMUCMD"]
    if " -smp 1 " not in cmd:
        raise TraceError("QEMUCMD must boot one hart (-smp 1)")
    for disk in ("swap", "fs"):
        if f"id={disk},snapshot=on" not in cmd:
            cmd = cmd.replace(f"format=raw,id={disk}", f"format=raw,id={disk},snapshot=on")
    # The swap figures come from make bench's boot with maxframes=1024.
    extra = " maxframes=1024" if name.startswith("swap_") else ""
    return (f"timeout {BOOT_TIMEOUT} {cmd} -icount shift=0,sleep=off -d in_asm,exec,nochain,int "
            f"-D /dev/fd/3 -append 'init=/bin/bench quiet{extra} -- one {name}'")


def profile(name, build, nm):
    kernel = Program(os.path.join(build, "kernel.elf"), nm)
    kernel_start = kernel.addrs[kernel.names.index("_start")]
    bindir = os.path.join(build, "user", "bin")
    progs = sorted(p for p in os.listdir(bindir) if "." not in p)
    users = [Program(os.path.join(bindir, p), nm) for p in ["bench"] + [p for p in progs if p != "bench"]]
    entry = kernel_start if name == "boot_to_init" else None

    window = Window()
    with tempfile.TemporaryFile("w+b") as console:
        r, w = os.pipe()
        os.set_inheritable(w, True)
        qemu = subprocess.Popen(["bash", "-c", boot_command(name) + " 3>&" + str(w)], stdin=subprocess.DEVNULL,
                                stdout=console, stderr=subprocess.STDOUT, pass_fds=(w,))
        os.close(w)
        with os.fdopen(r, "rb", buffering=0) as log:
            try:
                blocks, unknown = read_trace(log, window, entry)
            finally:
                while log.read(1 << 22):  # let QEMU finish whatever happened
                    pass
        status = qemu.wait()
        console.seek(0)
        out = console.read().decode(errors="replace").replace("\r", "")
    return window, blocks, out, status, unknown, Attribution(kernel, users, kernel_start)


def report(name, build, nm, top):
    window, blocks, out, status, unknown, attribution = profile(name, build, nm)
    if status != 0 or "init exited with status 0" not in out:
        tail = "\n".join(out.splitlines()[-5:])
        raise TraceError(f"the boot of bench one {name} failed (QEMU status {status}):\n{tail}")
    # "bench: profile NAME ops N insns W idle I"
    line = [l.split() for l in out.splitlines() if l.startswith(f"bench: profile {name} ")]
    if not line or window.state != DONE:
        raise TraceError(f"no window of {name} in the boot (bench one {name} marks none)")
    ops, insns, idle = (int(line[0][i]) for i in (4, 6, 8))
    total = window.total
    counts = tally(blocks, attribution)
    print(f"make profile BENCH={name}: /bin/bench one {name}, one hart, qemu -icount shift=0")
    for l in out.splitlines():
        if l.startswith(f"bench: {name} "):
            print(f"  the figure, this boot: {l}")
    print(f"window: {total:,} instructions, operations: {ops:,}, per op: {total / max(ops, 1):,.2f}", end="")
    if window.waits:
        figure = (total - window.wait_insns) / max(ops, 1)
        print(f" (the figure's {figure:,.2f} leaves out the {window.wait_insns:,} of its idle waits)", end="")
    print()
    expected = insns - idle + window.wait_insns
    if window.waits or idle:
        print(f"check: rdinstret over the window {insns:,}, less {idle:,} idle, plus the {window.wait_insns:,} "
              f"instructions the trace shows in its {window.waits:,} waits: {expected:,}", end="")
    else:
        print(f"check: rdinstret over the window: {insns:,} (no idle wait)", end="")
    if unknown:
        print(f" ({unknown} lines of the log not understood)", end="")
    exact = total == expected and not unknown
    print(": exact" if exact else f": MISMATCH, the trace counts {total - expected:+,}")
    print_profile(counts, total, max(ops, 1), top)
    return 0 if exact else 1


def main():
    if len(sys.argv) != 2:
        print("usage: make profile BENCH=NAME   (NAME: a bench line of make bench, or known_loop)", file=sys.stderr)
        return 2
    name = sys.argv[1]
    if not re.fullmatch(r"[a-z0-9_]+", name):
        print(f"profile: {name!r} is no benchmark name", file=sys.stderr)
        return 2
    build = os.environ.get("B", "build")
    nm = os.environ.get("NM", "riscv64-unknown-elf-nm")
    top = int(os.environ.get("TOP") or 20)
    try:
        return report(name, build, nm, top)
    except TraceError as e:
        print(f"profile: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
