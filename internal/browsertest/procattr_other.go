//go:build !linux

package browsertest

import "syscall"

// procAttr puts a browser in a process group of its own, so Close ends its
// helpers with it.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
