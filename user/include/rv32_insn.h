/*
 * A few RV32 instructions as words (unprivileged spec, "RV32I Base
 * Integer Instruction Set"; "Zicsr"), for programs that write tiny guests
 * for the hypervisor (tests/guest/test_hv.c, bench hv): an assembler
 * would be one more build step for a dozen instructions.
 */
#ifndef USER_RV32_INSN_H
#define USER_RV32_INSN_H

#include <stdint.h>

enum { ZERO = 0, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9, A0 = 10, A1 = 11, A2 = 12, A6 = 16, A7 = 17,
       S2 = 18 };

static inline uint32_t lui(uint32_t rd, uint32_t imm20) { return imm20 << 12 | rd << 7 | 0x37u; }
static inline uint32_t addi(uint32_t rd, uint32_t rs, int32_t imm)
{
	return ((uint32_t)imm & 0xFFFu) << 20 | rs << 15 | rd << 7 | 0x13u;
}
static inline uint32_t lw(uint32_t rd, uint32_t rs, uint32_t off)
{
	return off << 20 | rs << 15 | 2u << 12 | rd << 7 | 0x03u;
}
static inline uint32_t sw(uint32_t rs2, uint32_t rs1) { return rs2 << 20 | rs1 << 15 | 2u << 12 | 0x23u; }
static inline uint32_t csrr(uint32_t rd, uint32_t csr) { return csr << 20 | 2u << 12 | rd << 7 | 0x73u; }
static inline uint32_t csrw(uint32_t csr, uint32_t rs) { return csr << 20 | rs << 15 | 1u << 12 | 0x73u; }
static inline uint32_t slli(uint32_t rd, uint32_t rs, uint32_t sh)
{
	return sh << 20 | rs << 15 | 1u << 12 | rd << 7 | 0x13u;
}
static inline uint32_t or_(uint32_t rd, uint32_t a, uint32_t b) { return b << 20 | a << 15 | 6u << 12 | rd << 7 | 0x33u; }
static inline uint32_t add(uint32_t rd, uint32_t a, uint32_t b) { return b << 20 | a << 15 | rd << 7 | 0x33u; }
static inline uint32_t sub(uint32_t rd, uint32_t a, uint32_t b) { return 0x40000033u | b << 20 | a << 15 | rd << 7; }
/* bne a, b, back: to the instruction `back` words before this one. */
static inline uint32_t bne_back(uint32_t a, uint32_t b, uint32_t back)
{
	uint32_t off = (uint32_t)(-(int32_t)(back * 4)) & 0x1FFFu;
	return ((off >> 12) & 1u) << 31 | ((off >> 5) & 0x3Fu) << 25 | b << 20 | a << 15 | 1u << 12 |
	       ((off >> 1) & 0xFu) << 8 | ((off >> 11) & 1u) << 7 | 0x63u;
}
#define INSN_ECALL 0x00000073u
#define INSN_SPIN 0x0000006Fu /* j . */
#define CSR_INSTRET 0xC02u
#define CSR_SATP 0x180u

struct rv32_code {
	uint32_t w[64];
	int n;
};

static inline void emit(struct rv32_code *c, uint32_t insn)
{
	if (c->n < 64)
		c->w[c->n++] = insn;
}

/* li rd, v: lui and addi, the lui part rounded for addi's sign. */
static inline void li(struct rv32_code *c, uint32_t rd, uint32_t v)
{
	uint32_t hi = (v + 0x800u) >> 12, lo = v & 0xFFFu;
	emit(c, lui(rd, hi & 0xFFFFFu));
	emit(c, addi(rd, rd, (int32_t)(lo << 20) >> 20));
}

/* Power off through a sifive_test device at test_gpa with the exit code
 * in register r (0x3333 | code << 16; 0 is 0x5555 for the device, but
 * the hypervisor takes code 0 from either). Clobbers a0, t0, t1. */
static inline void exit_with(struct rv32_code *c, uint32_t r, uint32_t test_gpa)
{
	emit(c, slli(A0, r, 16));
	li(c, T1, 0x3333u);
	emit(c, or_(A0, A0, T1));
	li(c, T0, test_gpa);
	emit(c, sw(A0, T0));
	emit(c, INSN_SPIN);
}

#endif
