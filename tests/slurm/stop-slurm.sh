#!/usr/bin/env bash
# stop-slurm.sh - stop the cluster that start-slurm.sh started under
# $GDLAB_SLURM_BASE (default /tmp/gdlab-slurm): cancel its remaining jobs, then
# SIGTERM slurmd, slurmctld and munged, each found ONLY by the pid in its pid
# file under the base dir and only if /proc/PID/comm names that daemon
# (SIGKILL after 15 s).  Removes /etc/slurm/slurm.conf if it is this cluster's
# symlink.  Safe to run twice, or when nothing runs.
#   GDLAB_SLURM_PURGE=1  also delete the base dir (configs, state, logs)
set -uo pipefail

BASE=${GDLAB_SLURM_BASE:-/tmp/gdlab-slurm}
CONF=$BASE/etc/slurm.conf
log() { printf '[stop-slurm %s] %s\n' "$(date +%T)" "$*" >&2; }

# pid_of PIDFILE NAME: print the pid if it is a live process called NAME*
pid_of() {
    local pid
    [ -s "$1" ] || return 1
    pid=$(tr -dc '0-9' <"$1")
    [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
    case "$(cat "/proc/$pid/comm")" in "$2"*) echo "$pid" ;; *) return 1 ;; esac
}

# Cancel what is left in the queue (the cluster is private to this base dir),
# so that no job step outlives slurmd.
if [ -f "$CONF" ] && pid_of "$BASE/run/slurmctld.pid" slurmctld >/dev/null; then
    export SLURM_CONF=$CONF
    ids=$(timeout 10 squeue -h -o %i 2>/dev/null || true)
    if [ -n "$ids" ]; then
        log "cancelling jobs: $(echo $ids)"
        # shellcheck disable=SC2086
        timeout 10 scancel $ids 2>/dev/null || true
        for _ in $(seq 40); do
            [ -z "$(timeout 5 squeue -h -t R,CG,PD -o %i 2>/dev/null)" ] && break
            sleep 0.25
        done
    fi
fi

# gone PID: the process has exited (a zombie waiting for init to reap it counts)
gone() {
    [ ! -r "/proc/$1/stat" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# stop PIDFILE NAME
stop() {
    local f=$1 name=$2 pid i
    [ -e "$f" ] || return 0
    if ! pid=$(pid_of "$f" "$name"); then
        log "$name: not running (removing stale $f)"
        rm -f "$f"
        return 0
    fi
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 60; i++)); do
        gone "$pid" && break
        sleep 0.25
    done
    if ! gone "$pid"; then
        log "$name (pid $pid) still alive after 15 s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null
        sleep 0.5
    fi
    rm -f "$f"
}

stop "$BASE/run/slurmd.pid" slurmd
stop "$BASE/run/slurmctld.pid" slurmctld
stop "$BASE/munge/run/munged.pid" munged

if [ -L /etc/slurm/slurm.conf ] && [ "$(readlink /etc/slurm/slurm.conf)" = "$CONF" ]; then
    rm -f /etc/slurm/slurm.conf
fi
if [ "${GDLAB_SLURM_PURGE:-0}" = 1 ] && [ -f "$CONF" ]; then
    rm -rf "$BASE"
    log "removed $BASE"
fi
log "done"
