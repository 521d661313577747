# User programs: the runtime in user/lib (crt0, system-call stubs, console
# stdio) linked with picolibc into static ELF32 executables laid out by
# linker/user.ld. Included by the top Makefile, which defines B, CC and
# USER_EXTRA. Gives USER_PROGS (names) and USER_BINS ($(B)/user/bin/NAME)
# for the initramfs, where each goes in as /bin/NAME.

# Compile with the extensions spelled out (gcc 12 wants zicsr/zifencei), but
# link with the plain -march: gcc picks the multilib by the literal string,
# and only the plain one selects rv32ia/ilp32 for libgcc, and through
# picolibc.specs (%M) for libc (PLATFORM.md pitfall 23). rv32ia has no M,
# so the libraries use a subset of rv32ima.
USER_ARCH := -march=rv32ima_zicsr_zifencei -mabi=ilp32
USER_LIBARCH := -march=rv32ima -mabi=ilp32

USER_CFLAGS := $(USER_ARCH) --specs=picolibc.specs -std=gnu11 -O2 -g \
	-ffunction-sections -fdata-sections -fno-common \
	-Wall -Wextra -Werror -Iuser/include -Ikernel -MMD -MP
USER_LDFLAGS := $(USER_LIBARCH) --specs=picolibc.specs -static -nostartfiles \
	-T linker/user.ld

USER_RT := $(patsubst user/lib/%,$(B)/user/lib/%.o,$(basename $(wildcard user/lib/*.S user/lib/*.c)))

USER_BASE_PROGS := $(basename $(notdir $(wildcard user/bin/*.c)))
USER_EXTRA_PROGS := $(if $(USER_EXTRA),$(basename $(notdir $(wildcard $(USER_EXTRA)/*.c))))
USER_PROGS := $(sort $(USER_BASE_PROGS) $(USER_EXTRA_PROGS))
USER_BINS := $(addprefix $(B)/user/bin/,$(USER_PROGS))

.PHONY: user
user: $(USER_BINS)

$(B)/user/lib/%.o: user/lib/%.c user/user.mk | deps
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/user/lib/%.o: user/lib/%.S user/user.mk | deps
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/user/bin/%.o: user/bin/%.c user/user.mk | deps
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c $< -o $@

# The extra programs' folder, by its absolute path: when another folder
# takes its place, every extra program is rebuilt, even from files older
# than the last build. The dependency file also names the source itself as
# a target with no recipe, so a folder that is gone is no error, only a
# reason to rebuild.
ifneq ($(USER_EXTRA),)
USER_EXTRA_DIR := $(abspath $(USER_EXTRA))
$(B)/user/extra.dir: FORCE
	@mkdir -p $(@D)
	@echo '$(USER_EXTRA_DIR)' | cmp -s - $@ || echo '$(USER_EXTRA_DIR)' > $@

$(B)/user/bin/%.o: $(USER_EXTRA)/%.c user/user.mk $(B)/user/extra.dir | deps
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c $< -o $@
	@echo '$<:' >> $(@:.o=.d)
endif

$(B)/user/bin/%: $(B)/user/bin/%.o $(USER_RT) linker/user.ld
	$(CC) $(USER_LDFLAGS) -o $@ $(USER_RT) $<

# Keep the objects: they carry the header dependencies for the next build.
.SECONDARY: $(USER_BINS:=.o) $(USER_RT)

-include $(USER_BINS:=.d) $(USER_RT:.o=.d)
