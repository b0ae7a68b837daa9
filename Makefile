# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# tcpstates-c: one static binary with its BPF object embedded.
#
#   make            build ./tcpstates-c
#   make run        install missing packages, build, trace (Ctrl-C stops)
#   make test       install missing packages, build, run every test
#   make unit       build and run the unit tests only, with a summary line
#   make test-kernels
#                   install missing packages, build, run the kernel matrix only: Debian's 5.10,
#                   6.1 and 6.12 cloud kernels under qemu, and the host (tests/kernels/)
#   make bench      install missing packages, build, run the benchmark (then bench-stuck and
#                   ctrbench, the cost of naming containers)
#   make bench-timewait
#                   install missing packages, build, measure the timewait tracking cost
#                   with 100 000 timewait sockets present (tests/bench/timewait_cost.sh)
#   make bench-stuck
#                   install missing packages, build, measure --stuck with 100 000 CLOSE_WAIT
#                   sockets present (tests/bench/stuck_cost.sh; make bench runs it too)
#   make fuzz      build the libFuzzer targets and run each for FUZZ_SECONDS (default 25)
#                   from its seed corpus (tests/fuzz/)
#   make image      build the container image tcpstates-c:$(VERSION) with podman
#                   (deploy/container/Containerfile: FROM scratch, the static binary)
#   make install    install the binary, the man page and the bash completion under
#                   $(DESTDIR)$(PREFIX) (default /usr/local; docs/install.md); make uninstall
#   make vmlinux    regenerate vmlinux/$(ARCH)/vmlinux.h from the running kernel's BTF
#   make clean      remove everything generated

OUTPUT := .output
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH ?= $(shell uname -m | sed 's/x86_64/x86/' | sed 's/aarch64/arm64/')
VMLINUX := vmlinux/$(ARCH)/vmlinux.h
VERSION := 0.1.0
BIN ?= tcpstates-c

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE -DTCPSTATES_VERSION='"$(VERSION)"'
INCLUDES := -I$(OUTPUT) -Iinclude -Iuser
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wno-unused-function
# static: the binary carries libbpf, libelf, zlib and libseccomp and can be copied to another host
LDLIBS := -lbpf -lelf -lz -lseccomp
LDFLAGS += -static

# everything in user/ except main.c is a library the unit tests link too
USER_SRCS := $(filter-out user/main.c,$(wildcard user/*.c))
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
# bpf/NAME.bpf.c: an object of its own; bpf/tracer/*.bpf.c: one file per feature, linked into
# one object (tcpstates), whose features the loader switches on and off one by one
BPF_SRCS := $(wildcard bpf/*.bpf.c)
TRACER_SRCS := $(wildcard bpf/tracer/*.bpf.c)
TRACER_OBJS := $(patsubst bpf/tracer/%.bpf.c,$(OUTPUT)/tracer/%.tmp.bpf.o,$(TRACER_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS)) $(OUTPUT)/tcpstates.skel.h
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all run test test-kernels unit headers bench bench-timewait bench-stuck deps clean vmlinux fuzz san-bins \
	image install uninstall

all: $(BIN)

deps:
	$(Q).ci/install-deps.sh

run: deps
	$(Q)$(MAKE) --no-print-directory all
	./tcpstates-c $(ARGS)

test: deps
	$(Q)$(MAKE) --no-print-directory all unit-bins $(KSCEN) san-bins $(OUTPUT)/bench/churn
	$(Q)tests/run.sh

unit-bins: $(UNIT_BINS)

# each unit binary, then one line "unit: N passed, M failed"; fails if any check failed
unit: unit-bins headers
	$(Q)tests/unit/run.sh $(UNIT_BINS)

# every header compiles on its own: the loader's and include/ with $(CC), the BPF ones as BPF
headers: $(SKELS)
	$(call msg,HEADERS,include/*.h user/*.h bpf/tracer/*.h)
	$(Q)for h in $(wildcard include/*.h user/*.h); do \
		echo "#include \"$$h\"" | $(CC) $(CFLAGS) $(INCLUDES) -fsyntax-only -x c - || exit 1; \
	done
	$(Q)for h in $(wildcard bpf/*.h bpf/tracer/*.h); do \
		echo "#include \"$$h\"" | $(CLANG) $(BPF_CFLAGS) -Iinclude -Ivmlinux/$(ARCH) \
			-fsyntax-only -x c - || exit 1; \
	done

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/bench/run.sh
	$(Q)$(MAKE) --no-print-directory bench-stuck
	$(Q)$(MAKE) --no-print-directory $(OUTPUT)/bench/ctrbench
	$(Q)$(OUTPUT)/bench/ctrbench

bench-stuck: deps
	$(Q)$(MAKE) --no-print-directory all $(OUTPUT)/bench/stuckgen
	$(Q)SB_BIN=$(abspath $(BIN)) SB_STUCKGEN=$(abspath $(OUTPUT)/bench/stuckgen) tests/bench/stuck_cost.sh

bench-timewait: deps
	$(Q)$(MAKE) --no-print-directory all $(OUTPUT)/bench/twgen
	$(Q)TWB_BIN=$(abspath $(BIN)) TWB_TWGEN=$(abspath $(OUTPUT)/bench/twgen) tests/bench/timewait_cost.sh

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/tests $(OUTPUT)/bench $(OUTPUT)/tracer:
	$(Q)mkdir -p $@

# every bpf/NAME.bpf.c becomes a skeleton $(OUTPUT)/NAME.skel.h (struct NAME_bpf)
$(OUTPUT)/%.tmp.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/tcpstates.h $(VMLINUX) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Iinclude -Ivmlinux/$(ARCH) -c $< -o $@

$(OUTPUT)/tracer/%.tmp.bpf.o: bpf/tracer/%.bpf.c $(wildcard bpf/tracer/*.h) include/tcpstates.h \
		include/marks.h $(VMLINUX) | $(OUTPUT)/tracer
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Iinclude -Ivmlinux/$(ARCH) -c $< -o $@

# the features' objects linked into one (their shared maps and globals joined by name)
$(OUTPUT)/tcpstates.bpf.o: $(TRACER_OBJS)
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/%.bpf.o: $(OUTPUT)/%.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(OUTPUT)/user/%.o: user/%.c $(wildcard user/*.h) include/tcpstates.h $(SKELS) | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -c $< -o $@

$(BIN): $(OUTPUT)/user/main.o $(USER_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/%: tests/unit/%.c tests/unit/unit.h $(USER_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -Itests/unit $< $(USER_OBJS) $(LDFLAGS) $(LDLIBS) -o $@

# the stuck bench's CLOSE_WAIT maker (its holders run threads: -pthread)
$(OUTPUT)/bench/stuckgen: tests/bench/stuckgen.c tests/bench/bench.h | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -std=gnu11 -pthread $< -o $@

# the user-space cost of a line: records through the tracer's filter, format and output queue
$(OUTPUT)/bench/fmtbench: tests/bench/fmtbench.c tests/bench/bench.h $(USER_OBJS) | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) $< $(USER_OBJS) $(LDFLAGS) $(LDLIBS) -o $@

# what naming a socket's container costs: hits, first lookups (root: real cgroups; run by hand,
# docs/benchmark.md "Container resolution")
$(OUTPUT)/bench/ctrbench: tests/bench/ctrbench.c tests/bench/bench.h $(USER_OBJS) | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) $< $(USER_OBJS) $(LDFLAGS) $(LDLIBS) -o $@

# the connection churn of the benchmark and of the integration tests (tests/lib/common.sh's
# build_churngen): a plain program, no BPF, no libraries
$(OUTPUT)/bench/churn: tests/bench/churn.c tests/bench/bench.h | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -std=gnu11 -pthread $< -o $@

# the timewait bench's socket maker: a plain program, no BPF, no libraries
$(OUTPUT)/bench/twgen: tests/bench/twgen.c tests/bench/bench.h | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -std=gnu11 $< -o $@

# the kernel matrix: its scenario program, static (it runs in a busybox initramfs)
KSCEN := $(OUTPUT)/kernels/kscen

test-kernels: deps
	$(Q)$(MAKE) --no-print-directory all $(KSCEN)
	$(Q)tests/kernels/run.sh

$(KSCEN): tests/kernels/kscen.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -Wall -Wextra -Wno-unused-parameter -std=gnu11 -static $< -o $@

# ---- sanitizers and fuzzing ---------------------------------------------------------------------
# The same sources built by clang with ASan+UBSan (any finding aborts), dynamically linked: ASan
# cannot link -static. $(ASAN)/: the tracer (tests/integration/t_asan.sh) and the unit tests (run
# by tests/run.sh); $(FUZZ)/: the libFuzzer targets tests/fuzz/fuzz_*.c (tests/integration/t_fuzz.sh).
ASAN := $(OUTPUT)/asan
FUZZ := $(OUTPUT)/fuzz
SAN_CC ?= clang
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_CFLAGS := $(filter-out -O2,$(CFLAGS)) $(SAN_FLAGS)
ASAN_OBJS := $(patsubst user/%.c,$(ASAN)/user/%.o,$(USER_SRCS))
FUZZ_OBJS := $(patsubst user/%.c,$(FUZZ)/user/%.o,$(USER_SRCS))
ASAN_UNIT_BINS := $(patsubst tests/unit/%.c,$(ASAN)/tests/%,$(UNIT_SRCS))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ)/%,$(wildcard tests/fuzz/fuzz_*.c))

san-bins: $(ASAN)/$(BIN) $(ASAN_UNIT_BINS) $(FUZZ_BINS)

fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh

$(ASAN)/user/%.o: user/%.c $(wildcard user/*.h) include/tcpstates.h $(SKELS)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(SAN_CC) $(SAN_CFLAGS) $(INCLUDES) -c $< -o $@

$(ASAN)/$(BIN): $(ASAN)/user/main.o $(ASAN_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(SAN_CC) $(SAN_FLAGS) $^ $(LDLIBS) -o $@

$(ASAN)/tests/%: tests/unit/%.c tests/unit/unit.h $(ASAN_OBJS)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(SAN_CC) $(SAN_CFLAGS) $(INCLUDES) -Itests/unit $< $(ASAN_OBJS) $(LDLIBS) -o $@

# the fuzzers' copy of the sources carries libFuzzer's coverage instrumentation as well
$(FUZZ)/user/%.o: user/%.c $(wildcard user/*.h) include/tcpstates.h $(SKELS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(SAN_CC) $(SAN_CFLAGS) -fsanitize=fuzzer-no-link $(INCLUDES) -c $< -o $@

$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	$(call msg,FUZZER,$@)
	$(Q)$(SAN_CC) $(SAN_CFLAGS) -fsanitize=fuzzer $(INCLUDES) $< $(FUZZ_OBJS) $(LDLIBS) -o $@

# ---- container image ----------------------------------------------------------------------------
# The build context holds the binary alone, so nothing else of the tree can end up in the image.
# PODMAN: the command, with its options (tests/integration/t_container.sh gives a private storage).
PODMAN ?= podman
IMAGE ?= tcpstates-c:$(VERSION)

image: $(BIN)
	$(call msg,IMAGE,$(IMAGE))
	$(Q)rm -rf $(OUTPUT)/image && mkdir -p $(OUTPUT)/image && cp $(BIN) $(OUTPUT)/image/tcpstates-c
	$(Q)$(PODMAN) build -q -f deploy/container/Containerfile --build-arg VERSION=$(VERSION) \
		-t $(IMAGE) $(OUTPUT)/image >/dev/null
# ---- install ------------------------------------------------------------------------------------
# GNU conventions: PREFIX and DESTDIR (a staging root for packagers), INSTALL overridable. install
# builds nothing that is up to date (it depends on the binary only) and never runs deps: `make` as
# a user, then `make install` as root, needs neither a compiler run as root nor the network.
PREFIX ?= /usr/local
INSTALL ?= install
SBINDIR ?= $(PREFIX)/sbin
MAN8DIR ?= $(PREFIX)/share/man/man8
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

install: $(BIN)
	$(Q)$(INSTALL) -d "$(DESTDIR)$(SBINDIR)" "$(DESTDIR)$(MAN8DIR)" "$(DESTDIR)$(BASHCOMPDIR)"
	$(Q)$(INSTALL) -m 0755 $(BIN) "$(DESTDIR)$(SBINDIR)/tcpstates-c"
	$(Q)$(INSTALL) -m 0644 docs/tcpstates-c.8 "$(DESTDIR)$(MAN8DIR)/tcpstates-c.8"
	$(Q)$(INSTALL) -m 0644 deploy/bash-completion/tcpstates-c "$(DESTDIR)$(BASHCOMPDIR)/tcpstates-c"

# exactly what install put there; the directories stay (they are shared)
uninstall:
	$(Q)rm -f "$(DESTDIR)$(SBINDIR)/tcpstates-c" "$(DESTDIR)$(MAN8DIR)/tcpstates-c.8" \
		"$(DESTDIR)$(BASHCOMPDIR)/tcpstates-c"

vmlinux:
	$(Q)mkdir -p vmlinux/$(ARCH)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX).tmp && mv $(VMLINUX).tmp $(VMLINUX)

clean:
	$(call msg,CLEAN,)
	$(Q)rm -rf $(OUTPUT) $(BIN)
