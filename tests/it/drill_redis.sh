#!/bin/sh
# drill_redis.sh - the redis drill's short form: Redis (appendonly yes,
# appendfsync always) stopped and started again while two closeloopd
# handle events and send their notices; nothing lost, nothing sent twice
# (tests/it/drill.sh)
exec sh "$(dirname "$0")/drill.sh" redis
