/*
 * In-guest KTAP test of a full file-system disk (tests/run.sh, group
 * fs-full, which boots it on a small disk): writing until the disk is
 * full ends in ENOSPC, not a crash or a silent loss, the file keeps what
 * was written, and removing it gives the space back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"

#define CHUNK (64u * 1024u)

static char chunk[CHUNK];

/* Write CHUNKs to path until a write fails: the bytes written, and the
 * failing write's errno in *err. */
static long fill(const char *path, int *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long total = 0;
	*err = 0;
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	for (;;) {
		ssize_t n = write(fd, chunk, CHUNK);
		if (n > 0)
			total += n;
		if (n != (ssize_t)CHUNK) {
			*err = n < 0 ? errno : 0;
			if (n >= 0 && write(fd, chunk, CHUNK) < 0)
				*err = errno; /* a short write, then the error */
			break;
		}
	}
	close(fd);
	return total;
}

static bool a_full_disk_is_enospc_and_keeps_what_was_written(long *first)
{
	int err;
	memset(chunk, 'z', sizeof(chunk));
	*first = fill("/tmp/full", &err);
	CHECK(*first > 0 && err == ENOSPC);
	struct stat st;
	CHECK(stat("/tmp/full", &st) == 0 && st.st_size == *first);
	int fd = open("/tmp/full", O_RDONLY);
	CHECK(fd >= 0 && lseek(fd, *first - 1, SEEK_SET) == *first - 1);
	char last = 0;
	CHECK(read(fd, &last, 1) == 1 && last == 'z' && close(fd) == 0);
	return true;
}

static bool unlink_gives_the_space_back(long first)
{
	int err;
	CHECK(unlink("/tmp/full") == 0);
	sync();
	long again = fill("/tmp/full", &err);
	CHECK(again == first && err == ENOSPC);
	CHECK(unlink("/tmp/full") == 0);
	return true;
}

int main(void)
{
	long first = 0;
	printf("KTAP version 1\n1..2\n");
	bool a = a_full_disk_is_enospc_and_keeps_what_was_written(&first);
	printf("%s 1 a_full_disk_is_enospc_and_keeps_what_was_written # %ld bytes %s\n",
	       a ? "ok" : "not ok", first, a ? "" : why);
	bool b = a && unlink_gives_the_space_back(first);
	printf("%s 2 unlink_gives_the_space_back%s%s\n", b ? "ok" : "not ok", b ? "" : " # ",
	       b ? "" : why);
	return a && b ? 0 : 1;
}
