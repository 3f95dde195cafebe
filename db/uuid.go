package db

import "regexp"

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// validUUIDs keeps the keys that are well-formed uuids: a key decoded from a client's
// global id may be anything, and must give "not found", not an SQL error.
func validUUIDs(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if uuidPattern.MatchString(k) {
			out = append(out, k)
		}
	}
	return out
}
