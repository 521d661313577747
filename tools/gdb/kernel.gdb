# GDB helpers for the kernel, loaded by `make gdb` (after `make qemu-gdb`),
# which connects first (GDBPORT, default 1234). The page-table commands
# live in sv32.py next to this file (`help sv32`); satp, pte and walk are
# their old names, kept as aliases so that there is one implementation.
set architecture riscv:rv32
set confirm off

# GDB resolves `source FILE` against its working directory, not against
# the script being read, and tells a script nothing of its own path: take
# this file's folder from gdb's command line (-x FILE, --command=FILE or
# -ex 'source FILE'), else tools/gdb under the working directory (make gdb
# runs from the repository root).
python
import os
import re

def _kernel_gdb_folder():
    with open("/proc/self/cmdline", "rb") as f:
        args = [a.decode(errors="replace") for a in f.read().split(b"\0")]
    for a in args:
        path = re.split(r"[=\s]", a)[-1]
        if path.endswith("kernel.gdb") and os.path.isfile(path):
            return os.path.dirname(os.path.abspath(path))
    return os.path.abspath("tools/gdb")

gdb.execute("source " + os.path.join(_kernel_gdb_folder(), "sv32.py"))
end

alias satp = sv32 satp
alias pte = sv32 pte
alias walk = sv32 walk

# trapframe ADDR: the registers a trap saved (struct trapframe).
define trapframe
  set $tf = (struct trapframe *)$arg0
  printf "sepc 0x%08x scause 0x%08x stval 0x%08x sstatus 0x%08x\n", $tf->sepc, $tf->scause, $tf->stval, $tf->sstatus
  printf "ra 0x%08x sp 0x%08x s0 0x%08x a0 0x%08x a7 0x%08x\n", $tf->regs[1], $tf->regs[2], $tf->regs[8], $tf->regs[10], $tf->regs[17]
end
document trapframe
Print the important fields of a struct trapframe: trapframe ADDR.
end

echo Kernel helpers: sv32 satp, sv32 pte VALUE, sv32 walk VA, sv32 maps [--pid N|--asid N] (help sv32); trapframe ADDR.\n
