package browsertest

import "syscall"

// procAttr puts a browser (or its driver, or Xvfb) in a process group of its
// own, so Close ends its helpers with it, and has the kernel kill it if
// the test binary dies first (a test timeout, ^C): no browser outlives go
// test.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
