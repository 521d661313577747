/*
 * PLIC driver (PLATFORM.md 6.3). Hart h's S-mode context is 2h + 1 on QEMU
 * virt. OpenSBI leaves every threshold at 7 and every priority at 0, so
 * nothing fires until the kernel lowers the threshold and raises a
 * priority: an interrupt fires only when priority > threshold. Every line
 * is enabled for every hart; the PLIC gives a claim to one of them, and
 * the others claim 0.
 */
#include "dev/plic.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "riscv/cpu.h"

#define PLIC_MAX_SOURCES 1024
/* Word offsets (the registers are 32 bits wide). */
#define PRIORITY(id) ((id))
#define ENABLE(ctx, id) ((0x2000 + 0x80 * (ctx)) / 4 + (id) / 32)
#define THRESHOLD(ctx) ((0x200000 + 0x1000 * (ctx)) / 4)
#define CLAIM(ctx) ((0x200004 + 0x1000 * (ctx)) / 4)
#define IRQ_PRIORITY 1

static volatile uint32_t *plic;
static uint32_t nsources;
static uint32_t harts[MAX_HARTS];
static int nharts;
static irq_handler_t handlers[PLIC_MAX_SOURCES];

/* Hart h's S-mode context (PLATFORM.md pitfall 5). */
static uint32_t context_of(uint32_t hartid)
{
	return 2 * hartid + 1;
}

void plic_init(volatile uint32_t *regs, uint32_t ndev, const uint32_t *hartids, int n)
{
	plic = regs;
	nsources = MIN(ndev + 1, (uint32_t)PLIC_MAX_SOURCES);
	nharts = MIN(n, MAX_HARTS);
	for (int i = 0; i < nharts; i++)
		harts[i] = hartids[i];
}

void plic_init_hart(uint32_t hartid)
{
	plic[THRESHOLD(context_of(hartid))] = 0;
}

int plic_enable(uint32_t irq, irq_handler_t handler)
{
	if (irq == 0 || irq >= nsources || handler == NULL)
		return -EINVAL;
	handlers[irq] = handler;
	plic[PRIORITY(irq)] = IRQ_PRIORITY;
	for (int i = 0; i < nharts; i++)
		plic[ENABLE(context_of(harts[i]), irq)] |= 1u << (irq % 32);
	return 0;
}

void plic_intr(void)
{
	uint32_t context = context_of(mycpu()->hartid);
	uint32_t irq;
	while ((irq = plic[CLAIM(context)]) != 0) {
		if (irq < nsources && handlers[irq])
			handlers[irq](irq);
		else
			kprintf("plic: spurious interrupt %u\n", irq);
		plic[CLAIM(context)] = irq;
	}
}

uint32_t plic_threshold(void)
{
	return plic[THRESHOLD(context_of(mycpu()->hartid))];
}

bool plic_enabled(uint32_t irq)
{
	uint32_t context = context_of(mycpu()->hartid);
	return irq < nsources && plic[PRIORITY(irq)] > 0 &&
	       (plic[ENABLE(context, irq)] & (1u << (irq % 32)));
}
