// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * test_marks.c - the state hook's mark stack (include/marks.h, the code the BPF programs run)
 * through the orders in which the kernel runs the two programs of one CPU's events: each event
 * must be written exactly once, by the main program or else by the backup.
 */
#include <string.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "marks.h"
#include "unit.h"

#define T1 0x1000	/* two tasks sharing the CPU */
#define T2 0x2000

static struct tcpstates_mark_stack ms;
static int written[8];	/* per event: records written (main or backup) */

/* the main program of event ev, run by task (current) */
static void main_prog(int ev, __u64 task)
{
	marks_push(&ms, 0xffff0000 + ev, 1, 2, task);
	written[ev]++;
}

/* the main program skipped by the kernel (nested: it is running on this CPU already) */
static void main_skipped(int ev, __u64 task)
{
	(void)ev;
	(void)task;
}

static void backup_prog(int ev, __u64 task)
{
	if (!marks_pop(&ms, 0xffff0000 + ev, 1, 2, task))
		written[ev]++;
}

static void reset(void)
{
	memset(&ms, 0, sizeof(ms));
	memset(written, 0, sizeof(written));
}

static void expect_once(const char *what, int n)
{
	for (int ev = 0; ev < n; ev++)
		CHECK(written[ev] == 1, "%s: event %d written %d times", what, ev, written[ev]);
	CHECK(ms.depth == 0, "%s: stack empty at the end (depth %u)", what, ms.depth);
}

int main(void)
{
	/* one event, nothing in between */
	reset();
	main_prog(0, T1);
	backup_prog(0, T1);
	expect_once("plain", 1);

	/* a softirq between the two programs: both of its own run */
	reset();
	main_prog(0, T1);
	main_prog(1, T1);
	backup_prog(1, T1);
	backup_prog(0, T1);
	expect_once("softirq between", 2);

	/* a softirq while the main program runs: its main program is skipped, the backup writes */
	reset();
	main_prog(0, T1);
	main_skipped(1, T1);
	backup_prog(1, T1);
	backup_prog(0, T1);
	expect_once("softirq in main", 2);

	/*
	 * a softirq while the backup runs: its main program marks, its backup is skipped; the
	 * interrupted backup drops that mark (same task) as it pops its own
	 */
	reset();
	main_prog(0, T1);
	main_prog(1, T1);	/* inside backup_prog(0): its own backup skipped */
	backup_prog(0, T1);
	expect_once("softirq in backup", 2);

	/*
	 * preemption: T1 between its two programs, T2 runs its main program, is preempted in turn;
	 * T1's backup, then T2's. Truncating at T1's mark dropped T2's: T2's backup wrote it again.
	 */
	reset();
	main_prog(0, T1);
	main_prog(1, T2);
	backup_prog(0, T1);
	backup_prog(1, T2);
	expect_once("preempted tasks", 2);

	/* the same, three tasks deep, the backups in another order; with a softirq on T2 too */
	reset();
	main_prog(0, T1);
	main_prog(1, T2);
	main_prog(2, T1 + T2);
	main_skipped(3, T1 + T2);
	backup_prog(3, T1 + T2);
	backup_prog(1, T2);
	backup_prog(0, T1);
	backup_prog(2, T1 + T2);
	expect_once("three tasks", 4);

	/* more events than marks, one after another: never a lost or doubled write */
	reset();
	for (int round = 0; round < 3; round++)
		for (int ev = 0; ev < 8; ev++) {
			main_prog(ev, T1);
			backup_prog(ev, T1);
		}
	for (int ev = 0; ev < 8; ev++)
		CHECK(written[ev] == 3, "sequential: event %d written %d times, want 3", ev,
		      written[ev]);
	return UNIT_DONE();
}
