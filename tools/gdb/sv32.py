# Sv32 page tables in GDB: the `sv32` commands, loaded by tools/gdb/kernel.gdb.
"""Sv32 page tables in GDB (gdb-multiarch, Python) for this kernel on QEMU.

Offers (`help sv32 CMD` for each):
  sv32 satp                          decode satp and name the space it selects
  sv32 pte VALUE                     decode one page-table entry
  sv32 walk ADDR [--pid N|--asid N]  the two-level walk of one address
  sv32 maps [--pid N|--asid N]       every valid mapping, coalesced into ranges
The walk reports what kernel/riscv/sv32.c sv32_translate reports for a
user load, the question the vmwalk system call (user/bin/walk) asks, and
prints its lines in the shape user/bin/walk.c does.

Relies on, from kernel.elf: `procs` and `procs_high` (kernel/proc/proc.h:
a pointer to the table of struct proc with state, pid, name, as, and the
slots ever used), struct addrspace's `root` and `asid`
(kernel/mm/vm.h; struct asid_state's `asid` and `gen`, kernel/riscv/asid.h),
the static `stats` of kernel/riscv/asid.c (struct asid_stats: `generation`,
the current ASID generation) and the static `kroot` of kernel/riscv/kmap.c.
Kernel pointers are physical addresses (RAM is mapped VA = PA).

Memory is read by physical address through QEMU's gdbstub physical-memory
mode (packet Qqemu.PhyMemMode:1): on QEMU 7.2 the stub's virtual reads go
through the current satp with the current privilege, so stopped in U-mode
they cannot reach the kernel's pages. Invariant: each command puts the
stub's mode back as it found it. Without that mode (another stub) reads
are virtual, which reaches page tables only when stopped in S-mode.
"""

import re
import struct
from collections import namedtuple

import gdb

# satp (privileged spec, "Supervisor Address Translation and Protection").
SATP_MODE_SV32 = 1 << 31
SATP_ASID_SHIFT = 22
SATP_ASID_MASK = 0x1FF
SATP_PPN_MASK = 0x3FFFFF

# Sv32 addresses and tables (privileged spec, "Sv32").
PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
VPN1_SHIFT = 22
VPN_MASK = 0x3FF
MEGAPAGE_SIZE = 1 << VPN1_SHIFT
PTE_SIZE = 4
PTES_PER_TABLE = 1024
PA_LIMIT = 1 << 32  # GDB's rv32 addresses stop here; Sv32 reaches 2^34

# Sv32 PTE bits, bit 0 first.
PTE_V = 1 << 0
PTE_R = 1 << 1
PTE_W = 1 << 2
PTE_X = 1 << 3
PTE_U = 1 << 4
PTE_G = 1 << 5
PTE_A = 1 << 6
PTE_D = 1 << 7
PTE_FLAG_LETTERS = "VRWXUGAD"  # the order user/bin/walk.c prints them in
PTE_HW_FLAGS = 0xFF
PTE_RWX = PTE_R | PTE_W | PTE_X
PTE_NONLEAF_RESERVED = PTE_D | PTE_A | PTE_U
PTE_PPN_SHIFT = 10
PTE_SWAP = 1 << 8  # this kernel's swap entry: V clear, RSW bit 0 set (sv32.h)

# What a user load faults with (scause).
SCAUSE_LOAD_ACCESS = 5
SCAUSE_LOAD_PAGE_FAULT = 13
SCAUSE_NAMES = {SCAUSE_LOAD_ACCESS: "load access fault",
                SCAUSE_LOAD_PAGE_FAULT: "load page fault"}

KERNEL_HALF = 0x80000000  # USER_TOP in kernel/mm/vm.h
KERNEL_ASID = 0

# QEMU's gdbstub packets for its physical-memory mode.
PHYS_MODE_QUERY = "qqemu.PhyMemMode"
PHYS_MODE_ON = "Qqemu.PhyMemMode:1"
PHYS_MODE_OFF = "Qqemu.PhyMemMode:0"


# --- fields ------------------------------------------------------------------

def vpn(va, level):
    """vpn[level] of va."""
    return (va >> (PAGE_SHIFT + 10 * level)) & VPN_MASK


def pte_ppn(pte):
    return pte >> PTE_PPN_SHIFT


def pte_pa(pte):
    return pte_ppn(pte) << PAGE_SHIFT


def satp_root(satp):
    return (satp & SATP_PPN_MASK) << PAGE_SHIFT


def satp_asid(satp):
    return (satp >> SATP_ASID_SHIFT) & SATP_ASID_MASK


def flag_letters(pte):
    """V R W X U G A D, one letter per set bit and '-' per clear one."""
    return "".join(letter if pte >> bit & 1 else "-"
                   for bit, letter in enumerate(PTE_FLAG_LETTERS))


def range_flags(flags):
    """The flags of a mapping (all valid): R W X, a blank, U G A D."""
    letters = flag_letters(flags)
    return letters[1:4] + " " + letters[4:]


def pte_meaning(pte):
    """What an entry is, as far as its value alone tells."""
    if pte == 0:
        return "empty"
    if not pte & PTE_V:
        if pte & PTE_SWAP:
            return "not valid: swap slot %d" % pte_ppn(pte)
        return "not valid"
    if pte & PTE_W and not pte & PTE_R:
        return "reserved: W without R"
    if pte & PTE_RWX:
        return "leaf"
    if pte & PTE_NONLEAF_RESERVED:
        return "reserved: D, A or U in a pointer"
    return "pointer to the next level"


def pte_text(pte):
    """An entry as user/bin/walk.c prints it: value, ppn, flags, meaning."""
    return "0x%08x ppn 0x%05x %s %s" % (pte, pte_ppn(pte), flag_letters(pte),
                                        pte_meaning(pte))


def size_text(size):
    if size % (1 << 20) == 0:
        return "%d MiB" % (size >> 20)
    return "%d KiB" % (size >> 10)


# --- guest memory --------------------------------------------------------------

def stub_packet(packet):
    """Send one packet to the remote stub: its reply, or None without one."""
    try:
        out = gdb.execute("maintenance packet " + packet, to_string=True)
    except gdb.error:
        return None
    reply = re.search(r'received: "(.*)"', out)
    return reply.group(1) if reply else None


class GuestMemory:
    """Guest memory for the length of one command, by physical address."""

    def __enter__(self):
        self.inferior = gdb.selected_inferior()
        self.ram = None
        mode = stub_packet(PHYS_MODE_QUERY)
        self.restore = mode == "0" and stub_packet(PHYS_MODE_ON) == "OK"
        self.physical = self.restore or mode == "1"
        return self

    def __exit__(self, *exc):
        if self.restore:
            stub_packet(PHYS_MODE_OFF)
        # Nothing read here may be served later as virtual memory.
        gdb.execute("maintenance flush dcache", to_string=True)
        return False

    def words(self, pa, count):
        """count 32-bit words at pa; None if the memory cannot be read."""
        if pa + count * PTE_SIZE > PA_LIMIT:
            return None
        try:
            data = self.inferior.read_memory(pa, count * PTE_SIZE)
        except gdb.MemoryError:
            return None
        return struct.unpack("<%dI" % count, bytes(data))

    def word(self, pa):
        got = self.words(pa, 1)
        return None if got is None else got[0]

    def in_ram(self, pa):
        """Whether a table at pa is in the RAM the kernel's frame table
        describes (sv32.c table_reachable; in physical mode QEMU reads
        all ones outside RAM). True when the kernel's symbols are missing."""
        if self.ram is None:
            self.ram = kernel_ram()
        return not self.ram or self.ram[0] <= pa < self.ram[1]

    def root_table(self, root):
        """The 1024 entries of the root table at root, or a GdbError."""
        entries = self.words(root, PTES_PER_TABLE) if self.in_ram(root) else None
        if entries is None:
            why = "" if self.physical else (
                " (this stub has no physical-memory mode: page tables are"
                " readable only when stopped in S-mode)")
            raise gdb.GdbError("sv32: cannot read the root table at pa 0x%08x%s"
                               % (root, why))
        return entries


# --- the kernel's view: processes, address spaces, ASIDs -----------------------

Proc = namedtuple("Proc", "pid name state root asid gen")
Space = namedtuple("Space", "root asid describe")


def kernel_value(name, type_name):
    """kernel.elf's variable name: a global, or a static of type type_name."""
    sym = gdb.lookup_global_symbol(name)
    if sym is None:
        statics = [s for s in gdb.lookup_static_symbols(name)
                   if str(s.type) == type_name]
        sym = statics[0] if statics else None
    if sym is None:
        raise gdb.GdbError("sv32: no symbol %s (%s): load kernel.elf's symbols"
                           % (name, type_name))
    return sym.value()


def proc_of(p):
    """A Proc from a struct proc value; root 0 without an address space."""
    state = str(p["state"]).removeprefix("P_").lower()
    name = p["name"].string(errors="replace").split("\0")[0]
    space = p["as"]
    if int(space) == 0:
        return Proc(int(p["pid"]), name, state, 0, None, None)
    space = space.dereference()
    return Proc(int(p["pid"]), name, state, int(space["root"]),
                int(space["asid"]["asid"]), int(space["asid"]["gen"]))


def kernel_procs():
    """Every used slot of the kernel's process table: procs[0 .. procs_high),
    the slots ever used (the table is sized by memory at boot)."""
    table = kernel_value("procs", "struct proc *")
    used = int(kernel_value("procs_high", "int"))
    slots = (table[i] for i in range(used))
    return [proc_of(p) for p in slots if str(p["state"]) != "P_UNUSED"]


def kernel_ram():
    """[base, end) of the RAM in the kernel's frame table, or () without symbols."""
    try:
        base = int(kernel_value("frame_table_base", "paddr_t"))
        frames = int(kernel_value("frame_table_len", "uint32_t"))
    except (gdb.error, gdb.GdbError):
        return ()
    return base, base + (frames << PAGE_SHIFT)


def current_generation():
    return int(kernel_value("stats", "struct asid_stats")["generation"])


def kernel_root():
    return int(kernel_value("kroot", "pte_t *"))


def proc_label(p):
    return "pid %d (%s, %s)" % (p.pid, p.name, p.state)


def asid_label(p, generation):
    """p's ASID and whether it belongs to the current generation."""
    if p.gen == generation:
        return "asid %d of generation %d (current)" % (p.asid, p.gen)
    if p.gen == 0:
        return "no asid yet (it has not run)"
    return "asid %d of generation %d (stale: the current one is %d)" % (
        p.asid, p.gen, generation)


def owner_of(root):
    """Who owns the root table at root, in words."""
    try:
        if root == kernel_root():
            return "the kernel's own table (kroot)"
        generation = current_generation()
        for p in kernel_procs():
            if p.root == root:
                return "%s, %s" % (proc_label(p), asid_label(p, generation))
    except (gdb.error, gdb.GdbError) as e:
        return "owner unknown (%s)" % e
    return "owner unknown: no process has this root"


def read_satp():
    try:
        return int(gdb.parse_and_eval("$satp")) & 0xFFFFFFFF
    except gdb.error:
        raise gdb.GdbError("sv32: no satp register: connect to QEMU first") from None


def satp_text(satp):
    """satp as user/bin/walk.c prints it."""
    mode = "Sv32" if satp & SATP_MODE_SV32 else "bare"
    return "satp 0x%08x: mode %s, asid %d, root ppn 0x%05x" % (
        satp, mode, satp_asid(satp), satp & SATP_PPN_MASK)


def current_space():
    """The space satp selects (the kernel runs on the process's table)."""
    satp = read_satp()
    if not satp & SATP_MODE_SV32:
        raise gdb.GdbError("sv32: %s: paging is off, va = pa" % satp_text(satp))
    root = satp_root(satp)
    return Space(root, satp_asid(satp), "%s: %s" % (satp_text(satp), owner_of(root)))


def space_of(p, generation):
    now = "in satp now" if p.root == satp_root(read_satp()) else "not in satp now"
    text = "%s: root ppn 0x%05x, %s, %s" % (
        proc_label(p), p.root >> PAGE_SHIFT, asid_label(p, generation), now)
    return Space(p.root, p.asid, text)


def space_by_pid(pid):
    for p in kernel_procs():
        if p.pid == pid and p.root:
            return space_of(p, current_generation())
        if p.pid == pid:
            raise gdb.GdbError("sv32: %s has no address space" % proc_label(p))
    raise gdb.GdbError("sv32: no process has pid %d" % pid)


def space_by_asid(asid):
    """The space holding asid in the current generation (asid.c: an ASID
    is a space's only while its generation is current)."""
    generation = current_generation()
    procs = [p for p in kernel_procs() if p.root]
    holders = [p for p in procs if p.asid == asid and p.gen == generation]
    if len(holders) == 1:
        return space_of(holders[0], generation)
    if holders:
        raise gdb.GdbError(
            "sv32: asid %d of generation %d is held by pids %s (ASIDs off?);"
            " use --pid" % (asid, generation, ", ".join(str(p.pid) for p in holders)))
    if asid == KERNEL_ASID:
        return Space(kernel_root(), KERNEL_ASID, "asid 0: the kernel's own table (kroot)")
    stale = ["pid %d had it in generation %d" % (p.pid, p.gen)
             for p in procs if p.asid == asid and p.gen]
    raise gdb.GdbError("sv32: no address space holds asid %d in generation %d%s"
                       % (asid, generation, " (stale: %s)" % "; ".join(stale) if stale else ""))


def find_space(opts):
    if "pid" in opts:
        return space_by_pid(opts["pid"])
    if "asid" in opts:
        return space_by_asid(opts["asid"])
    return current_space()


# --- the walk --------------------------------------------------------------------

Step = namedtuple("Step", "level slot pte")
Walk = namedtuple("Walk", "steps level pa stop cause why")


def pte_stop(pte, level):
    """Why the hardware walk stops at this entry with a page fault, or None."""
    if not pte & PTE_V:
        return "invalid level-%d entry" % level
    if pte & PTE_W and not pte & PTE_R:
        return "reserved encoding at level %d: W without R" % level
    if pte & PTE_RWX:
        if level == 1 and pte_ppn(pte) & VPN_MASK:
            return "misaligned megapage: ppn[0] is not 0"
        return None
    if pte & PTE_NONLEAF_RESERVED:
        return "reserved bits in a pointer at level %d: D, A or U set" % level
    if level == 0:
        return "a pointer at level 0"
    return None


def user_load(pte):
    """What a user load through the leaf pte raises: (scause or 0, why)."""
    if not pte & PTE_U:
        return SCAUSE_LOAD_PAGE_FAULT, "U clear"
    if not pte & PTE_R:
        return SCAUSE_LOAD_PAGE_FAULT, "R clear"
    return 0, ""


def leaf_walk(steps, level, pte, va):
    size = MEGAPAGE_SIZE if level == 1 else PAGE_SIZE
    cause, why = user_load(pte)
    return Walk(steps, level, pte_pa(pte) | (va & (size - 1)), None, cause, why)


def translate(mem, root, va):
    """The hardware walk of va under root (privileged spec, "Virtual Address
    Translation Process"), recording each entry read."""
    steps = []
    table = root
    for level in (1, 0):
        slot = table + vpn(va, level) * PTE_SIZE
        pte = mem.word(slot)
        if pte is None:
            stop = "the level-%d table at pa 0x%08x cannot be read" % (level, table)
            return Walk(steps, None, None, stop, SCAUSE_LOAD_ACCESS, "")
        steps.append(Step(level, slot, pte))
        stop = pte_stop(pte, level)
        if stop:
            return Walk(steps, None, None, stop, SCAUSE_LOAD_PAGE_FAULT, "")
        if pte & PTE_RWX:
            return leaf_walk(steps, level, pte, va)
        table = pte_pa(pte)
        if not mem.in_ram(table):
            stop = "the level-0 table at pa 0x%08x is not in RAM" % table
            return Walk(steps, None, None, stop, SCAUSE_LOAD_ACCESS, "")
    raise AssertionError("pte_stop refuses a pointer at level 0")


def user_load_text(w):
    if w.cause == 0:
        return "user load: ok"
    text = "user load: fault: scause %d (%s)" % (w.cause, SCAUSE_NAMES[w.cause])
    return text + (": " + w.why if w.why else "")


def walk_lines(space, va, w):
    """The walk in the shape of user/bin/walk.c's output, plus the translation
    for any mode and what a user load would raise."""
    v1, v0 = vpn(va, 1), vpn(va, 0)
    lines = ["va 0x%08x" % va,
             "  vpn[1] %d (0x%03x), vpn[0] %d (0x%03x), offset 0x%03x"
             % (v1, v1, v0, v0, va & (PAGE_SIZE - 1)),
             "  " + space.describe]
    lines += ["  pte%d at pa 0x%08x: %s" % (s.level, s.slot, pte_text(s.pte))
              for s in w.steps]
    if w.pa is None:
        lines.append("  no translation: " + w.stop)
    else:
        lines.append("  pa 0x%08x (%s)" % (w.pa, "megapage" if w.level == 1 else "page"))
    lines.append("  " + user_load_text(w))
    return lines


# --- the maps ---------------------------------------------------------------------

Leaf = namedtuple("Leaf", "va pa size flags")
Range = namedtuple("Range", "va pa size flags page_size")


def table_leaves(mem, va_base, table, leaves, refused):
    """Add the leaves of the level-0 table at pa table, mapping from va_base."""
    entries = mem.words(table, PTES_PER_TABLE) if mem.in_ram(table) else None
    if entries is None:
        refused.append("0x%08x: the level-0 table at pa 0x%08x is not readable RAM"
                       % (va_base, table))
        return
    for i, pte in enumerate(entries):
        va = va_base | i << PAGE_SHIFT
        stop = pte_stop(pte, 0)
        if stop is None:
            leaves.append(Leaf(va, pte_pa(pte), PAGE_SIZE, pte & PTE_HW_FLAGS))
        elif pte & PTE_V:
            refused.append("0x%08x: pte0 0x%08x: %s" % (va, pte, stop))


def scan(mem, root):
    """Every leaf under root the hardware would use, by va, and a line for
    each valid entry it would refuse."""
    entries = mem.root_table(root)
    leaves, refused = [], []
    for i, pte in enumerate(entries):
        va = i << VPN1_SHIFT
        stop = pte_stop(pte, 1)
        if stop and pte & PTE_V:
            refused.append("0x%08x: pte1 0x%08x: %s" % (va, pte, stop))
        elif stop is None and pte & PTE_RWX:
            leaves.append(Leaf(va, pte_pa(pte), MEGAPAGE_SIZE, pte & PTE_HW_FLAGS))
        elif stop is None:
            table_leaves(mem, va, pte_pa(pte), leaves, refused)
    return leaves, refused


def coalesce(leaves):
    """Merge leaves of one page size that continue each other in va and pa
    with identical flags."""
    ranges = []
    for leaf in leaves:
        last = ranges[-1] if ranges else None
        if (last and last.va + last.size == leaf.va and last.pa + last.size == leaf.pa
                and last.flags == leaf.flags and last.page_size == leaf.size):
            ranges[-1] = last._replace(size=last.size + leaf.size)
        else:
            ranges.append(Range(leaf.va, leaf.pa, leaf.size, leaf.flags, leaf.size))
    return ranges


MAPS_COLUMNS = "  %-21s  %-21s  %9s  %-4s  %s"


def range_line(r):
    page = "4M" if r.page_size == MEGAPAGE_SIZE else "4K"
    return MAPS_COLUMNS % ("0x%08x-0x%08x" % (r.va, r.va + r.size - 1),
                           "0x%08x-0x%08x" % (r.pa, r.pa + r.size - 1),
                           size_text(r.size), page, range_flags(r.flags))


def half_lines(title, ranges):
    if not ranges:
        return [title + ": nothing mapped"]
    size = sum(r.size for r in ranges)
    return ["%s: %d ranges, %d pages (%s)"
            % (title, len(ranges), size >> PAGE_SHIFT, size_text(size))] + [
        range_line(r) for r in ranges]


def maps_lines(space, leaves, refused):
    user = coalesce([leaf for leaf in leaves if leaf.va < KERNEL_HALF])
    kernel = coalesce([leaf for leaf in leaves if leaf.va >= KERNEL_HALF])
    lines = [space.describe,
             MAPS_COLUMNS % ("va range", "pa range", "size", "page", "flags")]
    lines += half_lines("user half (below 0x%08x)" % KERNEL_HALF, user)
    lines += half_lines("kernel half (0x%08x and up)" % KERNEL_HALF, kernel)
    lines += ["refused by the hardware: " + r for r in refused]
    return lines


# --- arguments ----------------------------------------------------------------------

def parse_args(arg, options):
    """Split arg into {option: number} for the names in options and the rest."""
    argv = gdb.string_to_argv(arg)
    opts, rest = {}, []
    while argv:
        word = argv.pop(0)
        if word.lstrip("-") not in options or not word.startswith("--"):
            rest.append(word)
            continue
        if not argv:
            raise gdb.GdbError("sv32: %s needs a number" % word)
        opts[word[2:]] = int(gdb.parse_and_eval(argv.pop(0)))
    if len(opts) > 1:
        raise gdb.GdbError("sv32: give --pid or --asid, not both")
    return opts, " ".join(rest)


def parse_u32(expr, usage):
    """A GDB expression as a 32-bit value (evaluated before any mode switch)."""
    if not expr:
        raise gdb.GdbError("usage: " + usage)
    return int(gdb.parse_and_eval(expr)) & 0xFFFFFFFF


def write_lines(lines):
    gdb.write("\n".join(lines) + "\n")


# --- the commands ---------------------------------------------------------------

class Sv32Prefix(gdb.Command):
    """Sv32 page tables of the kernel under QEMU: satp, pte, walk, maps.

Page tables and kernel structures are read by physical address, through
QEMU's gdbstub physical-memory mode, so the commands work stopped in the
kernel or in a user process. --pid N and --asid N find another process's
address space through the kernel's process table; an ASID counts only in
the current generation (kernel/riscv/asid.c). Flags print as user/bin/walk
prints them: V R W X U G A D, a '-' for each clear bit."""

    def __init__(self):
        super().__init__("sv32", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)

    def invoke(self, arg, from_tty):
        if arg:
            raise gdb.GdbError("sv32: no subcommand %r; see help sv32" % arg.split()[0])
        gdb.execute("help sv32")


class Sv32Satp(gdb.Command):
    """Decode satp: mode, ASID, root PPN and the root table's physical address.
Usage: sv32 satp
The second line names the owner of the root table (a process, with its
ASID state and whether that is of the current generation, or the kernel's
own table kroot). satp: this architecture's CR3."""

    def __init__(self):
        super().__init__("sv32 satp", gdb.COMMAND_DATA, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        satp = read_satp()
        if not satp & SATP_MODE_SV32:
            write_lines([satp_text(satp), "  paging is off: va = pa"])
            return
        root = satp_root(satp)
        with GuestMemory():
            owner = owner_of(root)
        write_lines(["%s (root table at pa 0x%08x)" % (satp_text(satp), root), "  " + owner])


class Sv32Pte(gdb.Command):
    """Decode one Sv32 page-table entry.
Usage: sv32 pte VALUE
Prints the value, its PPN and the physical address it names, the flags
V R W X U G A D ('-' for a clear bit) and what the entry is: empty, not
valid (with this kernel's swap slot if RSW bit 8 is set), a leaf, a pointer
to the next level, or a reserved encoding."""

    def __init__(self):
        super().__init__("sv32 pte", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        pte = parse_u32(arg, "sv32 pte VALUE")
        write_lines(["pte 0x%08x: ppn 0x%05x pa 0x%08x %s %s" % (
            pte, pte_ppn(pte), pte_pa(pte), flag_letters(pte), pte_meaning(pte))])


class Sv32Walk(gdb.Command):
    """Walk the Sv32 tables for one virtual address, as the hardware does.
Usage: sv32 walk ADDR [--pid N | --asid N]
ADDR is any GDB expression. Without an option the walk starts at the
current satp; --pid N and --asid N walk another process's tables. Prints
vpn[1], vpn[0] and the offset, both PTEs (where each lives, its value and
flags), then the physical address (page or megapage) or why the walk
stops: an invalid entry at level 1 or 0, a reserved encoding, a misaligned
megapage. The last line is what a user load would raise, which is what the
kernel's vmwalk call (user/bin/walk) reports."""

    def __init__(self):
        super().__init__("sv32 walk", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        opts, expr = parse_args(arg, ("pid", "asid"))
        va = parse_u32(expr, "sv32 walk ADDR [--pid N | --asid N]")
        with GuestMemory() as mem:
            space = find_space(opts)
            mem.root_table(space.root)
            write_lines(walk_lines(space, va, translate(mem, space.root, va)))


class Sv32Maps(gdb.Command):
    """Every valid mapping of an address space, coalesced into ranges.
Usage: sv32 maps [--pid N | --asid N]
Without an option, the space in satp; --pid N or --asid N (of the current
generation) another process's. Leaves of one page size that continue each
other in va and pa with identical flags merge into one range; megapages
are 4 MiB ranges (page column 4M). Each line: va range, pa range, size,
page size, flags R W X and U G A D. Printed as two groups, the user half
(below 0x80000000) and the kernel half; entries the hardware would refuse
(reserved encodings) are listed after them."""

    def __init__(self):
        super().__init__("sv32 maps", gdb.COMMAND_DATA, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        opts, rest = parse_args(arg, ("pid", "asid"))
        if rest:
            raise gdb.GdbError("usage: sv32 maps [--pid N | --asid N]")
        with GuestMemory() as mem:
            space = find_space(opts)
            leaves, refused = scan(mem, space.root)
            write_lines(maps_lines(space, leaves, refused))


Sv32Prefix()
Sv32Satp()
Sv32Pte()
Sv32Walk()
Sv32Maps()
