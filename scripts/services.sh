#!/usr/bin/env bash
# Starts the local services the integration tests talk to, where one is down: PostgreSQL
# (127.0.0.1:5432), Redis (127.0.0.1:6379) and RabbitMQ (127.0.0.1:5672) — the distributed-mode
# tests run Celery on both brokers. A service that is up is left alone; one that cannot be
# started is reported, and the tests that need it then fail saying so.
set -uo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_up() {  # port, name
  for _ in $(seq 1 120); do up "$1" && return 0; sleep 0.5; done
  echo "services.sh: $2 did not come up on 127.0.0.1:$1" >&2
  return 1
}

if ! up 5432 && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  wait_up 5432 PostgreSQL
fi
if ! up 6379 && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_up 6379 Redis
fi
if ! up 5672 && command -v rabbitmq-server >/dev/null; then
  rabbitmq-server -detached
  wait_up 5672 RabbitMQ
fi
exit 0
