#!/bin/sh
# drill_smtp.sh - the smtp drill's short form: the SMTP server gone for
# 8 seconds; every email delivered once it is back, and the audit shows
# each retry, its attempt and the growing delay before the next
# (tests/it/drill.sh)
exec sh "$(dirname "$0")/drill.sh" smtp
