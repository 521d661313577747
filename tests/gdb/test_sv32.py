# The checks of tools/gdb/sv32.py, run inside gdb-multiarch by test_gdb.sh.
"""Drives one boot (default init and shell, where test_gdb.sh types
`walk VA...`) from breakpoint to breakpoint and compares the output of
each sv32 command with what the kernel itself holds: its vmwalk answer
(struct k_vmwalk at the copyout in sys_vmwalk), its process table, region
table, resident counts and frame table, the linker's image symbols, and
with QEMU's own `monitor info mem`. Relies on the kernel's names procs,
kroot, frame_table, the static stats of asid.c, cpus, sys_vmwalk, copyout
and ktest_run. Prints "PLAN N" first, then one "RESULT ok NAME" or
"RESULT not ok NAME # WHY" per check; the script numbers them as TAP.
Environment: SV32_TEST_VAS, the hex addresses the script types.
"""

import os
import re

import gdb

VAS = [int(v, 16) for v in os.environ["SV32_TEST_VAS"].split()]
INIT_PID = 1
PRIV_U, PRIV_S = 0, 1
ECALL = 0x00000073
USER_TEXT = 0x10000  # where linker/user.ld puts every program's text

# Sv32 PTE bits (privileged spec), written out here, not taken from sv32.py.
V, R, W, U, A = 0x01, 0x02, 0x04, 0x10, 0x40
RAM_4M = 0x80800000  # 4 MiB-aligned, RAM at 128 MiB; nothing reads it


def make_pte(pa, flags):
    return (pa >> 12) << 10 | flags


# Entries planted in walk's root for the vmwalk of one address each, in
# user-half slots no region uses, and put back before walk runs on: the
# value (from the root's pa and walk's first level-0 table's pa) and what
# sv32 walk must say of it. The kernel's answer is the reference for both.
PLANTED = {
    0x40000000: (lambda root, table: make_pte(RAM_4M, V | W),
                 "no translation: reserved encoding at level 1: W without R"),
    0x40400000: (lambda root, table: make_pte(RAM_4M + 0x1000, V | R | U | A),
                 "no translation: misaligned megapage"),
    0x40800000: (lambda root, table: make_pte(table, V | A),
                 "no translation: reserved bits in a pointer at level 1"),
    0x40C00000: (lambda root, table: make_pte(0x40000000, V),
                 "no translation: the level-0 table at pa 0x40000000 is not in RAM"),
    0x41000000: (lambda root, table: make_pte(root, V), "no translation: a pointer at level 0"),
    0x41412345: (lambda root, table: make_pte(RAM_4M, V | R | U | A),
                 "pa 0x%08x (megapage)" % (RAM_4M + 0x12345)),
}
PLANTED_MEGAPAGE = 0x41412345

RANGE_RE = re.compile(r"^  0x([0-9a-f]+)-0x([0-9a-f]+)  0x([0-9a-f]+)-0x([0-9a-f]+)"
                      r" +\d+ [KM]iB  (4K|4M) +([R-][W-][X-] [U-][G-][A-][D-])$")
PTE_RE = re.compile(r"^  pte([01]) at pa 0x([0-9a-f]+): 0x([0-9a-f]{8}) ")
PA_RE = re.compile(r"^  pa 0x([0-9a-f]+) \((page|megapage)\)$")
LOAD_RE = re.compile(r"^  user load: (ok|fault: scause (\d+))")
QEMU_MEM_RE = re.compile(r"^([0-9a-f]{8}) ([0-9a-f]{16}) ([0-9a-f]{8})"
                         r" ([r-][w-][x-][u-][g-][a-][d-])$")


class CheckFailed(Exception):
    pass


def expect(cond, why):
    if not cond:
        raise CheckFailed(why)


def run(command):
    return gdb.execute(command, to_string=True)


def value(expr):
    return int(gdb.parse_and_eval(expr)) & 0xFFFFFFFF


# --- parsing the commands' output --------------------------------------------

def parse_maps(text):
    """{"user": [...], "kernel": [...]} of (va, va_end, pa, page, flags)."""
    halves, half = {"user": [], "kernel": []}, None
    for line in text.splitlines():
        if line.startswith(("user half", "kernel half")):
            half = line.split()[0]
        m = RANGE_RE.match(line)
        if m and half:
            va, end, pa = (int(m.group(i), 16) for i in (1, 2, 3))
            halves[half].append((va, end, pa, m.group(5), m.group(6)))
    return halves


def parse_walk(text):
    """{"ptes": {level: (slot, pte)}, "pa", "kind", "cause"} from sv32 walk."""
    out = {"ptes": {}, "pa": None, "kind": None, "cause": None}
    for line in text.splitlines():
        m = PTE_RE.match(line)
        if m:
            out["ptes"][int(m.group(1))] = (int(m.group(2), 16), int(m.group(3), 16))
        m = PA_RE.match(line)
        if m:
            out["pa"], out["kind"] = int(m.group(1), 16), m.group(2)
        m = LOAD_RE.match(line)
        if m:
            out["cause"] = 0 if m.group(1) == "ok" else int(m.group(2))
    return out


def qemu_ranges():
    """QEMU's own dump of the current satp's mappings (monitor info mem)
    as (va, va_end, pa, flags) in the sv32 maps flag format. The monitor
    has its own current CPU: make it the hart gdb stopped on (gdb numbers
    QEMU's CPUs as threads from 1)."""
    out = []
    run("monitor cpu %d" % (gdb.selected_thread().num - 1))
    for line in run("monitor info mem").splitlines():
        m = QEMU_MEM_RE.match(line)
        if m:
            va, pa, size = (int(m.group(i), 16) for i in (1, 2, 3))
            attr = m.group(4).upper()
            out.append((va, va + size - 1, pa, attr[:3] + " " + attr[3:]))
    return out


def merged(ranges):
    """(va, va_end, pa, flags) with neighbours that continue each other in
    va and pa with equal flags merged: page size and table edges aside."""
    out = []
    for va, end, pa, flags in ranges:
        last = out[-1] if out else None
        if last and last[1] + 1 == va and last[2] + va - last[0] == pa and last[3] == flags:
            out[-1] = (last[0], end, last[2], flags)
        else:
            out.append((va, end, pa, flags))
    return out


def expect_qemu_agrees(maps):
    ours = merged([(va, end, pa, flags) for va, end, pa, page, flags in
                   maps["user"] + maps["kernel"]])
    theirs = merged(qemu_ranges())
    expect(theirs, "no ranges in monitor info mem")
    diff = sorted(set(ours) ^ set(theirs))[:2]
    expect(not diff, "ranges differ from QEMU's info mem, first: %s"
           % ["0x%08x-0x%08x 0x%08x %s" % r for r in diff])


def range_at(ranges, va):
    hits = [r for r in ranges if r[0] <= va <= r[1]]
    expect(hits, "no range holds 0x%08x" % va)
    return hits[0]


def user_pages(ranges):
    return sum((r[1] + 1 - r[0]) >> 12 for r in ranges)


# --- the kernel's own view -------------------------------------------------------

def proc_index(pid):
    for i in range(value("procs_high")):
        if value("procs[%d].pid" % i) == pid and str(gdb.parse_and_eval(
                "procs[%d].state" % i)) != "P_UNUSED":
            return i
    raise CheckFailed("the kernel has no pid %d" % pid)


def walk_pid():
    """The pid of the walk program, recorded at its first vmwalk."""
    expect("walk_pid" in STATE, "walk never reached sys_vmwalk")
    return STATE["walk_pid"]


def kernel_regions(pid):
    space = "procs[%d].as" % proc_index(pid)
    n = value(space + "->nregions")
    return [(value("%s->regions[%d].start" % (space, i)),
             value("%s->regions[%d].end" % (space, i)),
             value("%s->regions[%d].prot" % (space, i))) for i in range(n)]


def kernel_vmwalk():
    """The kernel's answer, at the copyout of sys_vmwalk (a1 = &w)."""
    w = gdb.parse_and_eval("*(struct k_vmwalk *)$a1")
    return {f: int(w[f]) & 0xFFFFFFFF for f in
            ("satp", "asid", "pte1_pa", "pte1", "pte0_pa", "pte0", "pa", "fault")} | {
        "level": int(w["level"])}


FRAME_F_CACHE = 16  # kernel/mm/frame.h: a page-cache page, whose va is its disk block


def expect_frames_record(ranges):
    """Each anonymous user page's frame (kernel/mm/frame.h) records the va
    that maps it, so a range whose pa does not follow its va is caught; a
    page-cache page records its disk block instead, and is mapped anywhere."""
    base = value("frame_table_base")
    for va, end, pa, page, flags in ranges:
        for offset in range(0, end + 1 - va, 1 << 12):
            index = (pa + offset - base) >> 12
            if value("frame_table[%d].flags" % index) & FRAME_F_CACHE:
                continue
            got = value("frame_table[%d].va" % index)
            expect(got == va + offset, "0x%08x maps pa 0x%08x, whose frame says va 0x%08x"
                   % (va + offset, pa + offset, got))


# --- the checks ---------------------------------------------------------------------

STATE = {}


def check_satp_kernel():
    out = run("sv32 satp")
    satp, root = value("$satp"), value("(unsigned)'kmap.c'::kroot")
    expect("satp 0x%08x: mode Sv32, asid 0, root ppn 0x%05x" % (satp, root >> 12) in out,
           "satp line wrong: %r" % out.splitlines()[0])
    expect("root table at pa 0x%08x" % root in out, "root pa is not kroot 0x%08x" % root)
    expect("the kernel's own table (kroot)" in out, "owner not named kroot")


def check_aliases():
    for old, new in (("satp", "sv32 satp"), ("walk 0x80400000", "sv32 walk 0x80400000"),
                     ("pte 0x2008245b", "sv32 pte 0x2008245b")):
        expect(run(old) == run(new), "'%s' differs from '%s'" % (old, new))


def check_walk_kernel_text():
    root, text = value("(unsigned)'kmap.c'::kroot"), value("(unsigned)&__kernel_start")
    w = parse_walk(run("sv32 walk 0x%x" % text))
    slot1, pte1 = w["ptes"].get(1, (None, 0))
    expect(slot1 == root + (text >> 22) * 4, "pte1 not at root + vpn[1] * 4")
    expect(pte1 == value("*(unsigned *)0x%x" % slot1), "pte1 value is not the memory's")
    slot0, pte0 = w["ptes"].get(0, (None, 0))
    expect(slot0 == (pte1 >> 10 << 12) + ((text >> 12) & 0x3FF) * 4, "pte0 slot wrong")
    expect(pte0 & 0xFF == 0x6B, "kernel text pte0 flags 0x%02x, not V R X G A" % (pte0 & 0xFF))
    expect(w["pa"] == text and w["kind"] == "page", "pa 0x%x, not 0x%x" % (w["pa"] or 0, text))
    expect(w["cause"] == 13, "a user load of kernel text does not fault")


def check_walk_null():
    out = run("sv32 walk 0")
    expect("no translation: invalid level-1 entry" in out, "no level-1 stop: %r" % out)
    expect(set(parse_walk(out)["ptes"]) == {1}, "walked past level 1")


def check_pte_decodes():
    cases = {"0x2008245b": "pte 0x2008245b: ppn 0x80209 pa 0x80209000 VR-XU-A- leaf",
             "0x1500": "not valid: swap slot 5",
             "0x5": "reserved: W without R",
             "0x20082041": "reserved: D, A or U in a pointer"}
    for arg, want in cases.items():
        expect(want in run("sv32 pte " + arg), "sv32 pte %s lacks '%s'" % (arg, want))


def check_kernel_map_wx():
    maps = parse_maps(run("sv32 maps"))
    STATE["kernel_half"] = maps["kernel"]
    expect(maps["user"] == [], "the kernel root maps user addresses")
    text, text_end, ro_end = (value("(unsigned)&" + s) for s in
                              ("__kernel_start", "__text_end", "__rodata_end"))
    expect((text, text_end - 1, text, "4K", "R-X -GA-") in maps["kernel"],
           "no range 0x%08x-0x%08x R-X -GA- (text)" % (text, text_end - 1))
    expect((text_end, ro_end - 1, text_end, "4K", "R-- -GA-") in maps["kernel"],
           "no range R-- -GA- for rodata")
    for va, end, pa, page, flags in maps["kernel"]:
        expect(flags[4] == "-" and flags[5] == "G", "0x%08x: %s (U, or no G)" % (va, flags))
        expect(not (flags[1] == "W" and flags[2] == "X"), "0x%08x: W and X" % va)
    expect(any(r[3] == "4M" and r[4] == "RW- -GAD" for r in maps["kernel"]), "no megapages")
    expect_qemu_agrees(maps)


def leaf_pa(va, k):
    """The translation of va by the kernel's answer: its pa, or for a leaf a
    user load may not use, the leaf's ppn and the offset in the (mega)page."""
    if k["fault"] == 0:
        return k["pa"]
    if k["level"] < 0:
        return None
    pte, size = (k["pte1"], 1 << 22) if k["level"] == 1 else (k["pte0"], 1 << 12)
    if k["level"] == 1 and (pte >> 10) & 0x3FF:
        return None  # a megapage needs ppn[0] = 0, else every access faults
    return (pte >> 10 << 12) | (va & (size - 1))


def hexes(pair):
    return "none" if pair is None else "(%s)" % ", ".join("0x%08x" % n for n in pair)


def check_vmwalk(va):
    """sv32 walk va matches the kernel's own walk (the vmwalk answer)."""
    k = kernel_vmwalk()
    out = run("sv32 walk 0x%x" % va)
    w = parse_walk(out)
    expect("satp 0x%08x:" % k["satp"] in out, "satp is not the kernel's 0x%08x" % k["satp"])
    ptes = {1: (k["pte1_pa"], k["pte1"])}
    if k["pte0_pa"]:
        ptes[0] = (k["pte0_pa"], k["pte0"])
    for level in (1, 0):
        got = w["ptes"].get(level)
        expect(got == ptes.get(level), "pte%d %s, kernel %s"
               % (level, hexes(got), hexes(ptes.get(level))))
    expect(w["cause"] == k["fault"], "user load %s, kernel %d" % (w["cause"], k["fault"]))
    if leaf_pa(va, k) is not None:
        kind = "megapage" if k["level"] == 1 else "page"
        expect(w["kind"] == kind, "%s, kernel says a %s" % (w["kind"], kind))
    want = leaf_pa(va, k)
    expect(w["pa"] == want, "pa %s, kernel's leaf gives %s" % (
        hexes(None if w["pa"] is None else [w["pa"]]), hexes(None if want is None else [want])))
    if va in PLANTED:
        expect(PLANTED[va][1] in out, "no '%s' in %r" % (PLANTED[va][1], out))
    else:
        STATE.setdefault("walks", {})[va] = out


def check_planted_walk(va):
    try:
        check_vmwalk(va)
    finally:
        unplant()


def check_planted_maps():
    """With a user megapage and a W-without-R entry planted, maps shows
    the first as a 4 MiB range and lists the second as refused."""
    planted = len(STATE.get("planted", []))
    plant(0x40000000)
    try:
        out = run("sv32 maps")
    finally:
        unplant(keep=planted)
    big = range_at(parse_maps(out)["user"], PLANTED_MEGAPAGE)
    want = (PLANTED_MEGAPAGE & ~0x3FFFFF, (PLANTED_MEGAPAGE | 0x3FFFFF), RAM_4M, "4M", "R-- U-A-")
    expect(big == want, "the planted megapage shows as %s" % (big,))
    expect("refused by the hardware: 0x40000000: pte1 0x%08x: reserved encoding at level 1:"
           " W without R" % make_pte(RAM_4M, V | W) in out, "no refused line for 0x40000000")


def check_walk_program_maps():
    out = run("sv32 maps")
    STATE["maps"] = out
    maps = parse_maps(out)
    text = range_at(maps["user"], USER_TEXT)
    expect(text[4].startswith("R-X U"), "text is %s, not R-X U" % text[4])
    stack = range_at(maps["user"], value("procs[%d].tf->regs[2]" % proc_index(walk_pid())))
    expect(stack[4].startswith("RW- U"), "stack is %s, not RW- U" % stack[4])
    expect(maps["kernel"] == STATE.get("kernel_half"), "kernel half differs from kroot's")
    expect_qemu_agrees(maps)


def check_maps_against_regions():
    maps = parse_maps(STATE["maps"])
    regions = kernel_regions(walk_pid())
    for va, end, pa, page, flags in maps["user"]:
        holder = [r for r in regions if r[0] <= va and end < r[1]]
        expect(holder, "0x%08x-0x%08x lies in no region" % (va, end))
        prot = sum(bit for bit, letter in ((1, "R"), (2, "W"), (4, "X")) if letter in flags[:3])
        expect(prot & ~holder[0][2] == 0, "0x%08x: %s beyond the region's prot %d"
               % (va, flags, holder[0][2]))
    resident = value("procs[%d].as->resident" % proc_index(walk_pid()))
    expect(user_pages(maps["user"]) == resident, "%d user pages, kernel resident %d"
           % (user_pages(maps["user"]), resident))
    expect_frames_record(maps["user"])


def maps_body(out):
    return out.split("\n", 1)[1]


def check_maps_pid_and_asid():
    asid = kernel_vmwalk()["asid"]
    by_pid, by_asid = run("sv32 maps --pid %d" % walk_pid()), run("sv32 maps --asid %d" % asid)
    for out, how in ((by_pid, "--pid"), (by_asid, "--asid")):
        expect(maps_body(out) == maps_body(STATE["maps"]), "%s differs from the current maps" % how)
        expect(out.startswith("pid %d (walk, running)" % walk_pid()), "%s names %r"
               % (how, out.splitlines()[0]))


def check_maps_init():
    out = run("sv32 maps --pid %d" % INIT_PID)
    maps, mine = parse_maps(out), parse_maps(STATE["maps"])
    expect(out.startswith("pid 1 (init, "), "header %r" % out.splitlines()[0])
    expect(maps["user"] and maps["user"] != mine["user"], "init's user half is walk's")
    expect(maps["kernel"] == mine["kernel"], "init's kernel half differs")
    resident = value("procs[%d].as->resident" % proc_index(INIT_PID))
    expect(user_pages(maps["user"]) == resident, "init: %d pages, resident %d"
           % (user_pages(maps["user"]), resident))
    expect_frames_record(maps["user"])
    text = range_at(maps["user"], USER_TEXT)
    w = parse_walk(run("sv32 walk 0x%x --pid %d" % (USER_TEXT, INIT_PID)))
    expect(w["pa"] == text[2] + USER_TEXT - text[0], "walk --pid 1 disagrees with maps")


def set_asid(pid, asid, gen):
    state = "procs[%d].as->asid" % proc_index(pid)
    gdb.execute("set var %s.asid = %d" % (state, asid))
    gdb.execute("set var %s.gen = %d" % (state, gen))


def check_asid_generations():
    """An ASID counts only in the current generation: hand walk's ASID to
    init in a new generation (as a rollover would) and look it up."""
    gen_expr = "'asid.c'::stats.generation"
    gen, asid = value(gen_expr), kernel_vmwalk()["asid"]
    init_state = (value("procs[%d].as->asid.asid" % proc_index(INIT_PID)),
                  value("procs[%d].as->asid.gen" % proc_index(INIT_PID)))
    try:
        gdb.execute("set var %s = %d" % (gen_expr, gen + 1))
        set_asid(INIT_PID, asid, gen + 1)
        out = run("sv32 maps --asid %d" % asid)
        satp = run("sv32 satp")
    finally:
        gdb.execute("set var %s = %d" % (gen_expr, gen))
        set_asid(INIT_PID, *init_state)
    expect(out.startswith("pid 1 (init, "), "--asid %d found %r" % (asid, out.splitlines()[0]))
    expect("generation %d (stale" % gen in satp, "satp does not call walk's asid stale")


def check_errors():
    unused = 1 + max(value("procs[%d].as->asid.asid" % i) for i in range(value("procs_high"))
                     if value("(unsigned)procs[%d].as" % i))
    for command, want in (("sv32 maps --pid 99", "no process has pid 99"),
                          ("sv32 maps --asid %d" % unused, "no address space holds asid %d"
                           % unused),
                          ("sv32 maps --pid 1 --asid 1", "not both")):
        try:
            run(command)
            raise CheckFailed("'%s' did not fail" % command)
        except gdb.error as e:
            expect(want in str(e), "'%s': %s" % (command, e))


def plant(va):
    """Put PLANTED[va]'s entry into walk's root; unplant() puts back all."""
    root = value("(unsigned)procs[%d].as->root" % proc_index(walk_pid()))
    table = value("*(unsigned *)0x%x" % root) >> 10 << 12
    slot = root + (va >> 22) * 4
    STATE.setdefault("planted", []).append((slot, value("*(unsigned *)0x%x" % slot)))
    gdb.execute("set var *(unsigned *)0x%x = 0x%x" % (slot, PLANTED[va][0](root, table)))


def unplant(keep=0):
    """Put back the planted entries, the latest first, but for the first keep."""
    while len(STATE.get("planted", [])) > keep:
        slot, old = STATE["planted"].pop()
        gdb.execute("set var *(unsigned *)0x%x = 0x%x" % (slot, old))


def check_stopped_in_user_mode():
    expect(value("$priv") == PRIV_U, "$priv is %d" % value("$priv"))
    expect(value("$pc") == STATE["return_pc"], "pc 0x%x, not after the ecall" % value("$pc"))


def check_user_mode_same_view():
    expect(STATE.get("walks") and STATE.get("maps"), "no S-mode output to compare with")
    for va, before in STATE["walks"].items():
        expect(run("sv32 walk 0x%x" % va) == before, "walk 0x%x differs in U-mode" % va)
    expect(run("sv32 maps") == STATE["maps"], "maps differs in U-mode")


def check_virtual_reads_restored():
    run("sv32 maps")
    reply = run("maintenance packet qqemu.PhyMemMode")
    expect('received: "0"' in reply, "physical mode left on: %r" % reply)
    ecall_at = STATE["return_pc"] - 4
    expect(value("*(unsigned *)0x%x" % ecall_at) == ECALL,
           "the user VA 0x%x does not read as the ecall" % ecall_at)


# --- the stops --------------------------------------------------------------------

def stop_at_ktest():
    gdb.execute("break ktest_run")
    gdb.execute("continue")
    expect(value("$priv") == PRIV_S, "not in S-mode")


def stop_at_vmwalk(va):
    def setup():
        unplant()
        gdb.execute("delete")
        gdb.execute("break sys_vmwalk")
        gdb.execute("continue")
        expect(value("tf->regs[10]") == va, "vmwalk of 0x%x, expected 0x%x"
               % (value("tf->regs[10]"), va))
        # user_trap has moved sepc past the ecall already: where it returns.
        STATE["return_pc"] = value("tf->sepc")
        # The hart that stopped (tp is its struct cpu): not always the boot hart.
        STATE["walk_pid"] = value("((struct cpu *)$tp)->proc->pid")
        if va in PLANTED:
            plant(va)
        gdb.execute("tbreak copyout")
        gdb.execute("continue")
    return setup


def unplant_and_stop_in_user_mode():
    unplant()
    gdb.execute("delete")
    gdb.execute("tbreak *0x%x" % STATE["return_pc"])
    gdb.execute("continue")


def stages():
    yield stop_at_ktest, [
        ("satp at boot names the kernel's root kroot, ASID 0", check_satp_kernel),
        ("satp, walk and pte are aliases of the sv32 commands", check_aliases),
        ("walk of kernel text: both PTEs where the tables hold them, R-X G leaf, pa = va",
         check_walk_kernel_text),
        ("walk 0 under kroot stops at an invalid level-1 entry", check_walk_null),
        ("pte decodes a leaf, a swap entry and reserved encodings", check_pte_decodes),
        ("maps of kroot: no user half; text R-X, rodata R--, G, no U, nothing W+X; as QEMU's",
         check_kernel_map_wx),
    ]
    for va in VAS:
        if va not in PLANTED:
            checks = [("walk 0x%08x matches the kernel's vmwalk answer" % va,
                       lambda va=va: check_vmwalk(va))]
        else:
            what = PLANTED[va][1].split(": ")[-1]
            checks = [("walk 0x%08x, planted %s, matches the kernel's vmwalk answer"
                       % (va, what), lambda va=va: check_planted_walk(va))]
        if va == PLANTED_MEGAPAGE:
            checks.insert(0, ("maps of a planted user megapage: one 4M range; a refused entry",
                              check_planted_maps))
        yield stop_at_vmwalk(va), checks
    yield (lambda: None), [
        ("maps of walk: text R-X U, stack RW- U, kernel half as kroot's; as QEMU's info mem",
         check_walk_program_maps),
        ("maps of walk: inside its regions' protections, pages = resident, frames' va",
         check_maps_against_regions),
        ("maps --pid and --asid of walk give the current maps", check_maps_pid_and_asid),
        ("maps --pid 1 (init): another user half, its resident pages, the same kernel half",
         check_maps_init),
        ("--asid matches the current generation only", check_asid_generations),
        ("--pid and --asid of nothing, and both at once, are refused", check_errors),
    ]
    yield unplant_and_stop_in_user_mode, [
        ("stopped in U-mode just after walk's ecall", check_stopped_in_user_mode),
        ("in U-mode, walk and maps print what they printed in S-mode",
         check_user_mode_same_view),
        ("after a command the stub reads virtual memory again", check_virtual_reads_restored),
    ]


def why(e):
    text = str(e) if isinstance(e, (CheckFailed, gdb.error)) else "%s: %s" % (
        type(e).__name__, e)
    return text.replace("\n", " ")


def result(ok, name, reason=""):
    print("RESULT %s %s%s" % ("ok" if ok else "not ok", name, "" if ok else " # " + reason))


def main():
    missing = [va for va in PLANTED if va not in VAS]
    if missing:
        raise SystemExit("SV32_TEST_VAS lacks the planted addresses %s" % missing)
    plan = list(stages())
    print("PLAN %d" % sum(len(checks) for _, checks in plan))
    for setup, checks in plan:
        try:
            setup()
            broken = None
        except Exception as e:  # any failure to stop fails the stage's checks
            broken = "could not stop there: %s" % why(e)
        for name, check in checks:
            if broken:
                result(False, name, broken)
                continue
            try:
                check()
                result(True, name)
            except Exception as e:  # a broken check fails alone, the others go on
                result(False, name, why(e))


main()
