package seed

import (
	"encoding/binary"
	"encoding/hex"
)

// Kinds of keys: the first byte of a seeded uuid, so that keys of different tables never
// collide and rows of one table are inserted in key order (the B-tree indexes on keys
// then grow at their right edge, which keeps COPY fast).
const (
	kStructure byte = iota + 1
	kStaff
	kBeneficiary
	kHousehold
	kConvocation
	kInterview
	kReferent
	kObjective
	kPlanAction
	kHousing
	kRights
	kEvaluation
	kExit
	kFollowUp
	kProDiagnostic
	kFrenchLevel
	kOrientation
	kSupportAction
	kOutcome
	kOffer
	kEvent
	kNeed
)

// splitmix64 is a fast, well-mixed hash of a 64-bit state.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// uuidOf is the deterministic key number j of kind under owner i (a beneficiary's
// index, or a global index), for the load's seed: a well-formed version 4 uuid whose
// first bytes are (kind, i, j) and the rest a hash.
func uuidOf(seed uint64, kind byte, i uint32, j uint16) string {
	var b [16]byte
	b[0] = kind
	binary.BigEndian.PutUint32(b[1:5], i)
	binary.BigEndian.PutUint16(b[5:7], j)
	h := splitmix64(seed ^ uint64(kind)<<56 ^ uint64(i)<<16 ^ uint64(j))
	binary.BigEndian.PutUint64(b[8:16], h)
	// version 4 in the high nibble of byte 6 (j's low byte moves to byte 7), RFC 4122
	// variant in byte 8.
	b[7], b[6] = b[6], 0x40|(b[6]&0x0f)
	b[8] = 0x80 | (b[8] & 0x3f)
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}
