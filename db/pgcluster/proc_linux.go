package pgcluster

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

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

// ProcessGone reports whether process pid no longer runs; a zombie waiting for a reaper
// that is not the caller counts as gone. Tests use it to prove no postgres is left.
func ProcessGone(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	_, afterComm, _ := strings.Cut(string(stat), ") ")
	return strings.HasPrefix(afterComm, "Z")
}
