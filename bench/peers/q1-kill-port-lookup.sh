#!/bin/sh
# Q1: the exact lookup commands kill-port 2.0.1 runs on Linux (index.js), minus `| xargs kill -9`.
# (kill-port runs each through `sh -c`; here one sh runs both.)
# (Copied from the team's reference harness, ../shared/bench/peers/q1-kill-port-lookup.sh.)
lsof -i -P > /dev/null
lsof -i tcp:"$1" | grep LISTEN | awk '{print $2}'
