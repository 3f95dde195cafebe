package db

// isUUID reports whether s is a uuid in its canonical text form (8-4-4-4-12 hexadecimal
// digits, either case). It is called for every key of every batched read: a hand check,
// where the regular expression it replaces was about 1 % of the server's CPU on a list.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// validUUIDs keeps the keys that are well-formed uuids: a key decoded from a client's
// global id may be anything, and must give "not found", not an SQL error.
func validUUIDs(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if isUUID(k) {
			out = append(out, k)
		}
	}
	return out
}
