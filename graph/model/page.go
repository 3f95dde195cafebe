package model

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync/atomic"
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
// (as text) and the unique id that breaks ties. The value may be personal (a name, a
// birth day): the cursor given to clients is sealed (AES-256-GCM under the cursor key),
// so that it carries nothing readable and cannot be forged (issue 15, hole 5).
type Cursor struct {
	Key string `json:"k"`
	ID  string `json:"i"`
}

// cursorAEAD seals cursors. Its key is random per process until SetCursorKey sets the
// server's (derived from a secret, so that cursors outlive a restart and pass between
// replicas).
var cursorAEAD atomic.Pointer[cipher.AEAD]

func init() {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("model: no random cursor key: " + err.Error())
	}
	SetCursorKey(key)
}

// SetCursorKey sets the secret cursors are sealed with (any length; SHA-256 of it is the
// AES-256 key). Cursors sealed under the former key are refused afterwards.
func SetCursorKey(secret []byte) {
	sum := sha256.Sum256(append([]byte("agir cursor v1\x00"), secret...))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		panic("model: cursor cipher: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("model: cursor cipher: " + err.Error())
	}
	cursorAEAD.Store(&aead)
}

// Encode returns the opaque form of c: base64url of a random nonce and the sealed JSON.
func (c Cursor) Encode() string {
	plain, _ := json.Marshal(c) // two strings: cannot fail
	aead := *cursorAEAD.Load()
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("model: no random cursor nonce: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, nil))
}

var errBadCursor = errors.New("cursor shorter than its nonce")

func (c *Cursor) encoded() *string {
	if c == nil {
		return nil
	}
	s := c.Encode()
	return &s
}

// DecodeCursor reads a cursor made by Encode; any other text (forged, altered, sealed
// under another key) is INVALID_INPUT.
func DecodeCursor(s string) (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c Cursor
	if err == nil {
		aead := *cursorAEAD.Load()
		if len(b) < aead.NonceSize() {
			err = errBadCursor
		} else {
			b, err = aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], nil)
		}
	}
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
