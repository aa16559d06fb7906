package glacier

import (
	"math/bits"
	"sync"
)

// Inline bodies (up to InlineMax) are received into pooled buffers, one
// pool per power of two from 4 KiB: a 4 KiB upload otherwise allocated its
// body's size again on every call. A buffer goes back once the write that
// stored it has returned: every engine copies what Put is given (bbolt
// into its pages at commit, before Batch returns), so nothing refers to it
// then.
const (
	inlineMinShift = 12 // 4 KiB
	inlineClasses  = 5  // 4 KiB to 64 KiB (InlineMax); inlinebufs_test.go checks
)

var inlineBufs [inlineClasses]sync.Pool

// inlineClass is the pool of buffers that hold n bytes.
func inlineClass(n int64) int {
	if n <= 1<<inlineMinShift {
		return 0
	}
	return bits.Len64(uint64(n-1)) - inlineMinShift
}

func getInline(n int64) []byte {
	c := inlineClass(n)
	if b, ok := inlineBufs[c].Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, 1<<(c+inlineMinShift))
}

// release gives an inline body's buffer back; r must not be used for its
// bytes afterwards.
func (r *received) release() {
	b := r.inline
	r.inline = nil
	if b == nil || int64(cap(b)) > InlineMax {
		return
	}
	c := inlineClass(int64(cap(b)))
	if cap(b) != 1<<(c+inlineMinShift) {
		return // not one of ours (grown, or of another size)
	}
	inlineBufs[c].Put(&b)
}
