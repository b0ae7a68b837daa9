#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# stall_reader.py - a reader that stalls: opens FIFO, reads nothing until GOFILE exists, then reads
# to EOF into OUT. For tests/integration/t_stalled.sh (a log shipper that stops reading).
#
#   stall_reader.py FIFO OUT GOFILE
import os
import sys
import time

fifo, out, go = sys.argv[1:4]
fd = os.open(fifo, os.O_RDONLY)		# returns once the writer has opened it
end = time.monotonic() + 120
while not os.path.exists(go):
    if time.monotonic() > end:
        sys.exit(3)
    time.sleep(0.02)
with open(out, "wb") as f:
    while True:
        b = os.read(fd, 1 << 16)
        if not b:
            break
        f.write(b)
