/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* digits.h - the two-digit table that numbers and times are written with. */
#ifndef DIGITS_H
#define DIGITS_H

/* "00" "01" ... "99": two digits a division, half the divisions of one digit at a time */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
				     "25262728293031323334353637383940414243444546474849"
				     "50515253545556575859606162636465666768697071727374"
				     "75767778798081828384858687888990919293949596979899";

#endif
