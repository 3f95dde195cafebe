package pgcluster

import "syscall"

// sysProcAttr runs the command as the given user and, for the postmaster, makes
// the kernel send it SIGINT (fast shutdown) if the Go process dies. Go sets the
// parent-death signal after changing credentials, so the switch does not clear it.
// The command gets a process group of its own: Ctrl-C in a terminal signals the
// whole foreground group, and the cluster must outlive the requests the server
// drains then; the server stops it afterwards.
func sysProcAttr(as runAs) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGINT, Setpgid: true}
	if as.switched {
		attr.Credential = &syscall.Credential{Uid: uint32(as.uid), Gid: uint32(as.gid), Groups: []uint32{}}
	}
	return attr
}
