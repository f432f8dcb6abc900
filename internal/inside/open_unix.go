//go:build unix

package inside

import (
	"os"
	"syscall"
)

// openNonBlocking opens a file that must not be a link (O_NOFOLLOW) without
// waiting for a writer, should it have become a FIFO since it was checked.
// For a regular file O_NONBLOCK changes nothing.
func openNonBlocking(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
}
