/*
 * A write workload for the crash test (tests/run.sh, group fs-crash): it
 * writes file after file under /tmp/crash, each 16 KiB of the line
 * "file N" over and over, fsyncs it and prints "fsynced N" only when
 * fsync has returned; between two of them it also writes a file it never
 * syncs. It runs until QEMU is killed under it. What the kernel
 * promises (docs/as-built.md): every file reported fsynced reads back
 * whole after e2fsck -fy has repaired the rest.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_BYTES (16u * 1024u)

/* Fill path with FILE_BYTES of "file N\n" lines (the last one cut). */
static int write_file(const char *path, unsigned n, int sync)
{
	char line[32], buf[FILE_BYTES];
	int len = snprintf(line, sizeof(line), "file %u\n", n);
	for (unsigned at = 0; at < FILE_BYTES; at += (unsigned)len)
		memcpy(buf + at, line, at + (unsigned)len <= FILE_BYTES ? (unsigned)len : FILE_BYTES - at);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	int ok = write(fd, buf, FILE_BYTES) == (ssize_t)FILE_BYTES && (!sync || fsync(fd) == 0);
	return close(fd) == 0 && ok ? 0 : -1;
}

int main(void)
{
	char path[64];
	if (mkdir("/tmp/crash", 0755) != 0) {
		perror("fs_crash: mkdir /tmp/crash");
		return 1;
	}
	for (unsigned n = 0;; n++) {
		snprintf(path, sizeof(path), "/tmp/crash/f%u", n);
		if (write_file(path, n, 1) != 0) {
			perror("fs_crash: write");
			return 1;
		}
		printf("fsynced %u\n", n);
		snprintf(path, sizeof(path), "/tmp/crash/unsynced%u", n);
		if (write_file(path, n, 0) != 0) {
			perror("fs_crash: write");
			return 1;
		}
	}
}
