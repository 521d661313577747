/*
 * In-guest KTAP suite for the file system, as POSIX specifies it: open and
 * its flags, read/write/lseek, stat, ftruncate, fsync, unlink, rename,
 * directories, the working directory, large files, a workload three times
 * the size of RAM, and file mappings through the page cache. Booted as init
 * with the ext2 disk as / (init=/bin/test_fs, words after " -- ": the
 * workload's MiB, default three times RAM). It works in a fresh directory
 * under /tmp, removed at the end; the top process then checks that every
 * frame came back (free or in the page cache) and the memory books balance.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

int sched_yield(void); /* picolibc's <sched.h> hides it behind feature macros */

#define PAGE	      4096u
#define FILE_MODE     0644
#define DIR_MODE      0755
#define MIB	      (1u << 20)
#define BIG_FILE      (8u * MIB)   /* the large-file test */
#define LOAD_FILE_MIB 8u	   /* each file of the workload, unless it is smaller */
#define LOAD_CHUNK    (64u * 1024) /* the workload's write and read size */
#define SMALL	      256	   /* buffers for short file contents */

static char work[K_PATH_MAX]; /* the suite's directory; tests run inside it */
static uint32_t workload_mib;
static uint8_t chunk[LOAD_CHUNK], expect[LOAD_CHUNK];

/* ---- helpers ----------------------------------------------------------- */

/* Word w of the pattern stream seed: distinct for every w of a stream. */
static uint32_t pattern_word(uint32_t seed, uint32_t w)
{
	return (w * 2654435761u) ^ seed;
}

/* Byte off of the pattern stream seed: its words stored little-endian. */
static uint8_t pattern_byte(uint32_t seed, uint32_t off)
{
	return (uint8_t)(pattern_word(seed, off / 4) >> (8 * (off % 4)));
}

/* Fill buf with bytes off .. off + n - 1 of the pattern stream seed. */
static void fill_pattern(uint8_t *buf, uint32_t n, uint32_t seed, uint32_t off)
{
	uint32_t i = 0;

	for (; i < n && (off + i) % 4 != 0; i++)
		buf[i] = pattern_byte(seed, off + i);
	for (; i + 4 <= n; i += 4) {
		uint32_t w = pattern_word(seed, (off + i) / 4);
		memcpy(buf + i, &w, 4);
	}
	for (; i < n; i++)
		buf[i] = pattern_byte(seed, off + i);
}

/* True if buf holds bytes off .. off + n - 1 of the stream seed. */
static bool matches_pattern(const uint8_t *buf, uint32_t n, uint32_t seed, uint32_t off)
{
	fill_pattern(expect, n, seed, off);
	return memcmp(buf, expect, n) == 0;
}

/* Create or truncate path to hold the n bytes of data; true if it did. */
static bool put_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, FILE_MODE);
	if (fd < 0)
		return false;
	bool ok = write(fd, data, n) == (ssize_t)n;
	return close(fd) == 0 && ok;
}

/* Read fd until its end or size bytes: the count, or -1. */
static ssize_t read_all(int fd, void *buf, size_t size)
{
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, (char *)buf + got, size - got);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* True if path holds exactly the string text. */
static bool holds(const char *path, const char *text)
{
	char buf[SMALL];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	ssize_t n = read_all(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)strlen(text) && memcmp(buf, text, (size_t)n) == 0;
}

/* The size fstat gives for fd, or -1. */
static off_t size_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? st.st_size : -1;
}

/* The inode number of path, or 0. */
static ino_t ino_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* The link count of path, or 0. */
static nlink_t links_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_nlink : 0;
}

/* A new file path of size bytes of the pattern stream seed, open O_RDWR:
 * the descriptor, or -1. */
static int pattern_file(const char *path, uint32_t size, uint32_t seed)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, FILE_MODE);
	for (uint32_t off = 0; fd >= 0 && off < size; off += LOAD_CHUNK) {
		uint32_t n = size - off < LOAD_CHUNK ? size - off : LOAD_CHUNK;
		fill_pattern(chunk, n, seed, off);
		if (write(fd, chunk, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static bool is_dot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* Remove one pass of dir's entries (each with remove_tree): how many went,
 * or -1 if the directory could not be read. */
static int remove_tree(const char *path);
static int remove_entries(const char *dir)
{
	char child[K_PATH_MAX];
	struct dirent *e;
	int removed = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (is_dot(e->d_name))
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", dir, e->d_name) < sizeof(child) &&
		    remove_tree(child) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

/* Remove path and, if it is a directory, everything below it; 0, or -1.
 * Passes repeat until one removes nothing, since POSIX leaves open whether
 * readdir still shows what was removed after the directory was opened. */
static int remove_tree(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	int n;
	while ((n = remove_entries(path)) > 0)
		;
	return n < 0 ? -1 : rmdir(path);
}

static intptr_t touch_addr;
static int read_touch(void)
{
	return *(volatile char *)touch_addr == 0x7f ? 3 : 0;
}
static int write_touch(void)
{
	*(volatile char *)touch_addr = 1;
	return 0;
}

/* ---- open and its flags -------------------------------------------------- */

static bool open_creat_makes_an_empty_regular_file(void)
{
	struct stat st;
	CHECK(open("creat", O_RDONLY) == -1 && errno == ENOENT);
	int fd = open("creat", O_WRONLY | O_CREAT, FILE_MODE);
	CHECK(fd >= 0);
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 && st.st_nlink == 1);
	CHECK((st.st_mode & 0777) == FILE_MODE);
	CHECK(close(fd) == 0);
	CHECK(stat("creat", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0);
	/* O_CREAT on a file that exists opens it as it is. */
	CHECK(put_file("creat", "abc", 3));
	fd = open("creat", O_RDONLY | O_CREAT, FILE_MODE);
	CHECK(fd >= 0 && size_of(fd) == 3);
	CHECK(close(fd) == 0 && unlink("creat") == 0);
	return true;
}

static bool open_excl_fails_with_eexist_when_the_name_exists(void)
{
	int fd = open("excl", O_WRONLY | O_CREAT | O_EXCL, FILE_MODE);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(open("excl", O_WRONLY | O_CREAT | O_EXCL, FILE_MODE) == -1 && errno == EEXIST);
	CHECK(mkdir("excl.d", DIR_MODE) == 0);
	CHECK(open("excl.d", O_RDONLY | O_CREAT | O_EXCL, FILE_MODE) == -1 && errno == EEXIST);
	CHECK(unlink("excl") == 0 && rmdir("excl.d") == 0);
	return true;
}

static bool open_trunc_empties_the_file(void)
{
	char c;
	CHECK(put_file("trunc", "0123456789", 10));
	int fd = open("trunc", O_RDWR | O_TRUNC);
	CHECK(fd >= 0 && size_of(fd) == 0);
	CHECK(read(fd, &c, 1) == 0);
	CHECK(write(fd, "xy", 2) == 2 && size_of(fd) == 2);
	CHECK(close(fd) == 0 && holds("trunc", "xy"));
	/* Without O_TRUNC the bytes past what is written stay. */
	fd = open("trunc", O_WRONLY);
	CHECK(fd >= 0 && write(fd, "A", 1) == 1 && close(fd) == 0);
	CHECK(holds("trunc", "Ay"));
	CHECK(unlink("trunc") == 0);
	return true;
}

static bool o_rdwr_reads_what_it_wrote_and_access_modes_hold(void)
{
	char buf[SMALL] = { 0 };
	int fd = open("rdwr", O_RDWR | O_CREAT, FILE_MODE);
	CHECK(fd >= 0 && write(fd, "hello world", 11) == 11);
	CHECK(lseek(fd, 6, SEEK_SET) == 6);
	CHECK(read(fd, buf, sizeof(buf)) == 5 && memcmp(buf, "world", 5) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "J", 1) == 1);
	CHECK(close(fd) == 0 && holds("rdwr", "Jello world"));
	int ro = open("rdwr", O_RDONLY), wo = open("rdwr", O_WRONLY);
	CHECK(ro >= 0 && wo >= 0);
	CHECK(write(ro, "x", 1) == -1 && errno == EBADF);
	CHECK(read(wo, buf, 1) == -1 && errno == EBADF);
	CHECK(close(ro) == 0 && close(wo) == 0 && unlink("rdwr") == 0);
	return true;
}

static bool o_append_writes_at_the_end_whatever_the_offset(void)
{
	CHECK(put_file("append", "abc", 3));
	int fd = open("append", O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0);
	CHECK(write(fd, "de", 2) == 2 && lseek(fd, 0, SEEK_CUR) == 5);
	CHECK(close(fd) == 0 && holds("append", "abcde"));
	/* Two descriptors taking turns: each write lands after the other's. */
	int a = open("append", O_WRONLY | O_APPEND), b = open("append", O_WRONLY | O_APPEND);
	CHECK(a >= 0 && b >= 0);
	for (int i = 0; i < 4; i++)
		CHECK(write(a, "A", 1) == 1 && write(b, "B", 1) == 1);
	CHECK(close(a) == 0 && close(b) == 0);
	CHECK(holds("append", "abcdeABABABAB"));
	CHECK(unlink("append") == 0);
	return true;
}

#define APPENDERS 2
#define RECORDS	  500
#define RECORD	  16 /* "A00000000000042\n" */

/* Append RECORDS numbered records tagged with letter to path, each one
 * write on its own O_APPEND descriptor; 0 if all went in whole. */
static int append_records(const char *path, char letter)
{
	char rec[RECORD + 1];
	int fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return 2;
	for (int i = 0; i < RECORDS; i++) {
		snprintf(rec, sizeof(rec), "%c%014d\n", letter, i);
		if (write(fd, rec, RECORD) != RECORD)
			return 1;
	}
	return close(fd) == 0 ? 0 : 1;
}

static bool appending_processes_interleave_without_loss(void)
{
	static char data[APPENDERS * RECORDS * RECORD + 1];
	pid_t pids[APPENDERS];
	CHECK(put_file("appendmp", "", 0));
	for (int w = 0; w < APPENDERS; w++) {
		pids[w] = fork();
		if (pids[w] == 0)
			_exit(append_records("appendmp", (char)('A' + w)));
	}
	for (int w = 0; w < APPENDERS; w++)
		CHECK(exited_with(wait_child(pids[w]), 0));
	int fd = open("appendmp", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(read_all(fd, data, sizeof(data)) == APPENDERS * RECORDS * RECORD);
	CHECK(close(fd) == 0);
	/* Every record whole, and each writer's in its own order. */
	int next[APPENDERS] = { 0 };
	for (int r = 0; r < APPENDERS * RECORDS; r++) {
		const char *rec = data + r * RECORD;
		int w = rec[0] - 'A';
		CHECK(w >= 0 && w < APPENDERS && rec[RECORD - 1] == '\n');
		CHECK(atoi(rec + 1) == next[w]);
		next[w]++;
	}
	CHECK(unlink("appendmp") == 0);
	return true;
}

/* ---- read, write, lseek ------------------------------------------------------ */

static bool lseek_set_cur_end_give_the_new_offset(void)
{
	char c;
	CHECK(put_file("seek", "0123456789", 10));
	int fd = open("seek", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(lseek(fd, 3, SEEK_SET) == 3 && lseek(fd, 2, SEEK_CUR) == 5);
	CHECK(read(fd, &c, 1) == 1 && c == '5');
	CHECK(lseek(fd, -1, SEEK_CUR) == 5);
	CHECK(lseek(fd, -3, SEEK_END) == 7 && read(fd, &c, 1) == 1 && c == '7');
	CHECK(lseek(fd, 0, SEEK_END) == 10 && read(fd, &c, 1) == 0);
	CHECK(lseek(fd, 5, SEEK_END) == 15 && read(fd, &c, 1) == 0);
	CHECK(lseek(fd, -11, SEEK_END) == -1 && errno == EINVAL);
	CHECK(lseek(fd, -1, SEEK_SET) == -1 && errno == EINVAL);
	CHECK(lseek(fd, 0, 7) == -1 && errno == EINVAL); /* no such whence */
	CHECK(lseek(fd, 0, SEEK_CUR) == 15); /* the failed seeks moved nothing */
	CHECK(close(fd) == 0 && unlink("seek") == 0);
	return true;
}

static bool a_write_past_the_end_leaves_a_hole_of_zeros(void)
{
	static char buf[4 * PAGE];
	const off_t off = 3 * PAGE + 100; /* whole blocks of any ext2 size stay unwritten */
	int fd = open("hole", O_RDWR | O_CREAT | O_TRUNC, FILE_MODE);
	CHECK(fd >= 0 && write(fd, "head", 4) == 4);
	CHECK(lseek(fd, off, SEEK_SET) == off && write(fd, "tail", 4) == 4);
	CHECK(size_of(fd) == off + 4);
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read_all(fd, buf, sizeof(buf)) == off + 4);
	CHECK(memcmp(buf, "head", 4) == 0 && memcmp(buf + off, "tail", 4) == 0);
	for (off_t i = 4; i < off; i++)
		CHECK(buf[i] == 0);
	CHECK(close(fd) == 0 && unlink("hole") == 0);
	return true;
}

static bool lseek_on_a_pipe_is_espipe(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK(lseek(p[0], 0, SEEK_CUR) == -1 && errno == ESPIPE);
	CHECK(lseek(p[1], 0, SEEK_SET) == -1 && errno == ESPIPE);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	return true;
}

static int write_ef(int fd)
{
	return write(fd, "ef", 2) == 2 ? 0 : 1;
}

static bool dup_and_fork_share_the_offset_and_open_does_not(void)
{
	int fd = open("share", O_RDWR | O_CREAT | O_TRUNC, FILE_MODE);
	CHECK(fd >= 0);
	int d = dup(fd);
	CHECK(d >= 0 && write(fd, "ab", 2) == 2);
	CHECK(lseek(d, 0, SEEK_CUR) == 2 && write(d, "cd", 2) == 2);
	pid_t pid = fork();
	if (pid == 0)
		_exit(write_ef(fd));
	CHECK(exited_with(wait_child(pid), 0));
	CHECK(lseek(fd, 0, SEEK_CUR) == 6);
	int other = open("share", O_RDONLY);
	CHECK(other >= 0 && lseek(other, 0, SEEK_CUR) == 0);
	CHECK(close(other) == 0 && close(d) == 0 && close(fd) == 0);
	CHECK(holds("share", "abcdef"));
	CHECK(unlink("share") == 0);
	return true;
}

/* ---- stat, ftruncate, fsync ----------------------------------------------- */

static bool stat_and_fstat_report_size_type_and_links(void)
{
	static char data[5000];
	struct stat a, b;
	memset(data, 's', sizeof(data));
	CHECK(put_file("statf", data, sizeof(data)));
	CHECK(stat("statf", &a) == 0 && S_ISREG(a.st_mode) && a.st_size == 5000);
	CHECK(a.st_nlink == 1 && a.st_blksize > 0 && a.st_blocks * 512 >= 5000);
	int fd = open("statf", O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && fstat(fd, &b) == 0);
	CHECK(b.st_ino == a.st_ino && b.st_dev == a.st_dev && b.st_size == 5000);
	CHECK(write(fd, "0123456789", 10) == 10 && size_of(fd) == 5010);
	CHECK(close(fd) == 0);
	CHECK(mkdir("statd", DIR_MODE) == 0);
	CHECK(stat("statd", &b) == 0 && S_ISDIR(b.st_mode) && b.st_nlink == 2);
	CHECK(b.st_ino != a.st_ino);
	CHECK(ino_of("statd/..") == ino_of(".") && ino_of("statd/.") == b.st_ino);
	CHECK(stat("/", &b) == 0 && S_ISDIR(b.st_mode) && ino_of("/..") == b.st_ino);
	int con = open("/dev/console", O_WRONLY);
	CHECK(con >= 0 && fstat(con, &b) == 0 && S_ISCHR(b.st_mode));
	CHECK(close(con) == 0);
	CHECK(unlink("statf") == 0 && rmdir("statd") == 0);
	return true;
}

static bool ftruncate_shrinks_and_grows_with_zeros(void)
{
	static uint8_t buf[3 * PAGE];
	int fd = pattern_file("ftrunc", 10000, 11);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, 3000) == 0 && size_of(fd) == 3000);
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read_all(fd, buf, sizeof(buf)) == 3000);
	CHECK(matches_pattern(buf, 3000, 11, 0));
	/* Growing again: what was cut off must not come back. */
	CHECK(ftruncate(fd, 9000) == 0 && size_of(fd) == 9000);
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read_all(fd, buf, sizeof(buf)) == 9000);
	CHECK(matches_pattern(buf, 3000, 11, 0));
	for (int i = 3000; i < 9000; i++)
		CHECK(buf[i] == 0);
	/* ftruncate leaves the offset (9000) alone; writing there leaves a hole. */
	CHECK(ftruncate(fd, 0) == 0 && size_of(fd) == 0);
	CHECK(lseek(fd, 0, SEEK_CUR) == 9000 && write(fd, "z", 1) == 1 && size_of(fd) == 9001);
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read_all(fd, buf, sizeof(buf)) == 9001);
	for (int i = 0; i < 9000; i++)
		CHECK(buf[i] == 0);
	CHECK(buf[9000] == 'z');
	int ro = open("ftrunc", O_RDONLY);
	CHECK(ro >= 0 && ftruncate(ro, 0) == -1 && (errno == EINVAL || errno == EBADF));
	int p[2];
	CHECK(pipe(p) == 0 && ftruncate(p[1], 0) == -1 && errno == EINVAL);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(ro) == 0 && close(fd) == 0);
	CHECK(unlink("ftrunc") == 0);
	return true;
}

static bool fsync_writes_the_file_and_returns_0(void)
{
	struct k_vmstat a = stat_now();
	int fd = pattern_file("fsync", 3 * PAGE, 12);
	CHECK(fd >= 0);
	CHECK(fsync(fd) == 0);
	struct k_vmstat b = stat_now();
	CHECK(b.fs_disk_writes > a.fs_disk_writes);
	CHECK(close(fd) == 0);
	CHECK(fsync(fd) == -1 && errno == EBADF);
	CHECK(unlink("fsync") == 0);
	return true;
}

/* ---- names: unlink, rename, directories ----------------------------------- */

static bool unlink_removes_the_name_and_open_descriptors_keep_the_data(void)
{
	char buf[SMALL];
	struct stat st;
	CHECK(put_file("unl", "still here", 10));
	int fd = open("unl", O_RDONLY);
	CHECK(fd >= 0 && unlink("unl") == 0);
	CHECK(stat("unl", &st) == -1 && errno == ENOENT);
	CHECK(open("unl", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(unlink("unl") == -1 && errno == ENOENT);
	CHECK(read_all(fd, buf, sizeof(buf)) == 10 && memcmp(buf, "still here", 10) == 0);
	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 10);
	CHECK(close(fd) == 0);
	/* The name is free again: a new, empty file. */
	fd = open("unl", O_RDWR | O_CREAT | O_EXCL, FILE_MODE);
	CHECK(fd >= 0 && size_of(fd) == 0 && close(fd) == 0 && unlink("unl") == 0);
	CHECK(mkdir("unl.d", DIR_MODE) == 0);
	CHECK(unlink("unl.d") == -1 && (errno == EISDIR || errno == EPERM));
	CHECK(rmdir("unl.d") == 0);
	return true;
}

/* Open path and read it in a loop, exiting 1 the first time it is missing
 * or short; tells ready once it has read it. Ends only by a signal. */
static int read_while_renamed(const char *path, int ready)
{
	char buf[SMALL];
	for (bool told = false;; told = true) {
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			return 1;
		ssize_t n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n != 3)
			return 2;
		if (!told)
			write(ready, "r", 1);
	}
}

/* Replace ren.b with a new file of three bytes, n times. */
static bool replace_by_rename(int n)
{
	for (int i = 0; i < n; i++)
		if (!put_file("ren.t", i % 2 ? "one" : "two", 3) || rename("ren.t", "ren.b") != 0)
			return false;
	return true;
}

static bool rename_replaces_the_target_atomically(void)
{
	int p[2];
	char c;
	CHECK(put_file("ren.b", "old", 3) && pipe(p) == 0);
	pid_t reader = fork();
	if (reader == 0)
		_exit(read_while_renamed("ren.b", p[1]));
	bool started = reader > 0 && read(p[0], &c, 1) == 1;
	bool replaced = started && replace_by_rename(200);
	kill(reader, SIGKILL);
	int st = wait_child(reader);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(started && replaced);
	CHECK(killed_by(st, SIGKILL)); /* not an exit: it never missed the file */
	CHECK(open("ren.t", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(holds("ren.b", "one"));
	CHECK(rename("ren.b", "ren.b") == 0 && holds("ren.b", "one"));
	CHECK(unlink("ren.b") == 0);
	return true;
}

static bool rename_moves_files_and_directories_between_directories(void)
{
	CHECK(mkdir("mv.a", DIR_MODE) == 0 && mkdir("mv.b", DIR_MODE) == 0);
	CHECK(put_file("mv.a/f", "moved", 5));
	CHECK(rename("mv.a/f", "mv.b/g") == 0);
	CHECK(open("mv.a/f", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(holds("mv.b/g", "moved"));
	/* A directory moves with what it holds, and its ".." follows it. */
	CHECK(mkdir("mv.a/sub", DIR_MODE) == 0 && put_file("mv.a/sub/x", "x", 1));
	CHECK(links_of("mv.a") == 3 && links_of("mv.b") == 2);
	CHECK(rename("mv.a/sub", "mv.b/sub") == 0);
	CHECK(holds("mv.b/sub/x", "x"));
	CHECK(ino_of("mv.b/sub/..") == ino_of("mv.b"));
	CHECK(links_of("mv.a") == 2 && links_of("mv.b") == 3);
	CHECK(rmdir("mv.a") == 0); /* empty now */
	CHECK(unlink("mv.b/sub/x") == 0 && rmdir("mv.b/sub") == 0);
	CHECK(unlink("mv.b/g") == 0 && rmdir("mv.b") == 0);
	return true;
}

/* The kernel keeps names it has found (a name cache): a name looked up
 * just before it is unlinked, replaced by rename, moved with its
 * directory or removed with it must not be found again. */
static bool names_found_before_follow_unlink_rename_and_rmdir(void)
{
	CHECK(put_file("nc.a", "A", 1) && holds("nc.a", "A"));
	CHECK(unlink("nc.a") == 0);
	CHECK(open("nc.a", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(put_file("nc.a", "A", 1) && put_file("nc.b", "B", 1) && holds("nc.a", "A"));
	CHECK(holds("nc.b", "B") && rename("nc.b", "nc.a") == 0);
	CHECK(holds("nc.a", "B"));
	CHECK(open("nc.b", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(mkdir("nc.d", DIR_MODE) == 0 && put_file("nc.d/f", "F", 1) && holds("nc.d/f", "F"));
	CHECK(rename("nc.d", "nc.e") == 0);
	CHECK(open("nc.d/f", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(holds("nc.e/f", "F"));
	CHECK(unlink("nc.e/f") == 0 && rmdir("nc.e") == 0 && mkdir("nc.e", DIR_MODE) == 0);
	CHECK(open("nc.e/f", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(rmdir("nc.e") == 0 && unlink("nc.a") == 0);
	return true;
}

static bool rename_errors_are_posix(void)
{
	CHECK(mkdir("re.d", DIR_MODE) == 0 && mkdir("re.d/sub", DIR_MODE) == 0);
	CHECK(mkdir("re.full", DIR_MODE) == 0 && put_file("re.full/x", "x", 1));
	CHECK(put_file("re.f", "f", 1));
	CHECK(rename("re.d", "re.d/sub/in") == -1 && errno == EINVAL);
	CHECK(rename("re.d", "re.d/in") == -1 && errno == EINVAL);
	CHECK(rename("re.none", "re.x") == -1 && errno == ENOENT);
	CHECK(rename("re.f", "re.none/x") == -1 && errno == ENOENT);
	CHECK(rename("re.f", "re.d") == -1 && errno == EISDIR);
	CHECK(rename("re.d", "re.f") == -1 && errno == ENOTDIR);
	CHECK(rename("re.d", "re.full") == -1 && (errno == ENOTEMPTY || errno == EEXIST));
	/* Over an empty directory, a directory takes its place. */
	CHECK(mkdir("re.empty", DIR_MODE) == 0 && rename("re.d", "re.empty") == 0);
	CHECK(open("re.d", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(rmdir("re.empty/sub") == 0 && rmdir("re.empty") == 0);
	CHECK(unlink("re.full/x") == 0 && rmdir("re.full") == 0 && unlink("re.f") == 0);
	return true;
}

static bool mkdir_and_rmdir_make_and_remove_directories(void)
{
	struct stat st;
	CHECK(mkdir("md", DIR_MODE) == 0);
	CHECK(stat("md", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == DIR_MODE);
	CHECK(mkdir("md", DIR_MODE) == -1 && errno == EEXIST);
	CHECK(mkdir("md/a", DIR_MODE) == 0 && mkdir("md/a/b", DIR_MODE) == 0);
	CHECK(rmdir("md") == -1 && (errno == ENOTEMPTY || errno == EEXIST));
	CHECK(rmdir("md/a/b") == 0 && rmdir("md/a") == 0);
	CHECK(put_file("md/f", "", 0));
	CHECK(rmdir("md") == -1 && (errno == ENOTEMPTY || errno == EEXIST));
	CHECK(rmdir("md/f") == -1 && errno == ENOTDIR);
	CHECK(mkdir("md/f", DIR_MODE) == -1 && errno == EEXIST);
	CHECK(unlink("md/f") == 0 && rmdir("md") == 0);
	CHECK(rmdir("md") == -1 && errno == ENOENT);
	CHECK(stat("md", &st) == -1 && errno == ENOENT);
	CHECK(mkdir("md.none/x", DIR_MODE) == -1 && errno == ENOENT);
	CHECK(rmdir(".") == -1 && (errno == EINVAL || errno == EBUSY));
	return true;
}

static bool a_file_inside_a_path_is_enotdir(void)
{
	struct stat st;
	CHECK(put_file("nd.f", "x", 1));
	CHECK(open("nd.f/x", O_RDONLY) == -1 && errno == ENOTDIR);
	CHECK(open("nd.f/x", O_WRONLY | O_CREAT, FILE_MODE) == -1 && errno == ENOTDIR);
	CHECK(mkdir("nd.f/x", DIR_MODE) == -1 && errno == ENOTDIR);
	CHECK(stat("nd.f/x", &st) == -1 && errno == ENOTDIR);
	CHECK(unlink("nd.f/x") == -1 && errno == ENOTDIR);
	CHECK(chdir("nd.f") == -1 && errno == ENOTDIR);
	CHECK(open("nd.f", O_RDONLY | O_DIRECTORY) == -1 && errno == ENOTDIR);
	CHECK(opendir("nd.f") == NULL && errno == ENOTDIR);
	CHECK(unlink("nd.f") == 0);
	return true;
}

static bool writing_a_directory_is_eisdir(void)
{
	char c;
	CHECK(mkdir("wd", DIR_MODE) == 0);
	CHECK(open("wd", O_WRONLY) == -1 && errno == EISDIR);
	CHECK(open("wd", O_RDWR) == -1 && errno == EISDIR);
	CHECK(open("wd", O_WRONLY | O_CREAT, FILE_MODE) == -1 && errno == EISDIR);
	int fd = open("wd", O_RDONLY); /* reading one open is allowed: getdents */
	CHECK(fd >= 0 && read(fd, &c, 1) == -1 && errno == EISDIR);
	CHECK(close(fd) == 0 && rmdir("wd") == 0);
	return true;
}

static bool a_256_byte_name_is_enametoolong_and_255_fit(void)
{
	char name[K_NAME_MAX + 2];
	struct stat st;
	memset(name, 'n', K_NAME_MAX + 1);
	name[K_NAME_MAX + 1] = '\0';
	CHECK(open(name, O_WRONLY | O_CREAT, FILE_MODE) == -1 && errno == ENAMETOOLONG);
	CHECK(mkdir(name, DIR_MODE) == -1 && errno == ENAMETOOLONG);
	CHECK(stat(name, &st) == -1 && errno == ENAMETOOLONG);
	name[K_NAME_MAX] = '\0';
	int fd = open(name, O_WRONLY | O_CREAT, FILE_MODE);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(stat(name, &st) == 0 && unlink(name) == 0);
	return true;
}

static bool missing_names_are_enoent(void)
{
	struct stat st;
	CHECK(open("no.such", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(open("no.dir/f", O_WRONLY | O_CREAT, FILE_MODE) == -1 && errno == ENOENT);
	CHECK(stat("no.such", &st) == -1 && errno == ENOENT);
	CHECK(chdir("no.such") == -1 && errno == ENOENT);
	CHECK(rmdir("no.such") == -1 && errno == ENOENT);
	CHECK(unlink("no.such") == -1 && errno == ENOENT);
	CHECK(opendir("no.such") == NULL && errno == ENOENT);
	CHECK(open("", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(stat("", &st) == -1 && errno == ENOENT);
	return true;
}

/* ---- reading directories --------------------------------------------------- */

struct want {
	const char *name;
	unsigned char type;
	int seen;
};

/* Read d to its end, counting each entry against want[0..n-1]; the number
 * of entries that are not wanted or have the wrong type, or -1 if readdir
 * failed. DT_UNKNOWN is a right type (POSIX lets a file system not say). */
static int tally(DIR *d, struct want *want, int n)
{
	struct dirent *e;
	int wrong = 0;
	for (int i = 0; i < n; i++)
		want[i].seen = 0;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		int i = 0;
		while (i < n && strcmp(want[i].name, e->d_name) != 0)
			i++;
		if (i == n || (e->d_type != want[i].type && e->d_type != DT_UNKNOWN))
			wrong++;
		else
			want[i].seen++;
	}
	return errno ? -1 : wrong;
}

static bool readdir_sees_exactly_the_names_made(void)
{
	struct want want[] = {
		{ ".", DT_DIR, 0 },  { "..", DT_DIR, 0 },  { "a", DT_REG, 0 },
		{ "bb", DT_REG, 0 }, { "ccc", DT_REG, 0 }, { "sub", DT_DIR, 0 },
	};
	const int n = (int)(sizeof(want) / sizeof(want[0]));
	CHECK(mkdir("rd", DIR_MODE) == 0 && mkdir("rd/sub", DIR_MODE) == 0);
	CHECK(put_file("rd/a", "a", 1) && put_file("rd/bb", "", 0) && put_file("rd/ccc", "c", 1));
	DIR *d = opendir("rd");
	CHECK(d != NULL);
	CHECK(tally(d, want, n) == 0);
	for (int i = 0; i < n; i++)
		CHECK(want[i].seen == 1);
	/* The inode numbers are the ones stat gives. */
	rewinddir(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL && strcmp(e->d_name, "a") != 0)
		;
	CHECK(e != NULL && e->d_ino == ino_of("rd/a"));
	/* After an unlink, rewinddir shows the directory as it is now. */
	CHECK(unlink("rd/bb") == 0);
	rewinddir(d);
	CHECK(tally(d, want, n) == 0);
	for (int i = 0; i < n; i++)
		CHECK(want[i].seen == (strcmp(want[i].name, "bb") != 0));
	CHECK(closedir(d) == 0);
	CHECK(unlink("rd/a") == 0 && unlink("rd/ccc") == 0);
	CHECK(rmdir("rd/sub") == 0 && rmdir("rd") == 0);
	return true;
}

#define MANY	    200
#define MANY_PREFIX "an-entry-with-a-rather-long-name-number-"

/* Count the entries of dir: seen[i] for MANY_PREFIX + i, *dots for "."
 * and ".."; the number of other names, or -1 if it could not be read. */
static int count_many(const char *dir, int *seen, int *dots)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int other = 0;
	if (d == NULL)
		return -1;
	memset(seen, 0, MANY * sizeof(*seen));
	*dots = 0;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		bool ours = strncmp(e->d_name, MANY_PREFIX, strlen(MANY_PREFIX)) == 0;
		int i = ours ? atoi(e->d_name + strlen(MANY_PREFIX)) : -1;
		if (is_dot(e->d_name))
			(*dots)++;
		else if (i >= 0 && i < MANY)
			seen[i]++;
		else
			other++;
	}
	if (errno != 0)
		other = -1;
	closedir(d);
	return other;
}

static bool readdir_sees_each_of_many_entries_once(void)
{
	static int seen[MANY];
	char path[K_PATH_MAX];
	int dots;
	CHECK(mkdir("many", DIR_MODE) == 0);
	for (int i = 0; i < MANY; i++) {
		snprintf(path, sizeof(path), "many/%s%d", MANY_PREFIX, i);
		CHECK(put_file(path, "", 0));
	}
	CHECK(count_many("many", seen, &dots) == 0 && dots == 2);
	for (int i = 0; i < MANY; i++)
		CHECK(seen[i] == 1);
	/* Every other one removed: exactly the rest remain. */
	for (int i = 0; i < MANY; i += 2) {
		snprintf(path, sizeof(path), "many/%s%d", MANY_PREFIX, i);
		CHECK(unlink(path) == 0);
	}
	CHECK(count_many("many", seen, &dots) == 0 && dots == 2);
	for (int i = 0; i < MANY; i++)
		CHECK(seen[i] == i % 2);
	for (int i = 1; i < MANY; i += 2) {
		snprintf(path, sizeof(path), "many/%s%d", MANY_PREFIX, i);
		CHECK(unlink(path) == 0);
	}
	CHECK(rmdir("many") == 0);
	return true;
}

static bool getdents_gives_whole_records_and_posix_errors(void)
{
	static _Alignas(uint32_t) char buf[1024];
	CHECK(put_file("gd.f", "x", 1));
	int fd = open("gd.f", O_RDONLY);
	CHECK(fd >= 0 && getdents(fd, buf, sizeof(buf)) == -1 && errno == ENOTDIR);
	CHECK(close(fd) == 0 && getdents(fd, buf, sizeof(buf)) == -1 && errno == EBADF);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	CHECK(getdents(fd, buf, 4) == -1 && errno == EINVAL); /* not room for one record */
	bool dot = false;
	int n;
	while ((n = getdents(fd, buf, sizeof(buf))) > 0) {
		for (int pos = 0; pos < n;) {
			struct k_dirent *k = (struct k_dirent *)(buf + pos);
			CHECK(k->reclen % 4 == 0 && k->reclen > sizeof(*k) - 1 && pos + k->reclen <= n);
			CHECK(memchr(k->name, '\0', k->reclen - (sizeof(*k) - 1)) != NULL);
			dot |= strcmp(k->name, ".") == 0;
			pos += k->reclen;
		}
	}
	CHECK(n == 0 && dot);
	CHECK(getdents(fd, buf, sizeof(buf)) == 0); /* and still at the end */
	CHECK(close(fd) == 0 && unlink("gd.f") == 0);
	return true;
}

/* ---- the working directory -------------------------------------------------- */

static char cwd_want[K_PATH_MAX];

/* 0 if the working directory is cwd_want. */
static int cwd_is_wanted(void)
{
	char cwd[K_PATH_MAX];
	return getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, cwd_want) == 0 ? 0 : 1;
}

static int chdir_root(void)
{
	return chdir("/");
}

/* Expect the working directory to be work/rel. */
static bool cwd_is(const char *rel)
{
	size_t n = (size_t)snprintf(cwd_want, sizeof(cwd_want), "%s%s%s", work, *rel ? "/" : "", rel);
	return n < sizeof(cwd_want) && cwd_is_wanted() == 0;
}

static bool relative_paths_follow_chdir(void)
{
	char cwd[K_PATH_MAX];
	CHECK(cwd_is(""));
	CHECK(mkdir("cd.a", DIR_MODE) == 0 && mkdir("cd.a/b", DIR_MODE) == 0);
	CHECK(chdir("cd.a/b") == 0 && cwd_is("cd.a/b"));
	CHECK(put_file("here", "h", 1));
	CHECK(chdir("..") == 0 && cwd_is("cd.a"));
	CHECK(holds("b/here", "h"));
	CHECK(chdir("./b/../b/.") == 0 && cwd_is("cd.a/b"));
	/* A child starts where its parent is; its chdir moves only itself. */
	CHECK(exited_with(in_child(cwd_is_wanted), 0));
	CHECK(exited_with(in_child(chdir_root), 0) && cwd_is("cd.a/b"));
	CHECK(getcwd(cwd, 3) == NULL && errno == ERANGE);
	CHECK(chdir("/") == 0 && getcwd(cwd, sizeof(cwd)) == cwd && strcmp(cwd, "/") == 0);
	CHECK(chdir("..") == 0 && getcwd(cwd, sizeof(cwd)) == cwd && strcmp(cwd, "/") == 0);
	CHECK(chdir(work) == 0 && holds("cd.a/b/here", "h"));
	CHECK(unlink("cd.a/b/here") == 0 && rmdir("cd.a/b") == 0 && rmdir("cd.a") == 0);
	return true;
}

static bool chdir_and_getcwd_follow_relative_paths(void)
{
	bool ok = relative_paths_follow_chdir();
	if (chdir(work) != 0) /* the next tests need it, whatever happened */
		return false;
	return ok;
}

static bool closed_descriptors_are_ebadf(void)
{
	char c, names[SMALL];
	struct stat st;
	int fd = open("ebadf", O_RDWR | O_CREAT, FILE_MODE);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(read(fd, &c, 1) == -1 && errno == EBADF);
	CHECK(write(fd, "x", 1) == -1 && errno == EBADF);
	CHECK(lseek(fd, 0, SEEK_SET) == -1 && errno == EBADF);
	CHECK(fstat(fd, &st) == -1 && errno == EBADF);
	CHECK(ftruncate(fd, 0) == -1 && errno == EBADF);
	CHECK(fsync(fd) == -1 && errno == EBADF);
	CHECK(getdents(fd, names, sizeof(names)) == -1 && errno == EBADF);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EBADF);
	CHECK(fdopendir(fd) == NULL && errno == EBADF);
	CHECK(close(fd) == -1 && errno == EBADF);
	CHECK(fstat(-1, &st) == -1 && errno == EBADF);
	CHECK(unlink("ebadf") == 0);
	return true;
}

/* ---- large files -------------------------------------------------------------- */

static const uint32_t write_sizes[] = { 4093, 1, 777, 12289, 4097, 511, 8191, 3 };
static const uint32_t read_sizes[] = { 6007, 13, 4096, 9999, 2047 };
#define NSIZES(a) (sizeof(a) / sizeof((a)[0]))

static bool an_8_mib_file_in_odd_chunks_reads_back_intact(void)
{
	const uint32_t seed = 0x8b16;
	int fd = open("big", O_RDWR | O_CREAT | O_TRUNC, FILE_MODE);
	CHECK(fd >= 0);
	for (uint32_t off = 0, i = 0; off < BIG_FILE; i++) {
		uint32_t n = write_sizes[i % NSIZES(write_sizes)];
		n = n < BIG_FILE - off ? n : BIG_FILE - off;
		fill_pattern(chunk, n, seed, off);
		CHECK(write(fd, chunk, n) == (ssize_t)n);
		off += n;
	}
	CHECK(size_of(fd) == (off_t)BIG_FILE);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	for (uint32_t off = 0, i = 0; off < BIG_FILE; i++) {
		uint32_t n = read_sizes[i % NSIZES(read_sizes)];
		n = n < BIG_FILE - off ? n : BIG_FILE - off;
		CHECK(read(fd, chunk, n) == (ssize_t)n);
		CHECK(matches_pattern(chunk, n, seed, off));
		off += n;
	}
	CHECK(read(fd, chunk, 1) == 0);
	CHECK(close(fd) == 0 && unlink("big") == 0);
	return true;
}

/* A write of 16 MiB takes many time slices. The kernel is not
 * preemptive, so unless the write pauses between its pages (syscall_pause)
 * no other process runs on its hart until it returns, and a SIGKILL
 * sent meanwhile waits for the end. The parent kills the writer as soon
 * as its first blocks are on the file: the write must stop short, and the
 * size go back to what it wrote. */
#define LONG_WRITE (16u * MIB)

static bool a_long_write_lets_others_run_and_stops_when_killed(void)
{
	int fd = open("long", O_RDWR | O_CREAT | O_TRUNC, FILE_MODE);
	CHECK(fd >= 0);
	char *src = mmap(NULL, LONG_WRITE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(src != MAP_FAILED);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(write(fd, src, LONG_WRITE) == (ssize_t)LONG_WRITE ? 0 : 1);
	struct stat sb;
	int st;
	pid_t got;
	while ((got = waitpid(pid, &st, WNOHANG)) == 0 && fstat(fd, &sb) == 0 && sb.st_blocks == 0)
		sched_yield();
	CHECK(got == 0); /* the writer is still at it */
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(killed_by(wait_child(pid), SIGKILL));
	CHECK(fstat(fd, &sb) == 0);
	printf("# the killed write stopped at %u of %u bytes\n", (unsigned)sb.st_size,
	       (unsigned)LONG_WRITE);
	CHECK(sb.st_size > 0 && sb.st_size < (off_t)LONG_WRITE);
	CHECK(munmap(src, LONG_WRITE) == 0);
	CHECK(close(fd) == 0 && unlink("long") == 0);
	return true;
}

static uint32_t load_seed(uint32_t file)
{
	return file * 0x9e3779b9u + 1;
}

/* Read the workload's file f back in LOAD_CHUNK reads; true if every byte
 * is the pattern it was written with. */
static bool load_file_intact(uint32_t f, uint32_t size)
{
	char path[SMALL];
	snprintf(path, sizeof(path), "load.%u", (unsigned)f);
	int fd = open(path, O_RDONLY);
	bool ok = fd >= 0;
	for (uint32_t off = 0; ok && off < size; off += LOAD_CHUNK)
		ok = read(fd, chunk, LOAD_CHUNK) == LOAD_CHUNK &&
		     matches_pattern(chunk, LOAD_CHUNK, load_seed(f), off);
	ok = ok && read(fd, chunk, 1) == 0;
	return fd >= 0 && close(fd) == 0 && ok;
}

/*
 * Files of workload_mib MiB in all (three times RAM unless the command
 * line says otherwise), written one after the other in 64 KiB writes, read
 * back and compared, then deleted. More than RAM can hold: the page cache
 * must write pages back and read them again, which vmstat shows.
 */
static bool files_of_three_times_ram_read_back_intact(void)
{
	uint32_t per_mib = workload_mib < LOAD_FILE_MIB ? workload_mib : LOAD_FILE_MIB;
	uint32_t files = per_mib ? workload_mib / per_mib : 0, per = per_mib * MIB;
	char path[SMALL];
	CHECK(files > 0);
	struct k_vmstat a = stat_now();
	for (uint32_t f = 0; f < files; f++) {
		snprintf(path, sizeof(path), "load.%u", (unsigned)f);
		int fd = pattern_file(path, per, load_seed(f));
		CHECK(fd >= 0 && close(fd) == 0);
	}
	struct k_vmstat b = stat_now();
	for (uint32_t f = 0; f < files; f++)
		CHECK(load_file_intact(f, per));
	struct k_vmstat c = stat_now();
	for (uint32_t f = 0; f < files; f++) {
		snprintf(path, sizeof(path), "load.%u", (unsigned)f);
		CHECK(unlink(path) == 0);
	}
	uint64_t total = (uint64_t)files * per, ram = (uint64_t)a.frames_total * PAGE;
	if (total > ram) {
		CHECK(c.cache_writebacks - a.cache_writebacks >= (total - ram) / PAGE);
		CHECK(c.fs_disk_reads > b.fs_disk_reads);
	}
	return true;
}

/* ---- file mappings -------------------------------------------------------------- */

static bool map_shared_stores_reach_read_at_once(void)
{
	char buf[SMALL];
	int fd = pattern_file("mapsh", 2 * PAGE, 21);
	CHECK(fd >= 0);
	char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && matches_pattern((uint8_t *)m, 2 * PAGE, 21, 0));
	CHECK(fsync(fd) == 0); /* from here only stores through m dirty the file */
	memcpy(m + 100, "stored", 6);
	m[PAGE + 5] = 'Z';
	CHECK(lseek(fd, 100, SEEK_SET) == 100 && read(fd, buf, 6) == 6);
	CHECK(memcmp(buf, "stored", 6) == 0);
	CHECK(lseek(fd, PAGE + 5, SEEK_SET) == PAGE + 5 && read(fd, buf, 1) == 1 && buf[0] == 'Z');
	/* msync writes what only the page tables know is dirty. */
	struct k_vmstat a = stat_now();
	CHECK(msync(m, 2 * PAGE, MS_SYNC) == 0);
	struct k_vmstat b = stat_now();
	CHECK(b.fs_disk_writes > a.fs_disk_writes);
	/* And write() shows in the mapping, also in one at an offset. */
	CHECK(lseek(fd, PAGE + 200, SEEK_SET) == PAGE + 200 && write(fd, "written", 7) == 7);
	CHECK(memcmp(m + PAGE + 200, "written", 7) == 0);
	char *second = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, PAGE);
	CHECK(second != MAP_FAILED && second[5] == 'Z' && memcmp(second + 200, "written", 7) == 0);
	CHECK(msync(m, PAGE, MS_ASYNC) == 0);
	CHECK(msync(m, PAGE, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL);
	CHECK(msync(m + 1, PAGE, MS_SYNC) == -1 && errno == EINVAL);
	CHECK(munmap(m, 2 * PAGE) == 0 && munmap(second, PAGE) == 0);
	CHECK(msync(m, PAGE, MS_SYNC) == -1 && errno == ENOMEM);
	CHECK(close(fd) == 0);
	/* A shared writable mapping needs a descriptor open for writing. */
	int ro = open("mapsh", O_RDONLY);
	CHECK(ro >= 0);
	CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED &&
	      errno == EACCES);
	m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	CHECK(m != MAP_FAILED && memcmp(m + 100, "stored", 6) == 0);
	CHECK(munmap(m, PAGE) == 0 && close(ro) == 0 && unlink("mapsh") == 0);
	return true;
}

/* A new file path of one zero page, open O_RDWR, and a shared writable
 * mapping of it in *m: the descriptor, or -1. */
static int shared_page(const char *path, volatile uint32_t **m)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, FILE_MODE);
	if (fd < 0 || ftruncate(fd, PAGE) != 0)
		return -1;
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	*m = p;
	return p == MAP_FAILED ? -1 : fd;
}

/*
 * Two processes with a shared mapping of one page each touch it first, so
 * each has its own translation, then take turns over two pipes: the child
 * stores word 0, the parent sees it and stores word 1, the child sees that.
 */
static int child_stores_then_sees(volatile uint32_t *m, int said, int go)
{
	char c;
	if (m[0] != 0 || write(said, "t", 1) != 1 || read(go, &c, 1) != 1)
		return 2;
	m[0] = 0x1234;
	if (write(said, "s", 1) != 1 || read(go, &c, 1) != 1)
		return 2;
	return m[1] == 0x5678 ? 0 : 1;
}

static bool parent_sees_then_stores(volatile uint32_t *m, int said, int go)
{
	char c;
	bool touched = m[1] == 0;
	bool ok = read(said, &c, 1) == 1 && write(go, "g", 1) == 1 && read(said, &c, 1) == 1;
	ok = ok && touched && m[0] == 0x1234;
	m[1] = 0x5678;
	return write(go, "g", 1) == 1 && ok;
}

/* In a child: open and map path itself, then as child_stores_then_sees. */
static int open_map_store_then_see(const char *path, int said, int go)
{
	int fd = open(path, O_RDWR);
	if (fd < 0)
		return 3;
	volatile uint32_t *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if ((void *)m == MAP_FAILED)
		return 3;
	return child_stores_then_sees(m, said, go);
}

static bool map_shared_pages_are_shared_with_a_forked_child(void)
{
	volatile uint32_t *m;
	int said[2], go[2];
	int fd = shared_page("mapfork", &m);
	CHECK(fd >= 0 && pipe(said) == 0 && pipe(go) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(said[0]), close(go[1]); /* so an early return of the parent ends it */
		_exit(child_stores_then_sees(m, said[1], go[0]));
	}
	bool seen = pid > 0 && parent_sees_then_stores(m, said[0], go[1]);
	close(said[0]), close(said[1]), close(go[0]), close(go[1]);
	CHECK(exited_with(wait_child(pid), 0) && seen);
	uint32_t words[2];
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, words, 8) == 8);
	CHECK(words[0] == 0x1234 && words[1] == 0x5678);
	CHECK(munmap((void *)m, PAGE) == 0 && close(fd) == 0 && unlink("mapfork") == 0);
	return true;
}

static bool separate_opens_and_mappings_share_the_page(void)
{
	volatile uint32_t *m;
	int said[2], go[2];
	int fd = open("mapopen", O_RDWR | O_CREAT | O_TRUNC, FILE_MODE);
	CHECK(fd >= 0 && ftruncate(fd, PAGE) == 0 && close(fd) == 0);
	CHECK(pipe(said) == 0 && pipe(go) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(said[0]), close(go[1]);
		_exit(open_map_store_then_see("mapopen", said[1], go[0]));
	}
	fd = open("mapopen", O_RDWR); /* the parent's own open and mapping */
	m = fd < 0 ? MAP_FAILED : mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	bool seen = pid > 0 && (void *)m != MAP_FAILED && parent_sees_then_stores(m, said[0], go[1]);
	close(said[0]), close(said[1]), close(go[0]), close(go[1]);
	CHECK(exited_with(wait_child(pid), 0) && seen);
	CHECK(munmap((void *)m, PAGE) == 0 && close(fd) == 0);
	CHECK(unlink("mapopen") == 0);
	return true;
}

static int private_store_in_child(void);
static char *private_map;

static bool map_private_stores_stay_private(void)
{
	char buf[SMALL];
	int fd = open("mappriv", O_RDWR | O_CREAT | O_TRUNC, FILE_MODE);
	CHECK(fd >= 0 && write(fd, "original", 8) == 8 && ftruncate(fd, PAGE) == 0);
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *other = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED && shared != MAP_FAILED && other != MAP_FAILED);
	CHECK(memcmp(p, "original", 8) == 0);
	memcpy(p, "PRIVATE!", 8);
	CHECK(memcmp(p, "PRIVATE!", 8) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, buf, 8) == 8 && memcmp(buf, "original", 8) == 0);
	CHECK(memcmp(shared, "original", 8) == 0 && memcmp(other, "original", 8) == 0);
	/* The private page is a copy now: later stores to the file miss it. */
	memcpy(shared + 100, "later", 5);
	CHECK(p[100] == 0);
	/* A child gets its own copy of the copy. */
	private_map = p;
	CHECK(exited_with(in_child(private_store_in_child), 0) && p[0] == 'P');
	CHECK(msync(shared, PAGE, MS_SYNC) == 0 && munmap(p, PAGE) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, buf, 8) == 8 && memcmp(buf, "original", 8) == 0);
	CHECK(munmap(shared, PAGE) == 0 && munmap(other, PAGE) == 0);
	CHECK(close(fd) == 0 && unlink("mappriv") == 0);
	return true;
}

static int private_store_in_child(void)
{
	private_map[0] = 'c';
	return private_map[0] == 'c' ? 0 : 1;
}

static bool closing_the_descriptor_keeps_the_mapping(void)
{
	char buf[SMALL];
	int fd = open("mapclose", O_RDWR | O_CREAT | O_TRUNC, FILE_MODE);
	CHECK(fd >= 0 && write(fd, "before", 6) == 6);
	char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && close(fd) == 0);
	CHECK(memcmp(m, "before", 6) == 0);
	memcpy(m, "after!", 6);
	CHECK(msync(m, PAGE, MS_SYNC) == 0 && munmap(m, PAGE) == 0);
	fd = open("mapclose", O_RDONLY);
	CHECK(fd >= 0 && read_all(fd, buf, sizeof(buf)) == 6 && memcmp(buf, "after!", 6) == 0);
	CHECK(close(fd) == 0 && unlink("mapclose") == 0);
	return true;
}

static bool an_unlinked_mapped_file_keeps_its_pages_until_munmap(void)
{
	const uint32_t size = 16 * PAGE;
	struct stat st;
	int fd = pattern_file("mapunl", size, 31);
	CHECK(fd >= 0 && fsync(fd) == 0);
	uint8_t *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && close(fd) == 0 && unlink("mapunl") == 0);
	CHECK(stat("mapunl", &st) == -1 && errno == ENOENT);
	CHECK(matches_pattern(m, size, 31, 0)); /* pages first touched after the unlink */
	uint8_t flipped = (uint8_t)(m[3 * PAGE] ^ 0xffu);
	m[3 * PAGE] = flipped;
	CHECK(m[3 * PAGE] == flipped && flipped != pattern_byte(31, 3 * PAGE));
	CHECK(msync(m, size, MS_SYNC) == 0 && munmap(m, size) == 0);
	return true;
}

static bool access_to_a_page_past_the_end_of_the_file_is_sigbus(void)
{
	char data[100];
	char buf[SMALL];
	memset(data, 'b', sizeof(data));
	CHECK(put_file("mapbus", data, sizeof(data)));
	int fd = open("mapbus", O_RDWR);
	CHECK(fd >= 0);
	char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED && p != MAP_FAILED);
	CHECK(m[0] == 'b' && m[99] == 'b' && p[99] == 'b');
	CHECK(m[100] == 0 && m[PAGE - 1] == 0); /* the rest of the last page reads zero */
	touch_addr = (intptr_t)(m + PAGE);
	CHECK(killed_by(in_child(read_touch), SIGBUS));
	touch_addr = (intptr_t)(m + 2 * PAGE + 5);
	CHECK(killed_by(in_child(write_touch), SIGBUS));
	touch_addr = (intptr_t)(p + PAGE);
	CHECK(killed_by(in_child(read_touch), SIGBUS));
	/* A store past the end in the last page is never part of the file. */
	m[200] = 'x';
	CHECK(msync(m, PAGE, MS_SYNC) == 0 && size_of(fd) == 100);
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read_all(fd, buf, sizeof(buf)) == 100);
	CHECK(munmap(m, 3 * PAGE) == 0 && munmap(p, 2 * PAGE) == 0);
	CHECK(close(fd) == 0 && unlink("mapbus") == 0);
	return true;
}

/* Touch twice RAM of anonymous memory, so that reclaim evicts (and
 * swaps) everything it can: the file's pages too. */
static int press_memory(void)
{
	struct k_vmstat s = stat_now();
	uint32_t pages = 2 * s.frames_total;
	volatile uint32_t *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	for (uint32_t i = 0; i < pages; i++)
		p[i * (PAGE / 4)] = i;
	return 0;
}

/* A shared mapping's pages, dirtied by stores only, are evicted under
 * pressure (written back first) and faulted back from the file intact;
 * read() sees the same bytes. */
static bool evicted_shared_pages_come_back_from_the_file(void)
{
	const uint32_t pages = 64;
	int fd = pattern_file("evict", pages * PAGE, 31);
	CHECK(fd >= 0 && fsync(fd) == 0);
	uint8_t *m = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	for (uint32_t i = 0; i < pages; i++)
		m[i * PAGE + 7] = (uint8_t)(0xA0 + i % 32); /* the stores only the PTEs know of */
	uint32_t before = my_info().cache_pages;
	struct k_vmstat a = stat_now();
	CHECK(exited_with(in_child(press_memory), 0));
	struct k_vmstat b = stat_now();
	uint32_t after = my_info().cache_pages;
	CHECK(before >= pages && after < before); /* some of the mapping's pages went */
	CHECK(b.cache_writebacks > a.cache_writebacks && b.swapouts > a.swapouts);
	uint8_t buf[PAGE];
	for (uint32_t i = 0; i < pages; i++) {
		CHECK(m[i * PAGE + 7] == (uint8_t)(0xA0 + i % 32));
		CHECK(lseek(fd, (off_t)(i * PAGE), SEEK_SET) == (off_t)(i * PAGE));
		CHECK(read(fd, buf, PAGE) == (ssize_t)PAGE && buf[7] == m[i * PAGE + 7]);
		CHECK(matches_pattern(buf, 7, 31, i * PAGE)); /* the bytes around are the file's */
	}
	CHECK(munmap(m, pages * PAGE) == 0 && close(fd) == 0 && unlink("evict") == 0);
	return true;
}

static const struct test tests[] = {
	T(open_creat_makes_an_empty_regular_file),
	T(open_excl_fails_with_eexist_when_the_name_exists),
	T(open_trunc_empties_the_file),
	T(o_rdwr_reads_what_it_wrote_and_access_modes_hold),
	T(o_append_writes_at_the_end_whatever_the_offset),
	T(appending_processes_interleave_without_loss),
	T(lseek_set_cur_end_give_the_new_offset),
	T(a_write_past_the_end_leaves_a_hole_of_zeros),
	T(lseek_on_a_pipe_is_espipe),
	T(dup_and_fork_share_the_offset_and_open_does_not),
	T(stat_and_fstat_report_size_type_and_links),
	T(ftruncate_shrinks_and_grows_with_zeros),
	T(fsync_writes_the_file_and_returns_0),
	T(unlink_removes_the_name_and_open_descriptors_keep_the_data),
	T(rename_replaces_the_target_atomically),
	T(rename_moves_files_and_directories_between_directories),
	T(names_found_before_follow_unlink_rename_and_rmdir),
	T(rename_errors_are_posix),
	T(mkdir_and_rmdir_make_and_remove_directories),
	T(a_file_inside_a_path_is_enotdir),
	T(writing_a_directory_is_eisdir),
	T(a_256_byte_name_is_enametoolong_and_255_fit),
	T(missing_names_are_enoent),
	T(readdir_sees_exactly_the_names_made),
	T(readdir_sees_each_of_many_entries_once),
	T(getdents_gives_whole_records_and_posix_errors),
	T(chdir_and_getcwd_follow_relative_paths),
	T(closed_descriptors_are_ebadf),
	T(an_8_mib_file_in_odd_chunks_reads_back_intact),
	T(a_long_write_lets_others_run_and_stops_when_killed),
	T(files_of_three_times_ram_read_back_intact),
	T(map_shared_stores_reach_read_at_once),
	T(map_shared_pages_are_shared_with_a_forked_child),
	T(separate_opens_and_mappings_share_the_page),
	T(map_private_stores_stay_private),
	T(closing_the_descriptor_keeps_the_mapping),
	T(an_unlinked_mapped_file_keeps_its_pages_until_munmap),
	T(access_to_a_page_past_the_end_of_the_file_is_sigbus),
	T(evicted_shared_pages_come_back_from_the_file),
};
#define NTESTS (int)(sizeof(tests) / sizeof(tests[0]))

/* The suite, in a fresh directory under /tmp that it removes after: 0 if
 * every test passed and the directory went. */
static int run_in_work_directory(void)
{
	snprintf(work, sizeof(work), "/tmp/test_fs.%d", (int)getpid());
	int made = mkdir(work, DIR_MODE);
	if (made != 0 && errno == EEXIST && remove_tree(work) == 0) /* left by an earlier boot */
		made = mkdir(work, DIR_MODE);
	if (made != 0 || chdir(work) != 0) {
		printf("# cannot make and enter %s: %s\n", work, strerror(errno));
		return 2;
	}
	int failed = run_tests(tests, NTESTS);
	if (chdir("/tmp") != 0 || remove_tree(work) != 0) {
		printf("# cannot remove %s: %s\n", work, strerror(errno));
		return 1;
	}
	return failed ? 1 : 0;
}

/* Frames that are free, in the page cache, or this process's own
 * anonymous ones (frames_accounted in guest.h), after a sync. */
static uint32_t frames_now(struct k_vmstat *s, struct k_procinfo *me)
{
	sync();
	*s = stat_now();
	*me = my_info();
	return frames_accounted(s, me);
}

int main(int argc, char **argv)
{
	struct k_vmstat before, after;
	struct k_procinfo me_before, me_after;
	frames_now(&before, &me_before); /* touch what the measurement uses */
	workload_mib = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10)
				: 3 * (before.frames_total / (MIB / PAGE));
	printf("KTAP version 1\n1..%d\n", NTESTS + 2);
	printf("# workload %u MiB, RAM %u MiB\n", (unsigned)workload_mib,
	       (unsigned)(before.frames_total / (MIB / PAGE)));
	uint32_t start = frames_now(&before, &me_before);
	pid_t pid = fork();
	if (pid == 0)
		_exit(run_in_work_directory());
	int st = wait_child(pid);
	while (wait(NULL) > 0)
		;
	uint32_t end = frames_now(&after, &me_after);
	bool same = start == end;
	printf("%s %d frames_return_to_start_or_stay_cached # frames %u -> %u"
	       " (free %u -> %u, cached %u -> %u, dirty %u, resident %u -> %u)\n",
	       same ? "ok" : "not ok", NTESTS + 1, (unsigned)start, (unsigned)end,
	       (unsigned)before.frames_free, (unsigned)after.frames_free,
	       (unsigned)before.cache_pages, (unsigned)after.cache_pages,
	       (unsigned)after.cache_dirty, (unsigned)me_before.resident_pages,
	       (unsigned)me_after.resident_pages);
	bool books = books_balance(NTESTS + 2);
	return exited_with(st, 0) && same && books ? 0 : 1;
}
