/*
 * The kernel's SBI client: calls into OpenSBI (M-mode) with ecall, as the
 * SBI specification v2.0 defines them. Every call returns the SBI error
 * (SBI_SUCCESS or a negative SBI_ERR_*) and a value.
 */
#ifndef SBI_SBI_H
#define SBI_SBI_H

#include "lib/types.h"

struct sbiret {
	long error;
	long value;
};

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_DENIED (-4)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

/* Extension IDs */
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434E
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02

#define SBI_IMPL_OPENSBI 1

/* SRST */
#define SBI_RESET_SHUTDOWN 0
#define SBI_RESET_COLD_REBOOT 1
#define SBI_RESET_WARM_REBOOT 2
#define SBI_RESET_REASON_NONE 0
#define SBI_RESET_REASON_FAILURE 1

/* HSM hart states */
#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1

struct sbiret sbi_call(uint32_t ext, uint32_t fid, uint32_t a0, uint32_t a1, uint32_t a2,
		       uint32_t a3, uint32_t a4);

/* BASE */
struct sbiret sbi_get_spec_version(void);
struct sbiret sbi_get_impl_id(void);
struct sbiret sbi_get_impl_version(void);
struct sbiret sbi_probe_extension(uint32_t ext); /* value != 0: present */

/* DBCN (debug console); buffers are physical addresses (PLATFORM.md 5.2). */
struct sbiret sbi_debug_console_write(paddr_t buf, uint32_t len);
struct sbiret sbi_debug_console_write_byte(uint8_t c);
/* Up to len bytes of console input into buf; value: how many (0: none). */
struct sbiret sbi_debug_console_read(paddr_t buf, uint32_t len);

/* Write a string to the firmware console: DBCN when present, else the
 * legacy putchar (sbi_init decides). For the earliest messages and panics. */
void sbi_console_puts(const char *s, size_t len);
/* Console input that is there now, up to len bytes, into buf (in the
 * kernel image or RAM: DBCN takes its physical address); the count. */
size_t sbi_console_read(char *buf, size_t len);

/* TIME */
struct sbiret sbi_set_timer(uint64_t stime);

/* IPI and RFENCE: harts are hart_mask_base + bit; base -1 means all harts. */
struct sbiret sbi_send_ipi(uint32_t hart_mask, uint32_t hart_mask_base);
struct sbiret sbi_remote_fence_i(uint32_t hart_mask, uint32_t hart_mask_base);
struct sbiret sbi_remote_sfence_vma(uint32_t hart_mask, uint32_t hart_mask_base,
				    uint32_t start, uint32_t size);
struct sbiret sbi_remote_sfence_vma_asid(uint32_t hart_mask, uint32_t hart_mask_base,
					 uint32_t start, uint32_t size, uint32_t asid);
/* hfence.gvma of guest-physical [gpa, gpa + size) in vmid on those harts. */
struct sbiret sbi_remote_hfence_gvma_vmid(uint32_t hart_mask, uint32_t hart_mask_base,
					  uint32_t gpa, uint32_t size, uint32_t vmid);

/* HSM */
struct sbiret sbi_hart_start(uint32_t hartid, paddr_t start, uint32_t opaque);
struct sbiret sbi_hart_stop(void);
struct sbiret sbi_hart_get_status(uint32_t hartid);

/* SRST: returns only on failure. */
struct sbiret sbi_system_reset(uint32_t type, uint32_t reason);

/* Probe the extensions the kernel prefers (DBCN). Call once at boot. */
void sbi_init(void);

/* A printable name for an SBI error code. */
const char *sbi_strerror(long error);

#endif
