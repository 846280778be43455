#!/bin/sh
# drill_gateway.sh - the gateway drill's short form: the SMS gateway
# answering 500 for 8 seconds; every text delivered once after, with the
# retries' growing delays in the audit (tests/it/drill.sh)
exec sh "$(dirname "$0")/drill.sh" gateway
