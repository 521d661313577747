/*
 * Power off and exit codes. The sifive_test device exits QEMU with status
 * code when (code << 16) | 0x3333 is stored to it; 0x5555 exits 0. Before
 * the kernel map exists its physical address is used directly.
 */
#include "dev/power.h"
#include "lib/klib.h"
#include "riscv/csr.h"
#include "sbi/sbi.h"

#define TEST_FAIL 0x3333
#define TEST_PASS 0x5555
#define TEST_CODE_SHIFT 16
#define QEMU_VIRT_TEST_PHYS 0x100000u

static volatile uint32_t *test_regs;
static paddr_t test_phys = QEMU_VIRT_TEST_PHYS;

void power_init(volatile uint32_t *regs, paddr_t phys)
{
	test_regs = regs;
	test_phys = phys;
}

static void halt(void) __attribute__((noreturn));
static void halt(void)
{
	intr_off();
	for (;;)
		wfi();
}

void power_off(void)
{
	struct sbiret r = sbi_system_reset(SBI_RESET_SHUTDOWN, SBI_RESET_REASON_NONE);
	kprintf("power: SBI system reset failed: %s\n", sbi_strerror(r.error));
	machine_exit(0);
}

void machine_exit(int status)
{
	uint32_t v = status == 0 ? TEST_PASS : ((uint32_t)(status & 0xFF) << TEST_CODE_SHIFT) | TEST_FAIL;
	volatile uint32_t *dev = test_regs;
	if (dev == NULL && (csr_read(satp) & SATP_MODE_SV32) == 0)
		dev = (volatile uint32_t *)(uintptr_t)test_phys;
	if (dev != NULL)
		*dev = v;
	/* No test device: SRST at least stops the machine (status 0). */
	sbi_system_reset(SBI_RESET_SHUTDOWN, status ? SBI_RESET_REASON_FAILURE : SBI_RESET_REASON_NONE);
	halt();
}
