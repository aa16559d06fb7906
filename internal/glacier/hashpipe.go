package glacier

import "permafrost/internal/treehash"

// hashPipe runs a body's two hashes on a goroutine of their own, one
// chunk at a time, so that they overlap with the socket reads and file
// writes of the goroutine receiving the body: on a multi-core machine the
// receiver then never waits for SHA-256. The receiver hands over a chunk
// and must not touch it (nor the hashes) until the next hash or wait
// returns; with the two halves of a buffer it reads into one half while
// the other is hashed.
type hashPipe struct {
	tw   *treehash.Writer
	lin  *linearHash
	in   chan []byte
	done chan struct{}
	busy bool
}

func startHashPipe(tw *treehash.Writer, lin *linearHash) *hashPipe {
	p := &hashPipe{tw: tw, lin: lin, in: make(chan []byte), done: make(chan struct{}, 1)}
	go func() {
		for c := range p.in {
			hashBoth(tw, lin, c)
			p.done <- struct{}{}
		}
	}()
	return p
}

// hash waits for the chunk in flight and hands over c.
func (p *hashPipe) hash(c []byte) {
	p.wait()
	p.in <- c
	p.busy = true
}

// wait returns once no chunk is in flight. A nil pipe has none.
func (p *hashPipe) wait() {
	if p != nil && p.busy {
		<-p.done
		p.busy = false
	}
}

// stop waits for the chunk in flight and ends the goroutine.
func (p *hashPipe) stop() {
	if p != nil {
		p.wait()
		close(p.in)
	}
}

// hashStep is how much of a chunk is given to one hash before the other:
// small enough to be read from the first level cache the second time.
const hashStep = 32 << 10

// hashBoth adds c to the tree hash and the linear one in a single pass:
// each piece is hashed twice while it is in cache.
func hashBoth(tw *treehash.Writer, lin *linearHash, c []byte) {
	for len(c) > 0 {
		k := min(len(c), hashStep)
		tw.Write(c[:k])
		lin.write(c[:k])
		c = c[k:]
	}
}
