package sigv4

import "crypto/sha256"

// hmacSHA256 computes HMAC-SHA256(key, msg) (RFC 2104) without heap
// allocation for short messages, which is all SigV4 ever signs: crypto/hmac
// allocates two hash states per call, and a verification needs up to five.
// Equivalence with crypto/hmac is checked by the tests.
func hmacSHA256(key, msg []byte) [32]byte {
	const blockSize = 64
	var k [blockSize]byte
	if len(key) > blockSize {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}

	var stack [blockSize + 256]byte
	inner := stack[:blockSize]
	for i := range k {
		inner[i] = k[i] ^ 0x36
	}
	inner = append(inner, msg...)
	innerSum := sha256.Sum256(inner)

	var outer [blockSize + sha256.Size]byte
	for i := range k {
		outer[i] = k[i] ^ 0x5c
	}
	copy(outer[blockSize:], innerSum[:])
	return sha256.Sum256(outer[:])
}

// deriveKey computes the SigV4 signing key:
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveKey(secret, date, region, service string) [32]byte {
	var stack [4 + 64]byte
	seed := append(append(stack[:0], "AWS4"...), secret...)
	k := hmacSHA256(seed, []byte(date))
	k = hmacSHA256(k[:], []byte(region))
	k = hmacSHA256(k[:], []byte(service))
	return hmacSHA256(k[:], []byte(terminator))
}
