#!/usr/bin/env bash
# Runs a command with its output (`go: downloading ...`, compiler chatter) going to a log file,
# shown only when the command fails: its last lines, and the log's name.
#   hack/quietly.sh LOG COMMAND [ARG...]
set -uo pipefail
log=$1
shift
mkdir -p "$(dirname "$log")"
"$@" >"$log" 2>&1 && exit 0
status=$?
{
  echo "FAILED (exit status $status): $*"
  echo "Its last lines follow; all of its output is in $log"
  tail -n 40 "$log" | sed 's/^/  | /'
} >&2
exit "$status"
