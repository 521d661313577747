/*
 * Supervisor CSRs: numbers, fields, and tiny accessors. Privileged spec,
 * "Supervisor-Level ISA". Everything the rest of the kernel knows about CSR
 * encodings is here, so the rest reads as names, not bits.
 */
#ifndef RISCV_CSR_H
#define RISCV_CSR_H

#include "lib/types.h"

/* sstatus */
#define SSTATUS_SIE (1u << 1)
#define SSTATUS_SPIE (1u << 5)
#define SSTATUS_SPP (1u << 8)
#define SSTATUS_FS_MASK (3u << 13)
#define SSTATUS_SUM (1u << 18)
#define SSTATUS_MXR (1u << 19)

/* scounteren: which counters U-mode may read */
#define SCOUNTEREN_CY (1u << 0)
#define SCOUNTEREN_TM (1u << 1)
#define SCOUNTEREN_IR (1u << 2)

/* sie / sip */
#define SIE_SSIE (1u << 1)
#define SIE_STIE (1u << 5)
#define SIE_SEIE (1u << 9)

/* scause: interrupt bit and codes */
#define SCAUSE_INTERRUPT (1u << 31)
#define SCAUSE_CODE(c) ((c) & ~SCAUSE_INTERRUPT)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15
#define EXC_GUEST_INST_PAGE_FAULT 20 /* H: a G-stage fault of a guest's fetch, */
#define EXC_GUEST_LOAD_PAGE_FAULT 21  /* load (or page-table walk), */
#define EXC_GUEST_STORE_PAGE_FAULT 23 /* or store (or hlv/hsv of the host) */

/* satp (this architecture's CR3): MODE 31, ASID 30:22, PPN 21:0 */
#define SATP_MODE_SV32 (1u << 31)
#define SATP_ASID_SHIFT 22
#define SATP_ASID_MASK 0x1FFu
#define SATP_PPN_MASK 0x3FFFFFu

static inline uint32_t satp_make(paddr_t root, uint32_t asid)
{
	return SATP_MODE_SV32 | (asid << SATP_ASID_SHIFT) | (root >> PAGE_SHIFT);
}

#define csr_read(csr)                                          \
	({                                                     \
		uint32_t v_;                                   \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_)); \
		v_;                                            \
	})
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"(val) : "memory")
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" ::"rK"(bits) : "memory")
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" ::"rK"(bits) : "memory")

/* Sstc's comparator (CSR numbers: the assembler may not know the names). */
#define CSR_STIMECMP 0x14D
#define CSR_STIMECMPH 0x15D

static inline uint64_t read_time(void)
{
	uint32_t hi = 0, lo = 0, hi2 = 0; /* set by the asm; initialised for cppcheck */
	/* NOLINTNEXTLINE(bugprone-infinite-loop): the asm writes hi and hi2 */
	do {
		__asm__ volatile("rdtimeh %0" : "=r"(hi));
		__asm__ volatile("rdtime %0" : "=r"(lo));
		__asm__ volatile("rdtimeh %0" : "=r"(hi2));
	} while (hi != hi2);
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_instret(void)
{
	uint32_t hi = 0, lo = 0, hi2 = 0; /* set by the asm; initialised for cppcheck */
	/* NOLINTNEXTLINE(bugprone-infinite-loop): the asm writes hi and hi2 */
	do {
		__asm__ volatile("rdinstreth %0" : "=r"(hi));
		__asm__ volatile("rdinstret %0" : "=r"(lo));
		__asm__ volatile("rdinstreth %0" : "=r"(hi2));
	} while (hi != hi2);
	return ((uint64_t)hi << 32) | lo;
}

static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline bool intr_enabled(void) { return csr_read(sstatus) & SSTATUS_SIE; }

static inline void wfi(void) { __asm__ volatile("wfi"); }

/* sfence.vma with both operands x0: every address space, every level,
 * global entries too (privileged spec, "SFENCE.VMA"). */
static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma zero, zero" ::: "memory"); }

#endif
