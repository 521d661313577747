/*
 * The hardware hooks of riscv/tlb.h as mere counters, for host tests of
 * the memory manager that only ask which fences it requested (host_vm.h):
 * satp is one variable, and no fence removes anything, as there is no
 * TLB. Tests that need a TLB link tlb_model.c instead.
 */
#include <string.h>

#include "tests/unit/host_vm.h"
#include "riscv/tlb.h"

static struct host_fences fences;
static uint32_t satp;

const struct host_fences *host_vm_fences(void)
{
	return &fences;
}

void host_fences_reset(void)
{
	memset(&fences, 0, sizeof(fences));
}

void hw_satp_write(uint32_t v)
{
	satp = v;
	fences.satp_writes++;
}

uint32_t hw_satp_read(void)
{
	return satp;
}

void hw_sfence_all(void)
{
	fences.all++;
}

void hw_sfence_asid(uint32_t asid)
{
	(void)asid;
	fences.asid++;
}

void hw_sfence_page(uint32_t va)
{
	(void)va;
	fences.page++;
}

void hw_sfence_page_asid(uint32_t va, uint32_t asid)
{
	(void)va;
	(void)asid;
	fences.page_asid++;
}

void hw_remote_sfence(uint32_t hart_mask, uint32_t va, uint32_t size, uint32_t asid)
{
	(void)hart_mask;
	(void)va;
	(void)size;
	(void)asid;
	fences.remote++;
}

void hw_hfence_gvma_page(uint32_t gpa, uint32_t vmid)
{
	(void)gpa;
	(void)vmid;
	fences.gvma++;
}

void hw_hfence_gvma_vmid(uint32_t vmid)
{
	(void)vmid;
	fences.gvma++;
}

void hw_hfence_vvma_all(void)
{
	fences.vvma++;
}

void hw_remote_hfence_gvma(uint32_t hart_mask, uint32_t gpa, uint32_t size, uint32_t vmid)
{
	(void)hart_mask;
	(void)gpa;
	(void)size;
	(void)vmid;
	fences.remote_gvma++;
}
