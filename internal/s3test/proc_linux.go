package s3test

import "syscall"

// dieWithParent makes the gateway die with the test process, even one
// killed by a test timeout before its cleanups ran.
func dieWithParent() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
