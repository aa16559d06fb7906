package glacier

import "testing"

// TestInlineBuffers: every inline size gets a buffer that holds it from
// a pool that exists, and a released buffer comes back only to its class.
func TestInlineBuffers(t *testing.T) {
	if got := 1 << (inlineMinShift + inlineClasses - 1); got != InlineMax {
		t.Fatalf("the largest inline class holds %d bytes, InlineMax is %d", got, InlineMax)
	}
	for _, n := range []int64{1, 4095, 4096, 4097, 8192, 40000, InlineMax - 1, InlineMax} {
		b := getInline(n)
		if len(b) != 0 || int64(cap(b)) < n || cap(b) > 2*int(max(n, 4096)) {
			t.Fatalf("getInline(%d): len %d cap %d", n, len(b), cap(b))
		}
		r := received{inline: append(b, 1)}
		r.release()
		if r.inline != nil {
			t.Fatal("release kept the buffer")
		}
	}
	// A grown or foreign buffer is not pooled (and does not panic).
	r := received{inline: make([]byte, 0, 5000)}
	r.release()
	r = received{inline: make([]byte, 0, 2*InlineMax)}
	r.release()
}
