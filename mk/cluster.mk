# cluster.mk - included by the Makefile: make check-cluster runs
# docs/clusters.md's Slurm and GNU parallel recipes on a one-node Slurm
# cluster started on this machine (scripts/check_cluster.sh, a few minutes
# at most).  Installs Debian's slurm-wlm, munge and parallel when missing.
CLUSTER_PACKAGES = slurm-wlm munge parallel python3

.PHONY: check-cluster
check-cluster: $(BUILD)/imgrad
	@scripts/deps.sh $(CLUSTER_PACKAGES)
	timeout 300 bash scripts/check_cluster.sh $(BUILD)/imgrad
