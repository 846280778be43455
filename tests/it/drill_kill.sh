#!/bin/sh
# drill_kill.sh - the kill drill's short form: 1,000 events through two
# closeloopd, one of them SIGKILLed and restarted five times at random
# moments; every notification arrives, every suppression holds, a second
# copy comes only of an attempt cut short, with the same Message-ID or
# idempotency token (tests/it/drill.sh)
exec sh "$(dirname "$0")/drill.sh" kill
