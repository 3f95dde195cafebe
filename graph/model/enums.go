package model

import (
	"fmt"
	"io"
	"strconv"
)

// MarshalGQL writes r as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value of Role.
func (r *Role) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || !Role(s).Valid() {
		return fmt.Errorf("rôle inconnu : %v", v)
	}
	*r = Role(s)
	return nil
}

// MarshalGQL writes c as a GraphQL enum value.
func (c ErrorCode) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(c))) }

// UnmarshalGQL reads a GraphQL enum value of ErrorCode.
func (c *ErrorCode) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("code d'erreur inconnu : %v", v)
	}
	*c = ErrorCode(s)
	return nil
}
