//go:build !linux

package pgcluster

import (
	"errors"
	"syscall"
)

// sysProcAttr runs the command as the given user, in a process group of its own
// (see proc_linux.go). Outside Linux there is no parent-death signal: a killed Go
// process leaves postgres running.
func sysProcAttr(as runAs) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if as.switched {
		attr.Credential = &syscall.Credential{Uid: uint32(as.uid), Gid: uint32(as.gid), Groups: []uint32{}}
	}
	return attr
}

// ProcessGone reports whether process pid no longer runs (see proc_linux.go; without
// /proc a zombie counts as running).
func ProcessGone(pid int) bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }
