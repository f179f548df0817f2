package orqmem

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

// crockford is the Crockford base32 alphabet used by ULIDs.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ulidLen is the length of a textual ULID.
const ulidLen = 26

// ulidGen generates monotonic ULIDs: a 48-bit millisecond timestamp followed
// by 80 bits of entropy. Within one millisecond (or when the clock goes
// backwards) the previous entropy is incremented, so IDs sort in generation
// order. It is not safe for concurrent use; Server guards it with its mutex.
type ulidGen struct {
	lastMS  uint64
	entropy [10]byte
}

// next returns a new ULID for time t.
func (g *ulidGen) next(t time.Time) string {
	ms := uint64(t.UnixMilli())
	if ms <= g.lastMS && g.lastMS != 0 {
		ms = g.lastMS
		g.increment()
	} else {
		g.lastMS = ms
		if _, err := rand.Read(g.entropy[:]); err != nil {
			panic("orqmem: crypto/rand failed: " + err.Error())
		}
		// Leave headroom so that increments within a millisecond never
		// overflow the 80-bit entropy.
		g.entropy[0] &= 0x7f
	}
	return encodeULID(ms, g.entropy)
}

// increment adds one to the 80-bit big-endian entropy.
func (g *ulidGen) increment() {
	for i := len(g.entropy) - 1; i >= 0; i-- {
		g.entropy[i]++
		if g.entropy[i] != 0 {
			return
		}
	}
}

// encodeULID renders the 128-bit value (ms << 80 | entropy) in base32.
func encodeULID(ms uint64, entropy [10]byte) string {
	var raw [16]byte
	binary.BigEndian.PutUint16(raw[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(raw[2:6], uint32(ms))
	copy(raw[6:], entropy[:])

	// 128 bits are encoded as 26 characters of 5 bits (130 bits, the top
	// two bits being zero), most significant first.
	var out [ulidLen]byte
	hi := binary.BigEndian.Uint64(raw[0:8])
	lo := binary.BigEndian.Uint64(raw[8:16])
	for i := ulidLen - 1; i >= 0; i-- {
		out[i] = crockford[lo&0x1f]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}
