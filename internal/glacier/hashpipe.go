package glacier

import "permafrost/internal/treehash"

// hashPipe runs a body's two hashes on goroutines of their own, the tree
// hash on one and the linear hash on another, so that they overlap with
// each other and with the socket reads and file writes of the goroutine
// receiving the body. On two cores the hashes, SHA-256 twice over every
// byte, are most of an upload's work: on one goroutine they alone took
// longer (770 ms for 512 MiB) than everything else the upload does. The
// receiver hands over chunks, up to pipeSlots of them in flight, and must
// not touch a chunk until free (or wait) says its slot is free again; the
// workers take the chunks in order, so the oldest frees first. Both read
// each chunk soon after the socket read wrote it, while it is in cache.
type hashPipe struct {
	tw, lin       chan []byte   // lin is nil when no linear hash is wanted
	twDone, lDone chan struct{} // a token for each chunk hashed
	inFlight      int
}

// pipeSlots is how many chunks may be in flight: the big buffer is cut
// into as many slots. With two (one hashed while the next is read) every
// read waited for the hashes of the chunk before it.
const pipeSlots = 16

func startHashPipe(tw *treehash.Writer, lin *linearHash) *hashPipe {
	p := &hashPipe{}
	p.tw, p.twDone = hashWorker(func(c []byte) { tw.Write(c) })
	if lin != nil {
		p.lin, p.lDone = hashWorker(lin.write)
	}
	return p
}

// hashWorker starts a goroutine that hashes, with write, each chunk sent
// to in, in order, and sends a token to done for each; it ends when in is
// closed.
func hashWorker(write func([]byte)) (in chan []byte, done chan struct{}) {
	in, done = make(chan []byte, pipeSlots), make(chan struct{}, pipeSlots)
	go func() {
		for c := range in {
			write(c)
			done <- struct{}{}
		}
	}()
	return in, done
}

// hash hands over c, which fills the next slot; the slot must be free.
func (p *hashPipe) hash(c []byte) {
	p.tw <- c
	if p.lin != nil {
		p.lin <- c
	}
	p.inFlight++
}

// free returns once the next slot is free: fewer than pipeSlots chunks
// are in flight.
func (p *hashPipe) free() {
	if p != nil && p.inFlight == pipeSlots {
		p.retire()
	}
}

// retire waits until the oldest chunk in flight is hashed.
func (p *hashPipe) retire() {
	<-p.twDone
	if p.lin != nil {
		<-p.lDone
	}
	p.inFlight--
}

// wait returns once no chunk is in flight. A nil pipe has none.
func (p *hashPipe) wait() {
	for p != nil && p.inFlight > 0 {
		p.retire()
	}
}

// stop waits for the chunks in flight and ends the goroutines.
func (p *hashPipe) stop() {
	if p != nil {
		p.wait()
		close(p.tw)
		if p.lin != nil {
			close(p.lin)
		}
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
