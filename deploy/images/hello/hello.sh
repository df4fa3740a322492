#!/bin/sh
# The hello demo server: answers every request on $PORT (8080) with one line naming the pod
# (its hostname) and the pod IP, so load balancing across replicas is visible from curl.
# busybox httpd: listening within milliseconds of the container's start, ≈ 1 MiB of memory.
port=${PORT:-8080}
name=${POD_NAME:-$(hostname)}
ip=${POD_IP:-$(ip -o -4 addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }')}
mkdir -p /tmp/hello
echo "hello from $name (${ip:-127.0.0.1})" >/tmp/hello/index.html
# Every path answers the same line, as text.
printf '.html:text/plain; charset=utf-8\nE404:/tmp/hello/index.html\n' >/tmp/hello.conf
# PID 1 ignores signals it has no handler for: exit on TERM/INT at once (httpd dies with us).
trap 'exit 0' TERM INT
httpd -f -p "$port" -h /tmp/hello -c /tmp/hello.conf &
echo "hello listening on :$port as $name (${ip:-127.0.0.1})"
wait
