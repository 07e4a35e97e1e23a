# tests/lib-slurm.sh: a throwaway single-node Slurm cluster on localhost for tool tests (source it after
# tests/lib.sh). slurm_start writes a minimal slurm.conf in a temp dir (no cgroups: proctrack/linuxproc,
# task/none; select/cons_tres; one node "localhost" with 2 CPUs; state and spool dirs, logs and pid files
# in the temp dir; free TCP ports), a fresh munge key, and starts munged, slurmctld and slurmd as this
# script's own processes; it exports SLURM_CONF so that sbatch, squeue and scontrol talk to it. Everything
# is stopped and removed when the script ends. slurm_why_not prints why the cluster cannot run here
# (nothing when it can): Debian's slurm-wlm and munge missing, or not root (slurmd starts jobs as their
# user, which needs root).
# shellcheck shell=bash
SLURM_SBIN=${SLURM_SBIN:-/usr/sbin}

slurm_why_not() {
	local b
	for b in "$SLURM_SBIN/slurmctld" "$SLURM_SBIN/slurmd" "$SLURM_SBIN/munged"; do
		[ -x "$b" ] || { echo "$b not found (Debian packages slurm-wlm and munge)"; return; }
	done
	command -v sbatch >/dev/null || { echo "sbatch not found (Debian package slurm-client)"; return; }
	[ "$(id -u)" = 0 ] || echo "slurmd must run as root to start jobs as their user; this test runs as $(id -un)"
}

slurm_start() {
	local d i
	d=$(mktemp -d /tmp/sti-slurm.XXXXXX)
	export SLURM_DIR=$d
	mkdir -p "$d/state" "$d/spool" "$d/munge" "$d/logs"
	chmod 700 "$d/munge"
	head -c 1024 /dev/urandom >"$d/munge/munge.key"
	chmod 400 "$d/munge/munge.key"
	"$SLURM_SBIN/munged" --key-file="$d/munge/munge.key" --socket="$d/munge/socket" \
		--pid-file="$d/munge/munged.pid" --log-file="$d/munge/munged.log" --seed-file="$d/munge/seed" --force \
		|| fail "munged did not start"
	on_exit "kill \$(cat '$d/munge/munged.pid') 2>/dev/null; rm -rf '$d'"
	cat >"$d/slurm.conf" <<-CONF
		ClusterName=stitest
		SlurmctldHost=localhost
		SlurmUser=$(id -un)
		AuthType=auth/munge
		AuthInfo=socket=$d/munge/socket
		CredType=cred/munge
		ProctrackType=proctrack/linuxproc
		TaskPlugin=task/none
		SelectType=select/cons_tres
		SelectTypeParameters=CR_Core
		MpiDefault=none
		StateSaveLocation=$d/state
		SlurmdSpoolDir=$d/spool
		SlurmctldPidFile=$d/slurmctld.pid
		SlurmdPidFile=$d/slurmd.pid
		SlurmctldPort=$(free_port)
		SlurmdPort=$(free_port)
		SlurmctldLogFile=$d/slurmctld.log
		SlurmdLogFile=$d/slurmd.log
		JobAcctGatherType=jobacct_gather/none
		AccountingStorageType=accounting_storage/none
		JobCompType=jobcomp/none
		ReturnToService=2
		MinJobAge=600
		NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
		PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
	CONF
	export SLURM_CONF=$d/slurm.conf
	start_bg slurmctld "$SLURM_SBIN/slurmctld" -D -c -f "$d/slurm.conf"
	start_bg slurmd "$SLURM_SBIN/slurmd" -D -f "$d/slurm.conf" -N localhost
	for ((i = 0; i < 300; i++)); do
		sinfo -h -N -o '%T' 2>/dev/null | grep -qx idle && return 0
		sleep 0.1
	done
	tail -5 "$d/slurmctld.log" "$d/slurmd.log" >&2
	fail "the Slurm node did not come up idle in 30 s"
}

# slurm_wait JOBID [SECONDS]: wait until the job has left the queue; prints its final state.
slurm_wait() {
	local i
	for ((i = 0; i < ${2:-120} * 5; i++)); do
		squeue -h -j "$1" 2>/dev/null | grep -q . || break
		sleep 0.2
	done
	scontrol show job "$1" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'
}
