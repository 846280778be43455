#!/bin/sh
# drill_disk.sh - the disk drill's short form: the audit files' file
# system full for 8 seconds; closeloopd keeps delivering, logs the full
# disk, and once there is room writes every entry it could not (a tmpfs in
# a mount namespace: needs root or unshare -rm) (tests/it/drill.sh)
exec sh "$(dirname "$0")/drill.sh" disk
