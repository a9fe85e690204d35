#!/usr/bin/env bash
# start-slurm.sh - start a real single-node SLURM cluster on localhost, to run
# gdlab's cluster profile (profiles/slurm) for real.  Debian 12, root.
#
#   bash tests/slurm/start-slurm.sh      # then: export SLURM_CONF=$BASE/etc/slurm.conf
#   bash tests/slurm/stop-slurm.sh       # stops exactly what this started
#   bash tests/slurm/start-slurm.sh --install-only   # the packages only (.ci/run)
#
# What it does: apt-installs munge, slurmctld, slurmd and slurm-client if they
# are missing; writes every config, key, state, log and pid file under
# $GDLAB_SLURM_BASE; starts munged, slurmctld and slurmd (no slurmdbd, so no
# accounting: status queries must use squeue); waits until the node is idle
# and a test step (`srun true`) runs.  Daemons whose pid file names a live
# process are reused (idempotent); nothing here is found or killed by name.
#
# Settings (environment variables):
#   GDLAB_SLURM_BASE       configs, state, logs, pid files    [/tmp/gdlab-slurm]
#                          (keep it short: the munge socket path must stay < 100 chars)
#   GDLAB_SLURM_PARTITION  the only partition's name          [debug]
#                          (the value profiles/slurm/config.yaml ships with)
#   GDLAB_SLURM_CPUS       CPUs the node advertises            [8]
#                          (may exceed the real cores: a grouped job asks for
#                          the sum of its members' CPUs)
#   GDLAB_SLURM_MEM_MB     RealMemory of the node in MB        [MemTotal - 512]
#   GDLAB_SLURM_INSTALL    1 = apt-get install missing packages  [1]
#   GDLAB_SLURM_TIMEOUT    seconds to wait for each daemon     [60]
#
# Pitfalls this script works around (tests/slurm/README.md has the details):
# - The plugin's jobstep executor strips SLURM_CONF before the nested `srun`
#   inside each job, so srun only finds the default /etc/slurm/slurm.conf.
#   The script symlinks that path to its own config, which is why only one
#   such cluster can run per machine.  It refuses to touch an existing
#   /etc/slurm/slurm.conf that is not one of its symlinks.
# - Without slurmdbd `sacct` fails; `MinJobAge=600` keeps finished jobs visible
#   to squeue, which the plugin then uses for its status queries.
set -euo pipefail

BASE=${GDLAB_SLURM_BASE:-/tmp/gdlab-slurm}
PARTITION=${GDLAB_SLURM_PARTITION:-debug}
CPUS=${GDLAB_SLURM_CPUS:-8}
INSTALL=${GDLAB_SLURM_INSTALL:-1}
TIMEOUT=${GDLAB_SLURM_TIMEOUT:-60}
CTLD_PORT=6817
SLURMD_PORT=6818

log() { printf '[start-slurm %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root (it installs packages and starts daemons)"
case "$BASE" in /?*) ;; *) die "GDLAB_SLURM_BASE must be an absolute path" ;; esac
T0=$(date +%s.%N)
INSTALL_ONLY=0
[ "${1:-}" = --install-only ] && INSTALL_ONLY=1

# ---------------------------------------------------------------- packages
need=()
command -v munged >/dev/null 2>&1 || need+=(munge)
[ -x /usr/sbin/slurmctld ] || need+=(slurmctld)
[ -x /usr/sbin/slurmd ] || need+=(slurmd)
command -v sbatch >/dev/null 2>&1 || need+=(slurm-client)
if [ ${#need[@]} -gt 0 ]; then
    [ "$INSTALL" = 1 ] || die "missing packages: ${need[*]} (GDLAB_SLURM_INSTALL=0)"
    command -v apt-get >/dev/null 2>&1 || die "missing packages ${need[*]} and no apt-get"
    log "installing ${need[*]}"
    # Keep the packages from starting their own system daemons (which nobody
    # would stop): a policy-rc.d that says no, only for this install.
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    rc=0
    # (wait for another install, e.g. Chromium's, instead of failing on dpkg's lock)
    lock=(-o DPkg::Lock::Timeout=600)
    { apt-get "${lock[@]}" update -qq &&
        apt-get "${lock[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } || rc=$?
    [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
    [ $rc = 0 ] || die "apt-get failed ($rc)"
fi
[ $INSTALL_ONLY = 1 ] && exit 0

# ---------------------------------------------------------------- helpers
# alive PIDFILE NAME: the pid in PIDFILE is a live process called NAME*
alive() {
    local pid
    [ -s "$1" ] || return 1
    pid=$(tr -dc '0-9' <"$1")
    [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
    case "$(cat "/proc/$pid/comm")" in "$2"*) return 0 ;; *) return 1 ;; esac
}
wait_for() { # wait_for DESCRIPTION COMMAND...
    local what=$1 i
    shift
    for ((i = 0; i < TIMEOUT * 4; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.25
    done
    die "timed out after ${TIMEOUT}s waiting for $what (logs: $BASE/log)"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

HOST=$(hostname -s)
CONF=$BASE/etc/slurm.conf
MUNGE=$BASE/munge
SOCKET=$MUNGE/run/munge.socket
[ ${#SOCKET} -lt 100 ] || die "GDLAB_SLURM_BASE is too long for a unix socket path"

# Only one such cluster per machine: /etc/slurm/slurm.conf and the ports.
if [ -e /etc/slurm/slurm.conf ] || [ -L /etc/slurm/slurm.conf ]; then
    target=$(readlink /etc/slurm/slurm.conf || true)
    if [ "$target" = "$CONF" ]; then
        :
    elif [ -L /etc/slurm/slurm.conf ] && [ ! -e "$target" ]; then
        log "replacing the dangling symlink /etc/slurm/slurm.conf -> $target"
    else
        die "/etc/slurm/slurm.conf exists and is not this cluster's (${target:-a regular file}):" \
            "another SLURM runs or is configured here; stop it first"
    fi
fi
if ! alive "$BASE/run/slurmctld.pid" slurmctld && port_open $CTLD_PORT; then
    die "port $CTLD_PORT is in use: another slurmctld runs on this machine"
fi
if ! alive "$BASE/run/slurmd.pid" slurmd && port_open $SLURMD_PORT; then
    die "port $SLURMD_PORT is in use: another slurmd runs on this machine"
fi

mkdir -p "$BASE"/{etc,run,log,state/ctld,state/d} "$MUNGE"/{etc,run,log,lib}
chmod 755 "$BASE"

# ---------------------------------------------------------------- munge
[ -s "$MUNGE/etc/munge.key" ] ||
    dd if=/dev/urandom of="$MUNGE/etc/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$MUNGE"
chmod 700 "$MUNGE/etc" "$MUNGE/lib" "$MUNGE/log"
chmod 755 "$MUNGE" "$MUNGE/run"
chmod 400 "$MUNGE/etc/munge.key"
if alive "$MUNGE/run/munged.pid" munged; then
    log "munged already running"
else
    log "starting munged"
    rm -f "$SOCKET" "$SOCKET.lock"
    runuser -u munge -- munged --socket="$SOCKET" --key-file="$MUNGE/etc/munge.key" \
        --log-file="$MUNGE/log/munged.log" --pid-file="$MUNGE/run/munged.pid" \
        --seed-file="$MUNGE/lib/munged.seed" --num-threads=4
    wait_for munged bash -c "munge -S '$SOCKET' -n | unmunge -S '$SOCKET'"
fi

# ---------------------------------------------------------------- slurm.conf
MEM=${GDLAB_SLURM_MEM_MB:-$(($(awk '/^MemTotal:/ {print int($2/1024)}' /proc/meminfo) - 512))}
cat >"$CONF.new" <<EOF
# Written by gdlab's tests/slurm/start-slurm.sh: a single-node cluster on localhost.
ClusterName=gdlab
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$BASE/state/ctld
SlurmdSpoolDir=$BASE/state/d
SlurmctldPidFile=$BASE/run/slurmctld.pid
SlurmdPidFile=$BASE/run/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# no slurmdbd: no accounting, sacct fails, status queries use squeue
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# advertise more CPUs than the machine has (config_overrides)
SlurmdParameters=config_overrides
# finished jobs stay visible to squeue for 10 minutes; the plugin uses squeue
# only if MinJobAge >= 3 x slurm-init-seconds-before-status-checks
MinJobAge=600
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=$PARTITION Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
if [ -f "$CONF" ] && cmp -s "$CONF" "$CONF.new"; then
    rm -f "$CONF.new"
else
    if alive "$BASE/run/slurmctld.pid" slurmctld || alive "$BASE/run/slurmd.pid" slurmd; then
        rm -f "$CONF.new"
        die "the settings changed while the daemons run: run stop-slurm.sh first"
    fi
    mv "$CONF.new" "$CONF"
fi
export SLURM_CONF=$CONF
mkdir -p /etc/slurm
ln -sfn "$CONF" /etc/slurm/slurm.conf

# ---------------------------------------------------------------- slurmctld, slurmd
if alive "$BASE/run/slurmctld.pid" slurmctld; then
    log "slurmctld already running"
else
    log "starting slurmctld"
    /usr/sbin/slurmctld -f "$CONF"
fi
wait_for slurmctld bash -c "scontrol ping | grep -q UP"
if alive "$BASE/run/slurmd.pid" slurmd; then
    log "slurmd already running"
else
    log "starting slurmd"
    /usr/sbin/slurmd -f "$CONF" -N "$HOST"
fi
wait_for "node $HOST idle" bash -c "sinfo -h -n '$HOST' -o %t | grep -Eq '^(idle|mix|alloc)'"
wait_for "a test step (srun true)" timeout 20 srun -p "$PARTITION" -t 1 --quiet true

log "cluster up in $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b-a}')s:" \
    "partition $PARTITION, $CPUS CPUs, ${MEM} MB; pids:" \
    "munged $(cat "$MUNGE/run/munged.pid") slurmctld $(cat "$BASE/run/slurmctld.pid")" \
    "slurmd $(cat "$BASE/run/slurmd.pid")"
