/*
 * The hardware's address-translation cache (the TLB) as seen by software:
 * write and read satp, and the four forms of sfence.vma (privileged spec,
 * "Supervisor Address Translation and Protection Register" and "Supervisor
 * Memory-Management Fence Instruction"; PLATFORM.md 3.1-3.2). Only the ASID
 * allocator (riscv/asid.c) and early boot call these, and the remote fence
 * of other harts through SBI. Under HOST_TEST they are plain functions that
 * the tagged-TLB model in tests/unit implements.
 * Invariant: a satp write invalidates nothing; only sfence.vma does.
 */
#ifndef RISCV_TLB_H
#define RISCV_TLB_H

#include "lib/types.h"

#ifdef HOST_TEST
void hw_satp_write(uint32_t satp);
uint32_t hw_satp_read(void);
void hw_sfence_all(void);
void hw_sfence_asid(uint32_t asid);
void hw_sfence_page(uint32_t va);
void hw_sfence_page_asid(uint32_t va, uint32_t asid);
void hw_remote_sfence(uint32_t hart_mask, uint32_t va, uint32_t size, uint32_t asid);
void hw_hfence_gvma_page(uint32_t gpa, uint32_t vmid);
void hw_hfence_gvma_vmid(uint32_t vmid);
void hw_hfence_vvma_all(void);
void hw_remote_hfence_gvma(uint32_t hart_mask, uint32_t gpa, uint32_t size, uint32_t vmid);
#else
#include "sbi/sbi.h"

/*
 * The "memory" clobbers keep the compiler from moving PTE stores across a
 * satp write or a fence: the fence orders exactly the stores before it.
 * The "r" constraint never yields x0 (x0 is not an allocatable register),
 * so an operand of value 0 names ASID 0 or VA 0, never "all".
 */

/* Load satp (this architecture's CR3); caches nothing and flushes nothing. */
static inline void hw_satp_write(uint32_t satp)
{
	__asm__ volatile("csrw satp, %0" ::"r"(satp) : "memory");
}

/* The current satp of this hart. */
static inline uint32_t hw_satp_read(void)
{
	uint32_t v;
	__asm__ volatile("csrr %0, satp" : "=r"(v));
	return v;
}

/* sfence.vma x0, x0: every entry of every address space, global ones too. */
static inline void hw_sfence_all(void)
{
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

/* sfence.vma x0, asid: every non-global entry of asid. ASID 0 goes in a
 * register holding 0, not x0, so it keeps the global entries (PLATFORM.md
 * 3.2). */
static inline void hw_sfence_asid(uint32_t asid)
{
	__asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
}

/* sfence.vma va, x0: the leaf entries for va in every address space,
 * global ones too. */
static inline void hw_sfence_page(uint32_t va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}

/* sfence.vma va, asid: the non-global leaf entries for va in asid. */
static inline void hw_sfence_page_asid(uint32_t va, uint32_t asid)
{
	__asm__ volatile("sfence.vma %0, %1" ::"r"(va), "r"(asid) : "memory");
}

/* sfence.vma of [va, va + size) in asid on the harts of hart_mask (hart
 * ids, base 0), through SBI RFENCE: it returns once they have fenced. */
static inline void hw_remote_sfence(uint32_t hart_mask, uint32_t va, uint32_t size, uint32_t asid)
{
	sbi_remote_sfence_vma_asid(hart_mask, 0, va, size, asid);
}

/*
 * The G-stage's fences (hypervisor spec, "Hypervisor Memory-Management
 * Fence Instructions"): hfence.gvma is sfence.vma for guest-physical
 * addresses, its rs1 the GPA shifted right by 2 and its rs2 a VMID;
 * hfence.vvma fences the VS-stage of the VMID in hgatp. gcc 12 knows no
 * h in -march, so the assembler is told (PLATFORM.md 10.1).
 */
static inline void hw_hfence_gvma_page(uint32_t gpa, uint32_t vmid)
{
	__asm__ volatile(".option push\n.option arch,+h\nhfence.gvma %0, %1\n.option pop"
			 ::"r"(gpa >> 2), "r"(vmid) : "memory");
}

/* Every G-stage entry of vmid on this hart. */
static inline void hw_hfence_gvma_vmid(uint32_t vmid)
{
	__asm__ volatile(".option push\n.option arch,+h\nhfence.gvma zero, %0\n.option pop"
			 ::"r"(vmid) : "memory");
}

/* Every VS-stage entry of the VMID in hgatp on this hart. */
static inline void hw_hfence_vvma_all(void)
{
	__asm__ volatile(".option push\n.option arch,+h\nhfence.vvma zero, zero\n.option pop"
			 ::: "memory");
}

/* hfence.gvma of [gpa, gpa + size) in vmid on the harts of hart_mask,
 * through SBI RFENCE; size 0xFFFFFFFF: every address. */
static inline void hw_remote_hfence_gvma(uint32_t hart_mask, uint32_t gpa, uint32_t size,
					 uint32_t vmid)
{
	sbi_remote_hfence_gvma_vmid(hart_mask, 0, gpa, size, vmid);
}
#endif

#endif
