# GDB helpers for the kernel, loaded by `make gdb` (after `make qemu-gdb`),
# which connects first (GDBPORT, default 1234).
# RAM is mapped VA = PA, so page tables can be read at their physical
# addresses whether paging is on or not.
set architecture riscv:rv32
set confirm off

# satp: this architecture's CR3. MODE 31, ASID 30:22, PPN 21:0.
define satp
  set $s = (unsigned)$satp
  printf "satp 0x%08x: mode %u (1 = sv32, 0 = bare), asid %u, root 0x%08x\n", $s, $s >> 31, ($s >> 22) & 0x1ff, ($s & 0x3fffff) << 12
end
document satp
Decode satp: paging mode, ASID and the physical address of the root table.
end

# pte VALUE: decode one Sv32 page-table entry.
define pte
  set $p = (unsigned)$arg0
  printf "pte 0x%08x: ppn 0x%06x pa 0x%08x ", $p, $p >> 10, ($p >> 10) << 12
  # One letter per set bit, from D (bit 7) down to V (bit 0).
  set $bit = 7
  while $bit >= 0
    if ($p >> $bit) & 1
      if $bit == 7
        printf "D"
      end
      if $bit == 6
        printf "A"
      end
      if $bit == 5
        printf "G"
      end
      if $bit == 4
        printf "U"
      end
      if $bit == 3
        printf "X"
      end
      if $bit == 2
        printf "W"
      end
      if $bit == 1
        printf "R"
      end
      if $bit == 0
        printf "V"
      end
    else
      printf "-"
    end
    set $bit = $bit - 1
  end
  printf "\n"
end
document pte
Decode an Sv32 PTE: pte VALUE. Flags print as DAGUXWRV.
end

# walk VA: the two-level walk the hardware does for VA under the current satp.
define walk
  set $va = (unsigned)$arg0
  set $root = ((unsigned)$satp & 0x3fffff) << 12
  printf "va 0x%08x: vpn[1] %u, vpn[0] %u, offset 0x%03x\n", $va, $va >> 22, ($va >> 12) & 0x3ff, $va & 0xfff
  set $e1 = *(unsigned *)($root + ($va >> 22) * 4)
  printf "level 1 at 0x%08x: ", $root + ($va >> 22) * 4
  pte $e1
  if ($e1 & 1) == 0
    printf "not mapped (invalid level-1 entry)\n"
  else
    if ($e1 & 0xe) != 0
      printf "megapage: pa 0x%08x\n", ((($e1 >> 20) << 22) | ($va & 0x3fffff))
    else
      set $t = ($e1 >> 10) << 12
      set $e0 = *(unsigned *)($t + (($va >> 12) & 0x3ff) * 4)
      printf "level 0 at 0x%08x: ", $t + (($va >> 12) & 0x3ff) * 4
      pte $e0
      if ($e0 & 1) == 0
        printf "not mapped (invalid level-0 entry)\n"
      else
        printf "page: pa 0x%08x\n", ((($e0 >> 10) << 12) | ($va & 0xfff))
      end
    end
  end
end
document walk
Walk the Sv32 tables for a virtual address under the current satp: walk VA.
end

# trapframe ADDR: the registers a trap saved (struct trapframe).
define trapframe
  set $tf = (struct trapframe *)$arg0
  printf "sepc 0x%08x scause 0x%08x stval 0x%08x sstatus 0x%08x\n", $tf->sepc, $tf->scause, $tf->stval, $tf->sstatus
  printf "ra 0x%08x sp 0x%08x s0 0x%08x a0 0x%08x a7 0x%08x\n", $tf->regs[1], $tf->regs[2], $tf->regs[8], $tf->regs[10], $tf->regs[17]
end
document trapframe
Print the important fields of a struct trapframe: trapframe ADDR.
end

echo Kernel helpers: satp, pte VALUE, walk VA, trapframe ADDR.\n
