package db

import "testing"

// TestSameJSON: documents compare by content; one that does not decode is an error (the
// merge proposal's stored record once compared as "changed" when it was not JSON).
func TestSameJSON(t *testing.T) {
	if same, err := sameJSON([]byte(`{"a": 1, "b": [2]}`), []byte(`{"b":[2],"a":1}`)); err != nil || !same {
		t.Fatalf("same content: %v, %v", same, err)
	}
	if same, err := sameJSON([]byte(`{"a": 1}`), []byte(`{"a": 2}`)); err != nil || same {
		t.Fatalf("different content: %v, %v", same, err)
	}
	if _, err := sameJSON([]byte(`{"a": `), []byte(`{"a": 1}`)); err == nil {
		t.Fatal("an undecodable stored record compared without error")
	}
}
