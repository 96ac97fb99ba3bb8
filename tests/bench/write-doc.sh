#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# write-doc.sh - put the text `make bench` printed (its table, its notes and
# the POSIX and namespace lines) into a document, between the document's
# two marker lines, leaving every other line of it as it was.  `make bench`
# runs it on doc/performance.md, so that the figures there are the last
# run's, written by the benchmark and never pasted by hand.
#
#   tests/bench/write-doc.sh RESULTS DOC
#
# DOC must hold the line <!-- bench:begin --> once and, after it, the line
# <!-- bench:end --> once; otherwise nothing is written and the exit status
# is 1.  The text between them becomes a blank line, RESULTS without its
# leading and trailing blank lines, and a blank line.  DOC is replaced in
# one rename, so an interrupted run leaves it whole.
set -eu
BEGIN='<!-- bench:begin -->'
END='<!-- bench:end -->'
[ $# -eq 2 ] || { echo "usage: $0 RESULTS DOC" >&2; exit 2; }
results=$1 doc=$2
[ -s "$results" ] || { echo "$0: $results is empty or missing" >&2; exit 1; }
b=$(grep -nxF -- "$BEGIN" "$doc" | cut -d: -f1 | tr '\n' ' ')
e=$(grep -nxF -- "$END" "$doc" | cut -d: -f1 | tr '\n' ' ')
if [ "$(wc -w <<<"$b")" -ne 1 ] || [ "$(wc -w <<<"$e")" -ne 1 ] || [ "$b" -ge "$e" ]; then
	echo "$0: $doc needs one line '$BEGIN' and, after it, one line '$END'" >&2
	exit 1
fi
tmp=$(mktemp "$doc.XXXXXX")
trap 'rm -f "$tmp"' EXIT
awk -v b="$BEGIN" -v e="$END" -v r="$results" '
	$0 == b {
		print; print ""
		# The results, without blank lines at either end.
		n = 0
		while ((getline l < r) > 0) line[++n] = l
		first = 1; while (first <= n && line[first] ~ /^[ \t]*$/) first++
		last = n; while (last >= first && line[last] ~ /^[ \t]*$/) last--
		for (i = first; i <= last; i++) print line[i]
		print ""
		inside = 1
		next
	}
	$0 == e { inside = 0 }
	!inside' "$doc" >"$tmp"
chmod --reference="$doc" "$tmp"
mv "$tmp" "$doc"
trap - EXIT
echo "make bench: the table is in $doc"
