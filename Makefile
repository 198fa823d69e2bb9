# SPDX-License-Identifier: GPL-2.0
#
# layerfs - developer entry points.  The work is done by scripts/*.sh; kbuild
# itself reads ./Kbuild, so "make -C <kdir> M=$PWD modules" works as usual.
#
#   make                   build fs/layerfs/layerfs.ko for Debian's 6.12 kernel
#   make KERNEL=6.1        ... for Debian's 6.1 kernel
#   make KDIR=<build dir>  ... for any configured kernel build directory
#                          (each build is copied to build/<kver>/layerfs.ko)
#   make check             selftests in a VM on 6.12, then on 6.1
#   make check KERNEL=6.1  ... on one kernel only
#   make check KERNEL=debug  ... on the 6.12 debug kernel (KASAN, lockdep,
#                          kmemleak, fault injection), built once into the
#                          cache by scripts/debug-kernel.sh (25 minutes on
#                          2 shared cores), then reused; the run itself
#                          takes 13 to 20 minutes under TCG
#   make check T=readdir   ... only the selftests whose name matches T (grep -E);
#                          TARGS="-t case" passes arguments to each selftest
#   make fuzz              long differential run of layerfs vs overlayfs
#                          (selftests/layerfs/difftest), both kernels:
#                          SEEDS=200 OPS=300 SEED0=1 by default; CLASSES=
#                          picks difftest's extra classes (default all;
#                          e.g. "none" or "user,links;fattr", see
#                          difftest.c's header)
#   make shell             VM console with overlay.ko and layerfs.ko loaded
#   make demo              narrated walk through a layer stack (scripts/demo.sh)
#   make walkthrough       function_graph trace of "echo x >> /merged/etc/motd"
#                          in a VM (scripts/walkthrough.sh; KERNEL=6.1 for the
#                          other), for Documentation/filesystems/layerfs-walkthrough.rst
#   make bench             layerfs vs overlayfs vs tmpfs timings, one VM per
#                          kernel (scripts/bench.sh); BENCH_ARGS="-r 3 -c stat"
#                          passes arguments to bench/layerfs-bench
#   make crash             crash safety: kill the VM KILLS=12 times during
#                          copy-ups on an ext4 disk, fsck, verify
#                          (scripts/crash.sh; KERNEL=6.1 for the other;
#                          FSTYPE=overlay crashes the kernel's overlayfs
#                          instead, METACOPY=1 mounts with metacopy=on,
#                          INDEX=1 with index=on and hard-linked lowers)
#   make lab LAB=copy-up   the student tree of a lab (a name or a number, see
#                          labs/*.lab) in ./lab-NAME (DIR= elsewhere; FORCE=1
#                          replaces an existing one): scripts/lab.sh
#   make grade             in a student tree: build its module, run the lab's
#                          tests in a VM, print each case's points and
#                          "score: N/M" (KERNEL= picks the kernel, default
#                          6.12); from the reference tree: LAB=... STUDENT=DIR
#                          grades DIR's fs/layerfs, hidden tests included
#                          (scripts/grade.sh)
#   make labcheck          every lab: the skeleton builds on both kernels and
#                          fails each graded case, the reference scores full
#                          marks (scripts/labcheck.sh; LAB= for one lab)
#   make lint              checkpatch --strict, W=1 and sparse builds, both kernels
#   make setup             install what is missing (scripts/setup.sh, as root)
#   make deb               build/layerfs-dkms_<version>_all.deb (debhelper +
#                          dh-dkms; scripts/package.sh); install it with
#                          "apt install ./build/layerfs-dkms_*.deb"
#   make dkms              dkms add + build + install for both Debian kernels
#                          (DKMS_KERNEL=6.1 for one); make dkms-remove undoes
#   make dkms-test         dkms build for both kernels, then the DKMS-built
#                          modules in the VM (T=, default ^lookup$); removes
#                          them from dkms afterwards
#   make check LAYERFS_KO=<file>  ... boot that module instead of building
#                          one (with KERNEL= naming its kernel)
#   make check FSTYPE=overlay  the union-semantics selftests against the
#                          kernel's overlayfs, the layerfs-only ones skipped
#   make check KIMAGE=<bzImage> [KMODULES=<dir>] [KDIR=<build dir>]
#                          ... on a kernel you built (x86-64; its config
#                          checked against selftests/layerfs/config)
#   make clean             remove build products
#
# Kernels, headers and tools come from Debian packages, cached in
# $(LAYERFS_CACHE) (default /var/cache/layerfs); check, shell, demo and lint
# run scripts/setup.sh first, which returns at once when nothing is missing.

KERNEL ?= 6.12
KDIR ?=
T ?=
TARGS ?=
BENCH_ARGS ?=
SEEDS ?= 200
OPS ?= 300
SEED0 ?= 1
CLASSES ?=
LAB ?=
STUDENT ?=
DIR ?=
FORCE ?=

# A kernel chosen on the command line (or in the environment) narrows check
# and lint to that kernel; by default they cover both.
ifeq ($(origin KERNEL),file)
ALL_KERNELS := --kernel 6.12 --kernel 6.1
else
ALL_KERNELS := --kernel $(KERNEL)
endif

ifneq ($(KDIR),)
ONE_KERNEL := --kdir $(KDIR)
ALL_KERNELS := --kdir $(KDIR)
else
ONE_KERNEL := --kernel $(KERNEL)
endif

TEST_ARGS := $(if $(T),--tests '$(T)') $(if $(TARGS),--targs '$(TARGS)')

all: modules

modules:
	@scripts/build.sh $(ONE_KERNEL) >/dev/null

setup:
	@scripts/setup.sh

check:
	@scripts/check.sh $(ALL_KERNELS) $(TEST_ARGS) $(CHECK_ARGS)

# difftest compares after every operation: with all its classes (its
# default) about 16 operations a second under TCG on the shared machine, so
# allow 8 a second plus the boot.
FUZZ_SECS = $(shell echo $$(( $(SEEDS) * $(OPS) / 8 + 600 )))
fuzz:
	@LAYERFS_TEST_TIMEOUT=$(FUZZ_SECS) LAYERFS_VM_TIMEOUT=$(FUZZ_SECS) \
		scripts/check.sh $(ALL_KERNELS) --tests '^difftest$$' \
		--env 'LAYERFS_DIFF_SEEDS=$(SEEDS) LAYERFS_DIFF_OPS=$(OPS) LAYERFS_DIFF_SEED0=$(SEED0)$(if $(CLASSES), LAYERFS_DIFF_CLASSES=$(CLASSES))'

shell demo: setup
	@scripts/build.sh $(ONE_KERNEL) >/dev/null
	@scripts/vm.sh --mode $@ $(ONE_KERNEL) $(TEST_ARGS)

lab:
	@scripts/lab.sh $(if $(FORCE),--force) $(or $(LAB),$(error LAB= names the lab)) $(DIR)

grade: setup
	@scripts/grade.sh --kernel $(KERNEL) $(if $(STUDENT),--student $(STUDENT)) $(LAB)

labcheck: setup
	@scripts/labcheck.sh $(if $(filter command line environment,$(origin KERNEL)),--kernel $(KERNEL)) $(LAB)

lint: setup
	@scripts/lint.sh $(ALL_KERNELS)

bench:
	@scripts/bench.sh $(ALL_KERNELS) $(if $(BENCH_ARGS),--args '$(BENCH_ARGS)')

walkthrough: setup
	@scripts/walkthrough.sh --kernel $(KERNEL)

crash:
	@scripts/crash.sh --kernel $(KERNEL) --kills $(or $(KILLS),12) \
		$(if $(FSTYPE),--fstype $(FSTYPE)) $(if $(METACOPY),--metacopy) \
		$(if $(INDEX),--index)

# ---- packaging and regression testing of other kernels (issue 13) ------
LAYERFS_KO ?=
DKMS_KERNEL ?=
FSTYPE ?=
KIMAGE ?=
KMODULES ?=
CHECK_ARGS = $(if $(LAYERFS_KO),--ko '$(LAYERFS_KO)') $(if $(FSTYPE),--fstype $(FSTYPE)) \
	$(if $(KIMAGE),--kimage '$(KIMAGE)') $(if $(KMODULES),--kmodules '$(KMODULES)')
# KIMAGE= is the one kernel to run on (KDIR= only says where its tree is)
ifneq ($(KIMAGE),)
ALL_KERNELS := $(if $(KDIR),--kdir $(KDIR))
endif

deb:
	@scripts/package.sh deb

dkms:
	@scripts/package.sh dkms $(if $(DKMS_KERNEL),--kernel $(DKMS_KERNEL))

dkms-remove:
	@scripts/package.sh dkms-remove

dkms-test:
	@scripts/package.sh dkms-test $(if $(DKMS_KERNEL),--kernel $(DKMS_KERNEL)) \
		$(if $(T),--tests '$(T)')

.PHONY: deb dkms dkms-remove dkms-test
# ---- end of issue 13's block ---------------------------------------------

clean:
	@bash -c '. scripts/lib.sh && clean_kbuild_outputs'
	rm -rf build
	rm -f $(patsubst %.c,%,$(wildcard selftests/layerfs/*.c))

.PHONY: all modules setup check fuzz shell demo lab grade labcheck lint bench crash walkthrough clean
