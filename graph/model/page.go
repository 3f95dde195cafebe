package model

import (
	"encoding/base64"
	"encoding/json"
)

// MaxSearchTextLen bounds free-text searches (characters): what a person types in a
// search box, far below what would make the text-search parser work for seconds.
const MaxSearchTextLen = 200

// MaxPageSize bounds first/last of every connection (DESIGN §4).
const MaxPageSize = 100

// DefaultPageSize is the page size when neither first nor last is given.
const DefaultPageSize = 20

// Page is a validated page request of a Relay connection, keyset-paginated.
type Page struct {
	Limit    int     // items wanted, 1..MaxPageSize
	Backward bool    // last/before: read backwards from Before
	After    *Cursor // decoded after cursor, nil for none
	Before   *Cursor // decoded before cursor, nil for none
}

// Cursor is the position of an item in a keyset order: the value of the order column
// (as text) and the unique id that breaks ties.
type Cursor struct {
	Key string `json:"k"`
	ID  string `json:"i"`
}

// Encode returns the opaque form of c.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (c *Cursor) encoded() *string {
	if c == nil {
		return nil
	}
	s := c.Encode()
	return &s
}

// DecodeCursor reads a cursor made by Encode.
func DecodeCursor(s string) (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c Cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return nil, Errorf(CodeInvalidInput, Path("after"), "curseur de pagination invalide")
	}
	return &c, nil
}

// NewPage validates Relay arguments: first and last are 1..MaxPageSize and not both set.
func NewPage(first *int, after *string, last *int, before *string) (Page, error) {
	p := Page{Limit: DefaultPageSize}
	if first != nil && last != nil {
		return p, Errorf(CodeInvalidInput, Path("last"), "« first » et « last » ne peuvent pas être utilisés ensemble")
	}
	if first != nil {
		if *first < 1 || *first > MaxPageSize {
			return p, Errorf(CodeOutOfRange, Path("first"), "« first » doit être compris entre 1 et %d", MaxPageSize)
		}
		p.Limit = *first
	}
	if last != nil {
		if *last < 1 || *last > MaxPageSize {
			return p, Errorf(CodeOutOfRange, Path("last"), "« last » doit être compris entre 1 et %d", MaxPageSize)
		}
		p.Limit = *last
		p.Backward = true
	}
	if after != nil {
		c, err := DecodeCursor(*after)
		if err != nil {
			return p, err
		}
		p.After = c
	}
	if before != nil {
		c, err := DecodeCursor(*before)
		if err != nil {
			err.(*Error).Field = Path("before")
			return p, err
		}
		p.Before = c
	}
	return p, nil
}
