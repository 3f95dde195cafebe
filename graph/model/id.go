package model

import (
	"encoding/base64"
	"strings"
)

// GlobalID returns the opaque global id of the object of GraphQL type typ and database
// key key: base64url("Type:key"). Clients must treat it as opaque.
func GlobalID(typ, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + key))
}

// ParseGlobalID splits a global id into its type and key. ok is false for ids that were
// not made by GlobalID.
func ParseGlobalID(id string) (typ, key string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return "", "", false
	}
	typ, key, ok = strings.Cut(string(b), ":")
	if !ok || typ == "" || key == "" {
		return "", "", false
	}
	return typ, key, true
}

// KeyOf returns the database key of a global id of type typ, or a NOT_FOUND error naming
// field when the id is malformed or of another type.
func KeyOf(id, typ string, field ...string) (string, error) {
	t, k, ok := ParseGlobalID(id)
	if !ok || t != typ {
		return "", Errorf(CodeNotFound, field, "identifiant inconnu")
	}
	return k, nil
}
