/*
 * What the kernel learns from the device tree at boot: RAM, reserved
 * memory, the command line, the initrd, the timer frequency, the ISA and
 * the devices. Built on the FDT reader (dev/fdt.h); nothing here is
 * hard-coded, so a different machine or -m/-append/-initrd just works.
 */
#ifndef DEV_DEVTREE_H
#define DEV_DEVTREE_H

#include "lib/types.h"
#include "mm/frame.h"

#define DT_MAX_RESERVED 16
#define DT_MAX_VIRTIO 8
#define DT_MAX_HARTS 8

/* A memory-mapped device: registers [base, base + size) and its PLIC line. */
struct dt_device {
	paddr_t base;
	uint32_t size;
	uint32_t irq; /* 0 when the node has no "interrupts" */
};

struct platform {
	struct phys_range ram;                       /* the first memory node */
	struct phys_range reserved[DT_MAX_RESERVED]; /* rsvmap + /reserved-memory children */
	int nreserved;
	paddr_t initrd_start, initrd_end;            /* both 0 when there is none */
	const char *bootargs;                        /* "" when /chosen has none; points into the blob */
	uint32_t timebase_hz;                        /* /cpus/timebase-frequency */
	bool has_sstc;                               /* the first cpu's ISA names Sstc */
	bool has_d;                                  /* its base letters have D (double floats) */
	bool has_h;                                  /* ... and H (the hypervisor extension) */
	char isa[64];                                /* its riscv,isa (cut short if longer) */
	uint32_t hartids[DT_MAX_HARTS];              /* each cpu node's reg, in tree order */
	int nharts;                                  /* cpu nodes not "disabled"; the rest ignored */
	struct dt_device uart;                       /* compatible "ns16550a" */
	uint32_t uart_clock_hz;                      /* "clock-frequency", 0 if absent */
	struct dt_device plic;                       /* "riscv,plic0" or "sifive,plic-1.0.0" */
	uint32_t plic_ndev;                          /* "riscv,ndev" */
	struct dt_device test;                       /* "sifive,test0" (poweroff and exit codes) */
	struct dt_device virtio[DT_MAX_VIRTIO];      /* "virtio,mmio", in tree order */
	int nvirtio;
	uint32_t dtb_size;                           /* the blob's totalsize */
};

/*
 * Read the flattened device tree at blob, of which at most maxsize bytes
 * may be read, into *p. Returns 0, or -EINVAL with *err set to a one-line
 * reason ("bad magic", "truncated", "no memory node", ...). Never reads
 * outside [blob, blob + min(maxsize, totalsize)).
 */
int devtree_parse(const void *blob, uint32_t maxsize, struct platform *p, const char **err);

#endif
